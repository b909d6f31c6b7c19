"""Injected faults and the log of received requests: what tests arrange and inspect."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import unquote


@dataclass(eq=False)
class Fault:
    """One fault rule, as returned by ``IdentityServer.inject``.

    Attributes:
        status: The status to answer with, or None to answer normally.
        times: How many requests the rule applies to; None means every one.
        match: Prefix of ``"METHOD /path"`` the rule applies to, the path decoded
            as a user writes it (``"GET /org/acme/user/ada@example.com"``); the
            raw, percent-encoded form matches too. None matches all.
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

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule applies to a request, ignoring uses left.

        Args:
            method: The request's method.
            path: The request target as received (percent-encoded).
        """
        if self.match is None:
            return True
        target = f"{method} {path}"
        return target.startswith(self.match) or unquote(target).startswith(self.match)

    def describe(self) -> str:
        """Say in one line what the rule does and to which requests, for reports."""
        what = [
            f"{name}={value!r}"
            for name, value in (
                ("status", self.status),
                ("retry_after", self.retry_after),
                ("delay", self.delay or None),
                ("drop_connection", self.drop_connection or None),
                ("body", None if self.body is None else f"<{len(self.body)} bytes>"),
                ("processed", self.processed or None),
            )
            if value is not None
        ]
        where = "every request" if self.match is None else f"match={self.match!r}"
        return f"Fault({', '.join([*what, where])}, times={self.times!r}, hits={self.hits})"

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
        with self._lock:
            for fault in self._rules:
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                if fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def unfired(self) -> list[Fault]:
        """Return the rules, in order, that have not been applied to any request."""
        with self._lock:
            return [fault for fault in self._rules if fault.hits == 0]
