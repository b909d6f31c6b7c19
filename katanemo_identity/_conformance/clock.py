"""Time: the run's budget, and a configuration whose whole-call limit never outlasts it."""

from __future__ import annotations

import copy
import math
import time

from katanemo_identity.configuration import Configuration, validate_total_timeout


class Clock:
    """A budget of seconds, counted from now; None is no limit."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.ends = math.inf if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def spent(self) -> bool:
        return self.remaining() <= 0


class Limited(Configuration):
    """A ``Configuration`` whose whole-call limit never outlasts a ``Clock``."""

    clock: Clock

    @property
    def total_timeout(self) -> float:
        # Read once per call by the request path: each call gets what is left.
        return max(min(self._total_timeout, self.clock.remaining()), 0.001)

    @total_timeout.setter
    def total_timeout(self, value: float) -> None:
        self._total_timeout = validate_total_timeout(value)


def limited(configuration: Configuration, clock: Clock) -> Limited:
    """Return a copy of ``configuration`` whose calls never outlast ``clock``."""
    copied = copy.copy(configuration)
    copied.__class__ = Limited  # same state, one property more: no field is copied by hand
    assert isinstance(copied, Limited)
    copied.clock = clock
    return copied
