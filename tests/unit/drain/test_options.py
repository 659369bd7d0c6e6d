"""DrainOptions made from the CLI's arguments (checked once), and the questions cordon, uncordon and drain ask."""

import pytest

from azext_wasimig.drain.errors import InvalidDrainOption
from azext_wasimig.drain.options import DrainOptions, cordon_question, drain_question


def test_options_from_cli_converts_minutes_and_validates():
    options = DrainOptions.from_cli(drain_timeout_minutes=2, grace_period=5, force=True)
    assert options.timeout == 120 and options.grace_period == 5 and options.force
    for bad in (0, -1, None):
        with pytest.raises(InvalidDrainOption, match="--drain-timeout"):
            DrainOptions.from_cli(drain_timeout_minutes=bad)
    with pytest.raises(InvalidDrainOption, match="--grace-period"):
        DrainOptions.from_cli(drain_timeout_minutes=1, grace_period=-1)


def test_the_drain_question_names_what_the_flags_delete():
    plain = drain_question("wasi", "c", DrainOptions())
    assert "WASI pool 'wasi' of cluster 'c'" in plain and "deleted for good" not in plain
    forced = drain_question("wasi", "c", DrainOptions(force=True, delete_emptydir_data=True))
    assert "bare pods) are deleted for good, nothing recreates them" in forced and "stay Pending" in forced
    assert "emptyDir volumes is lost" in forced


def test_cordon_and_uncordon_questions_differ():
    assert "No new pod is scheduled there" in cordon_question(True, "wasi", "c")
    assert "may be scheduled there again" in cordon_question(False, "wasi", "c")
