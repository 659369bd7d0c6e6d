#!/usr/bin/env bash
# The main job on the embedded default, from a fresh machine: builds the wheel, installs azure-cli 2.91.0 and
# the extension into a local environment, starts the emulated Azure with a sample estate and a loopback
# Kubernetes control plane for its cluster, and runs a whole WASI migration with `az aks wasi-migrate`.
# The first run installs and builds what it needs (cached under ~/.cache); later runs take about a minute.
. "$(dirname "$0")/lib.sh"

az_env=$(az_venv)
driver_env=$(test_venv)        # the demo's driver plays the kubelets with the kubernetes client
wheel=$(build_wheel "$az_env/bin/python")
ensure_k8s_binaries
export WASIMIG_AZ="$az_env/bin/az" WASIMIG_WHEEL="$wheel"
export WASIMIG_WHEELHOUSE; WASIMIG_WHEELHOUSE=$(wheelhouse "$az_env/bin/python" "$wheel")
exec "$driver_env/bin/python" "$REPO/scripts/demo.py"
