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
