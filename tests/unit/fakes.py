"""Fakes shared by unit tests (not a test module)."""


class Clock:
    """A monotonic clock that moves only when ``sleep`` is called; ``sleeps`` records each wait."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
