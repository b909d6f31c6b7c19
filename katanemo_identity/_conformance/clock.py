"""Time: the run's budget, and a client whose every call is limited to what is left of it."""

from __future__ import annotations

import math
import time

from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.configuration import Configuration


class Clock:
    """A budget of seconds, counted from now; None is no limit."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.ends = math.inf if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def spent(self) -> bool:
        return self.remaining() <= 0


class Limited:
    """An ``IdentityApi`` whose calls never outlast a ``Clock``: call it for the API, per call.

    ``limited().get_user(...)`` first sets the configuration's ``total_timeout``
    to the smaller of the limit configured when this was made and what is left
    of the clock; a configuration's limits are read on every request, so that
    call, and only it, gets that limit.
    """

    def __init__(self, api: IdentityApi, configuration: Configuration, clock: Clock) -> None:
        self.configuration = configuration
        self.clock = clock
        self._api = api
        self._call_timeout = configuration.total_timeout

    def __call__(self) -> IdentityApi:
        left = max(self.clock.remaining(), 0.001)
        self.configuration.total_timeout = min(self._call_timeout, left)
        return self._api
