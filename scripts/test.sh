#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (cached under ~/.cache), builds the
# extension wheel, builds the loopback Kubernetes control plane once, then runs pytest.
#   bash scripts/test.sh                 everything
#   bash scripts/test.sh tests/unit -q   any pytest arguments narrow the run (and skip the style gate)
# A whole run starts with azdev's style gate (scripts/style.sh; WASIMIG_STYLE=1 forces it on a narrowed run):
# a finding fails the run, after pytest has run too, so one CI pass shows both; its findings are repeated last.
. "$(dirname "$0")/lib.sh"

gate_status=0 gate_out=""
if [ $# -eq 0 ] || [ "${WASIMIG_STYLE:-0}" = 1 ]; then
  gate_out=$(mktemp)
  trap 'rm -f "$gate_out"' EXIT
  style_gate 2>&1 | tee "$gate_out" || gate_status=$?
fi

az_env=$(az_venv)
test_env=$(test_venv)
wheel=$(build_wheel "$test_env/bin/python")
ensure_k8s_binaries

export WASIMIG_AZ="$az_env/bin/az" WASIMIG_WHEEL="$wheel"
export WASIMIG_WHEELHOUSE; WASIMIG_WHEELHOUSE=$(wheelhouse "$test_env/bin/python" "$wheel")
say "wheel $wheel; az $WASIMIG_AZ"
cd "$REPO"
test_status=0
"$test_env/bin/python" -m pytest "${@:-tests}" || test_status=$?
if [ "$gate_status" -ne 0 ]; then
  say "the style gate failed (pytest exit status $test_status); its report again:"
  cat "$gate_out" >&2
  exit 1
fi
exit "$test_status"
