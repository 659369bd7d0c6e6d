"""Every command's help renders in the real az, with examples: help YAML errors only show at run time."""

import re

import pytest

pytestmark = pytest.mark.e2e

COMMANDS = ["list", "show", "scan", "cordon", "uncordon", "drain", "create-pool", "wait", "create-aci", "retarget",
            "compare", "verify", "rewrite", "delete-pool", "rollback", "cutover"]


def test_the_group_lists_every_command(az):
    commands = az("aks", "wasi-migrate", "-h").out.split("Commands:", 1)[1]
    listed = {m.group(1) for m in re.finditer(r"^    ([a-z-]+)\s+:", commands, re.MULTILINE)}
    assert listed == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_a_summary_and_examples(az, command):
    out = az("aks", "wasi-migrate", command, "-h").out
    assert f"az aks wasi-migrate {command} :" in out
    examples = out.split("Examples", 1)
    assert len(examples) == 2 and f"az aks wasi-migrate {command}" in examples[1]


@pytest.mark.parametrize("command", COMMANDS)
def test_no_argument_states_its_default_twice(az, command):
    """az appends "Default: N." to an argument whose default is set: the help text must not say it again."""
    arguments = az("aks", "wasi-migrate", command, "-h").out.split("Examples", 1)[0]
    flat = re.sub(r"\s+", " ", arguments)
    assert re.findall(r"Default: [^.]+\.\s+Default: [^.]+\.", flat) == []
