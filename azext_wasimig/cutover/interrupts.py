"""SIGINT and SIGTERM during a cutover: the request in flight completes, the run stops at its next safe point.

A signal raised as a KeyboardInterrupt wherever Python happens to be may land between sending a request and reading
its answer: the write may or may not be applied, and nobody knows which. So the handler only takes the signal note
(and says so); the run raises at its next safe point, a place between API calls:

- ``ctx.checkpoint()`` (before each phase, each drain batch, each round of a wait or a soak);
- every progress line a phase says (``ctx.say``): the waits of the phases say one each round (the drain as pods go,
  the rollout follow, verify's soak), so they reach a safe point often without a flag threaded through them;
- a report of a long-running ARM operation (``checked(progress)``, what the pool's LRO wait is given);
- a sleep of the run (``sleep``): nothing is in flight while it sleeps, so the signal raises there at once.

A second signal stops the run at once, wherever it is (as kubectl and az do), saying so. ``installed(say)`` sets the
handlers for the length of the run (main thread only: tests may call from others) and puts the previous ones back.
"""

import signal
import threading
import time
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_INSTALLED = []     # the Interrupts of the run in progress (one at a time: the handlers are process-wide)


class Interrupts:
    """What the handler noted; ``check()`` raises KeyboardInterrupt once when a signal came."""

    def __init__(self, say):
        self.say = say
        self.received = None        # e.g. "SIGINT received"
        self.raised = False
        self.idle = False           # the main thread only sleeps: the handler may raise at once

    def handler(self, signum, _frame):
        name = signal.Signals(signum).name
        if self.received or self.idle:
            first = not self.received
            self.received, self.raised = self.received or f"{name} received", True
            if not first:
                self.say(f"{name} again: stopping now, without waiting for the request in flight")
            raise KeyboardInterrupt(self.received)
        self.received = f"{name} received"
        self.say(f"{name} received: stopping at the next safe point, once the request in flight is answered "
                 "(the record is written then); press Ctrl-C again to stop now")

    def check(self):
        if self.received and not self.raised and threading.current_thread() is threading.main_thread():
            self.raised = True
            raise KeyboardInterrupt(self.received)

    def sleep(self, seconds, sleep=time.sleep):
        """``sleep`` that a signal ends at once (nothing is in flight on this thread meanwhile)."""
        self.check()
        self.idle = True
        try:
            sleep(seconds)
        finally:
            self.idle = False
        self.check()


def safe_point():
    """Raise here if a signal came since the run began (a no-op outside a run)."""
    if _INSTALLED:
        _INSTALLED[-1].check()


def checked(progress):
    """A ``progress`` (a context-manager factory yielding ``report(message)``, see ``waiting.no_progress``) whose
    every report is a safe point: what a long-running ARM operation's wait is given."""
    @contextmanager
    def factory():
        with progress() as report:
            def checked_report(message):
                report(message)
                safe_point()
            yield checked_report
    return factory


@contextmanager
def installed(say):
    """The deferred handlers for SIGINT and SIGTERM for the length of the run (yields the Interrupts, or None off
    the main thread, where handlers cannot be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    interrupts = Interrupts(say)
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    for sig in SIGNALS:
        signal.signal(sig, interrupts.handler)
    _INSTALLED.append(interrupts)
    try:
        yield interrupts
    finally:
        _INSTALLED.remove(interrupts)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
