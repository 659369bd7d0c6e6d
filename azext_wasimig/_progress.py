"""Progress for long work: a spinner line on stderr for a person at a terminal, info-level log lines
otherwise, so a runbook's captured stderr holds warnings and errors, not bars."""

import sys
from contextlib import contextmanager

from knack.log import get_logger

logger = get_logger(__name__)


@contextmanager
def progress(cli_ctx):
    """Yields ``report(message)``."""
    if not sys.stderr.isatty():
        # A function, not logger.info itself: callers hand over finished messages (the spinner needs one).
        yield lambda message: logger.info("%s", message)
        return
    controller = cli_ctx.get_progress_controller(det=False)
    controller.begin()
    try:
        yield lambda message: controller.add(message=message)
    finally:
        controller.end()


def wait_for(poller, cli_ctx, what, interval=2.0):
    """Wait for an azure-core LRO poller, reporting its status; returns its result (raises its error)."""
    with progress(cli_ctx) as report:
        while not poller.done():
            report(f"{what}: {poller.status()}")
            poller.wait(timeout=interval)
    return poller.result()
