#!/usr/bin/env bash
# Sign az in to a running emulator (python -m tests.emulator ...) and print the environment to use:
#   eval "$(bash tests/emulator/az_login.sh STATE_DIR CONFIG_DIR)"
# PYTHON picks the interpreter (default: the project's cached venv); AZ picks az (default: the same venv's az).
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 STATE_DIR CONFIG_DIR" >&2; exit 2; fi
state=$(realpath -m "$1"); config=$(realpath -m "$2")
repo=$(cd "$(dirname "$0")/../.." && pwd)
py=${PYTHON:-python3}   # a Python with PyYAML and cryptography (the az environment has both)
cd "$repo"
exec "$py" -c 'import sys; from tests.emulator.azcli import main; sys.exit(main(sys.argv[1:]))' \
    --state-dir "$state" --config-dir "$config"
