"""The cutover's deferred SIGINT/SIGTERM: the handler notes, the run raises at its next safe point."""

import os
import signal
from contextlib import contextmanager

import pytest

from azext_wasimig.cutover import interrupts


def test_the_first_signal_is_only_noted_and_the_next_safe_point_raises_once():
    said = []
    deferred = interrupts.Interrupts(said.append)
    deferred.handler(signal.SIGTERM, None)
    assert deferred.received == "SIGTERM received" and "next safe point" in said[0]
    with pytest.raises(KeyboardInterrupt, match="SIGTERM received"):
        deferred.check()
    deferred.check()   # once: the code that records the interrupt may reach safe points itself


def test_a_second_signal_raises_at_once_and_says_so():
    said = []
    deferred = interrupts.Interrupts(said.append)
    deferred.handler(signal.SIGINT, None)
    with pytest.raises(KeyboardInterrupt):
        deferred.handler(signal.SIGINT, None)
    assert "stopping now" in said[-1]
    deferred.check()   # already raised


def test_a_signal_while_the_run_sleeps_raises_at_once():
    deferred = interrupts.Interrupts(lambda _text: None)

    def sleep(_seconds):
        deferred.handler(signal.SIGINT, None)
        raise AssertionError("the sleep went on after the signal")
    with pytest.raises(KeyboardInterrupt, match="SIGINT received"):
        deferred.sleep(5, sleep=sleep)
    assert not deferred.idle


def test_no_signal_no_raise():
    deferred = interrupts.Interrupts(lambda _text: None)
    deferred.check()
    deferred.sleep(0, sleep=lambda _s: None)
    interrupts.safe_point()   # outside a run: nothing installed


def test_installed_defers_a_real_signal_to_the_next_safe_point_and_puts_the_handlers_back():
    before = signal.getsignal(signal.SIGTERM)
    said = []
    with interrupts.installed(said.append) as deferred:
        os.kill(os.getpid(), signal.SIGTERM)      # delivered to this (main) thread before kill returns
        assert deferred.received == "SIGTERM received"
        with pytest.raises(KeyboardInterrupt):
            interrupts.safe_point()
    assert signal.getsignal(signal.SIGTERM) is before
    interrupts.safe_point()


def test_checked_progress_reports_then_reaches_a_safe_point():
    reported = []

    @contextmanager
    def progress():
        yield reported.append
    with interrupts.installed(lambda _text: None) as deferred:
        with interrupts.checked(progress)() as report:
            report("Creating node pool 'new': InProgress")
            deferred.handler(signal.SIGINT, None)
            with pytest.raises(KeyboardInterrupt):
                report("Creating node pool 'new': InProgress")
    assert len(reported) == 2
