"""Injected faults and the log of received requests: what tests arrange and inspect."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(eq=False)
class Fault:
    """One fault rule, as returned by ``IdentityServer.inject``.

    Attributes:
        status: The status to answer with, or None to answer normally.
        times: How many requests the rule applies to; None means every one.
        match: Prefix of ``"METHOD /raw/path"`` the rule applies to; None matches all.
        retry_after: Value of the ``Retry-After`` header sent with ``status``.
        delay: Seconds to wait before answering.
        drop_connection: Close the connection without any response.
        body: Raw body sent instead of the spec-shaped error body.
        processed: Apply the operation to the state first, then replace its response.
        hits: How many requests the rule has been applied to.
    """

    status: int | None = None
    times: int | None = 1
    match: str | None = None
    retry_after: int | str | None = None
    delay: float = 0.0
    drop_connection: bool = False
    body: bytes | None = None
    processed: bool = False
    hits: int = 0

    @property
    def replaces_response(self) -> bool:
        """True when the rule answers (or drops) instead of the operation's own response."""
        return self.status is not None or self.body is not None or self.drop_connection


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server received it.

    Attributes:
        method: The HTTP method, e.g. ``POST``.
        path: The request target exactly as sent, percent-encoding and query included.
        headers: The request headers (a repeated header keeps its last value).
        body: The request body bytes (empty when none was sent).
        fault: The injected fault applied to this request, or None.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    fault: Fault | None = None


@dataclass
class FaultRules:
    """The ordered fault rules of one server; thread-safe."""

    _rules: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> Fault:
        """Append a rule; it applies after the rules added before it."""
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """Return the first rule with uses left that matches the request, counting the use."""
        target = f"{method} {path}"
        with self._lock:
            for fault in self._rules:
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                if fault.match is None or target.startswith(fault.match):
                    fault.hits += 1
                    return fault
        return None
