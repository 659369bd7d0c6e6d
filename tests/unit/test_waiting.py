"""The wait loop on a fake clock: it never sleeps past the deadline, reads once more there, then fails."""

import pytest

from azext_wasimig import waiting
from tests.unit.fakes import Clock


def test_a_timeout_shorter_than_the_interval_is_not_overshot_and_fails():
    clock, reads = Clock(), []
    with pytest.raises(waiting.WaitTimeout) as timed_out:
        waiting.wait_until(lambda: reads.append(clock.now) or {"provisioningState": "Creating"}, lambda _: False,
                           30, timeout=5, clock=clock, sleep=clock.sleep)
    assert clock.sleeps == [5] and reads == [0, 5]
    assert timed_out.value.last == {"provisioningState": "Creating"} and timed_out.value.timeout == 5


def test_reads_every_interval_and_the_last_pause_is_cut_to_the_deadline():
    clock = Clock()
    with pytest.raises(waiting.WaitTimeout):
        waiting.wait_until(lambda: None, lambda _: False, 30, timeout=70, clock=clock, sleep=clock.sleep)
    assert clock.sleeps == [30, 30, 10] and clock.now == 70


def test_returns_what_was_read_once_done():
    values, clock = iter(["Creating", "Creating", "Succeeded"]), Clock()
    assert waiting.wait_until(lambda: next(values), lambda v: v == "Succeeded", waiting.backoff(), clock=clock,
                              sleep=clock.sleep) == "Succeeded"
    assert clock.sleeps == [1, 2]


def test_backoff_grows_to_its_cap():
    steps = waiting.backoff()
    assert [next(steps) for _ in range(7)] == [1, 2, 4, 8, 15, 15, 15]


@pytest.mark.parametrize("flags, resource, done", [
    ({"created": True}, {"provisioningState": "Creating"}, False),
    ({"created": True}, {"properties": {"provisioningState": "Succeeded"}}, True),
    ({"created": True}, None, False),
    ({"deleted": True}, None, True),
    ({"deleted": True}, {"provisioningState": "Deleting"}, False),
    ({"exists": True}, {"provisioningState": "Creating"}, True),
    ({"custom": lambda r: r.get("count") == 3}, {"count": 3}, True),
])
def test_conditions_follow_azure_clis_wait_flags(flags, resource, done):
    assert waiting.condition(**flags)(resource) is done


def test_a_failed_resource_stops_the_wait_and_no_flag_is_refused():
    with pytest.raises(waiting.ResourceFailed, match="Failed"):
        waiting.condition(updated=True)({"provisioningState": "Failed"})
    with pytest.raises(waiting.WaitArgumentError, match="--created"):
        waiting.condition()
    with pytest.raises(waiting.WaitArgumentError, match="--interval"):
        waiting.check_timing(0, 10)
    with pytest.raises(waiting.WaitArgumentError, match="--timeout"):
        waiting.check_timing(1, -1)
