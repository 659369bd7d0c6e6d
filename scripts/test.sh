#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (cached under ~/.cache), builds the
# extension wheel, builds the loopback Kubernetes control plane once, then runs pytest.
#   bash scripts/test.sh                 everything
#   bash scripts/test.sh tests/unit -q   any pytest arguments narrow the run
. "$(dirname "$0")/lib.sh"

az_env=$(az_venv)
test_env=$(test_venv)
wheel=$(build_wheel "$test_env/bin/python")
ensure_k8s_binaries

export WASIMIG_AZ="$az_env/bin/az" WASIMIG_WHEEL="$wheel"
export WASIMIG_WHEELHOUSE; WASIMIG_WHEELHOUSE=$(wheelhouse "$test_env/bin/python" "$wheel")
say "wheel $wheel; az $WASIMIG_AZ"
cd "$REPO"
exec "$test_env/bin/python" -m pytest "${@:-tests}"
