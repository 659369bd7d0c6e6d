"""Waiting until something read again and again is as wanted (pure: the reader, clock and sleep are given).

azure-cli's generic `wait` (WaitCommandOperation) loops ``for _ in range(0, timeout, interval)`` and, when the time
is up, *returns* its CLIError instead of raising it: `--timeout 5` sleeps one whole 30 s interval and the command
exits 0 printing ``{}``. Runbooks rely on `wait` failing when the time is up, so ours: reads, sleeps the next
interval but never past the deadline, reads once more at the deadline, then raises ``WaitTimeout``.
"""

import itertools
import time
from contextlib import contextmanager

from azext_wasimig.errors import MigrationError


class WaitTimeout(Exception):
    """The deadline passed; ``last`` is the last value read."""

    def __init__(self, last, timeout):
        super().__init__(f"still not done after {timeout} s")
        self.last, self.timeout = last, timeout


class WaitArgumentError(MigrationError):
    """The wait asked for makes no sense; the message says how to ask."""
    kind = "invalid"


class ResourceFailed(Exception):
    """What is waited for ended in a state it will not leave by itself (Failed, Canceled)."""

    def __init__(self, state):
        super().__init__(f"it is in provisioning state {state}")
        self.state = state


def backoff(first=1.0, factor=2.0, cap=15.0):
    """Intervals for waiting on an operation of unknown length: 1, 2, 4, 8, 15, 15, ... seconds."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, cap)


def check_timing(interval, timeout):
    """``WaitArgumentError`` unless the interval is at least a second and the timeout not negative."""
    if interval is None or interval < 1:
        raise WaitArgumentError(f"--interval {interval} is not valid: give the seconds between reads, at least 1.")
    if timeout is None or timeout < 0:
        raise WaitArgumentError(f"--timeout {timeout} is not valid: give the most seconds to wait, 0 or more.")


def wait_until(read, done, intervals, timeout=None, *, clock=time.monotonic, sleep=time.sleep, on_read=None):
    """``read()`` until ``done(value)`` is true, then return that value. Between reads sleep the next of
    ``intervals`` (a number: always that), never past ``timeout`` seconds from now; at the deadline, one last read,
    then ``WaitTimeout``. ``done`` may raise to stop early (e.g. ``ResourceFailed``)."""
    intervals = itertools.repeat(intervals) if isinstance(intervals, (int, float)) else iter(intervals)
    deadline = None if timeout is None else clock() + timeout
    while True:
        value = read()
        if on_read:
            on_read(value)
        if done(value):
            return value
        pause = next(intervals)
        if deadline is not None:
            left = deadline - clock()
            if left <= 0:
                raise WaitTimeout(value, timeout)
            pause = min(pause, left)
        sleep(pause)


FAILED_STATES = ("failed", "canceled")


def wait_reporting(read, done, what, interval, timeout, *, timed_out, progress=None):
    """``wait_until`` for the ``wait`` commands: a progress line per read naming ``what`` and its provisioning
    state; a ``WaitTimeout`` becomes ``timed_out`` (a MigrationError class) with the one wording both use.
    ``ResourceFailed`` goes on to the caller, whose advice differs per resource."""
    with (progress or no_progress)() as report:
        try:
            return wait_until(read, done, interval, timeout, on_read=lambda found: report(
                f"Waiting for {what}: {state_of(found) if found else 'not found'}"))
        except WaitTimeout as ex:
            now = f"in provisioning state {state_of(ex.last) or 'unknown'}" if ex.last else "not found"
            raise timed_out(f"Timed out after {timeout} s waiting for {what}: it is {now}.",
                            recommendation="Run the same wait again, or give a longer --timeout.") from ex


def state_of(resource):
    """provisioningState of a resource as az shows it (top level, or under ``properties``); '' when absent."""
    resource = resource or {}
    state = resource.get("provisioningState") or (resource.get("properties") or {}).get("provisioningState")
    return str(state or "")


def condition(created=False, updated=False, deleted=False, exists=False, custom=None):
    """``done(resource)`` for az's wait flags (``resource`` None: it does not exist). ``custom`` is a callable
    resource -> truthy (az's --custom JMESPath). Raises ``ResourceFailed`` when waiting for created/updated and
    the resource Failed, as azure-cli's generic wait does. ``WaitArgumentError`` when no flag is given."""
    if not any((created, updated, deleted, exists, custom)):
        raise WaitArgumentError("Say what to wait for: --created, --updated, --deleted, --exists or --custom "
                                "JMESPATH.")

    def done(resource):
        if resource is None:
            return bool(deleted)
        state = state_of(resource).lower()
        if (created or updated) and state in FAILED_STATES:
            raise ResourceFailed(state_of(resource))
        return bool(exists or ((created or updated) and state == "succeeded") or (custom and custom(resource)))
    return done


@contextmanager
def no_progress():
    """A ``progress`` that shows nothing. A ``progress`` is a context-manager factory yielding ``report(message)``
    (the CLI's is ``_progress.progress`` bound to its context: a spinner at a terminal, info lines otherwise)."""
    yield lambda _message: None


def wait_for_operation(poller, what, progress=no_progress, interval=2.0):
    """Wait for an azure-core long-running operation (its poller), reporting its status; returns its result
    (raises its error)."""
    with progress() as report:
        while not poller.done():
            report(f"{what}: {poller.status()}")
            poller.wait(timeout=interval)
    return poller.result()
