#!/usr/bin/env bash
# azdev's style gate alone: pylint and flake8 with the configs inside azdev 0.2.13's wheel, then `azdev linter`
# (rules command_groups, commands, params, help_entries) on a staged copy of the extension. Exit 1 on a finding.
#   bash scripts/style.sh          the gate (also run by scripts/test.sh on a full run)
#   bash scripts/style.sh --keys   also print every finding's baseline key
. "$(dirname "$0")/lib.sh"
style_gate "$@"
