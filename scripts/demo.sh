#!/usr/bin/env bash
# The main job on the embedded default, from a fresh machine: builds the wheel, installs azure-cli 2.91.0
# and the extension into a local environment, starts the emulated Azure with a sample estate and runs
# `az aks wasi-migrate` against it. Nothing is sent anywhere but 127.0.0.1 once packages are installed.
. "$(dirname "$0")/lib.sh"

az_env=$(az_venv)
wheel=$(build_wheel "$az_env/bin/python")
export WASIMIG_AZ="$az_env/bin/az" WASIMIG_WHEEL="$wheel"
export WASIMIG_WHEELHOUSE; WASIMIG_WHEELHOUSE=$(wheelhouse "$az_env/bin/python" "$wheel")
# The emulator needs only what azure-cli already brings (cryptography, PyYAML).
exec "$az_env/bin/python" "$REPO/scripts/demo.py"
