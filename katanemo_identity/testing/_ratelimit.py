"""A per-client request rate limit: at most N requests in any one-second window."""

from __future__ import annotations

import math
import threading
import time
from collections import deque


class RateLimiter:
    """Admits at most ``per_second`` requests per client in any sliding second.

    Args:
        per_second: Requests each client may make per second.
    """

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, client: str) -> int | None:
        """Count a request from ``client``; return None if admitted, else seconds to wait.

        A refused request is not counted, so a client that waits as told gets through.
        """
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(client, deque())
            while seen and now - seen[0] >= 1.0:
                seen.popleft()
            if len(seen) < self.per_second:
                seen.append(now)
                return None
            return max(1, math.ceil(1.0 - (now - seen[0])))

    def reset(self) -> None:
        """Forget every client's requests."""
        with self._lock:
            self._seen.clear()
