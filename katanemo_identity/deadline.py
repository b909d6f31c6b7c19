"""The whole-call limit: a deadline computed once per call, and one watchdog that enforces it.

A read timeout bounds each silence of the server, not the call: a peer that
sends one byte just inside every read timeout would hold a call open for
ever. So every call gets a ``Deadline`` when it starts (``monotonic() +
total_timeout``). Each wait the call makes (for a pooled connection, to
connect, each read, each pause between attempts) is capped at what is left
of it, and while the call runs, one daemon thread per process watches it:
when the deadline passes it shuts down the socket of the attempt on the
wire, which ends any read or write blocked on it at once. The attempt then
fails, and the request path raises ``ApiTimeoutError`` with
``expired == "total"``.

Shutting down a socket that another call has since taken from the pool
would break that call, so a connection records the deadline it serves
(``Deadline.attach``) and forgets it when it goes back to the pool
(``Deadline.detach``); the watchdog shuts down only a connection that still
serves the expired deadline. All three steps hold one lock.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from typing import Protocol

#: How often the watchdog looks at the calls in flight; a deadline is
#: enforced at most this late.
TICK_SECONDS = 0.05


class _Connection(Protocol):
    sock: object | None
    sent_on: object | None
    watched_by: Deadline | None


class Deadline:
    """When one call must end, and the connection its current attempt uses.

    Args:
        limit: Seconds from now the call may take in all.
    """

    __slots__ = ("connection", "ends", "expired", "limit", "sent")

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.ends = time.monotonic() + limit
        #: The connection of the attempt on the wire, if any.
        self.connection: _Connection | None = None
        #: Set by the watchdog once the deadline has passed.
        self.expired = False
        #: Whether the current attempt began to send its request.
        self.sent = False

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once it has passed)."""
        return self.ends - time.monotonic()

    def attach(self, connection: _Connection) -> bool:
        """Record that ``connection`` now sends this call's request.

        Returns:
            False when the deadline has already passed: send nothing.
        """
        with _LOCK:
            if self.expired:
                return False
            self.connection = connection
            self.sent = True
            connection.watched_by = self
            return True

    @staticmethod
    def detach(connection: _Connection) -> None:
        """Record that ``connection`` serves no call (it is going back to the pool)."""
        with _LOCK:
            owner = connection.watched_by
            if owner is not None:
                owner.connection = None
                connection.watched_by = None

    def _expire(self) -> None:
        with _LOCK:
            self.expired = True
            connection = self.connection
            if connection is not None and connection.watched_by is self:
                _shut_down(connection)


def _shut_down(connection: _Connection) -> None:
    # ``sock`` is None once http.client handed the socket to an answer that
    # ends at close; the answer is still read from the socket it went out on.
    sock = connection.sock if connection.sock is not None else connection.sent_on
    # A TLS-in-TLS transport wraps the real socket; shut down that one. The
    # base class's method is called so that an SSLSocket keeps its TLS state
    # and the blocked reader sees a plain end of stream.
    sock = getattr(sock, "socket", sock)
    if isinstance(sock, socket.socket):
        # An OSError means it is closed already: nothing is blocked on it.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """The one thread that expires the deadlines of the calls in flight."""

    def __init__(self) -> None:
        self.watched: dict[Deadline, None] = {}
        self.wake = threading.Event()
        self.idle = False
        self.thread: threading.Thread | None = None

    def watch(self, deadline: Deadline) -> None:
        """Enforce ``deadline`` until ``unwatch`` is called with it."""
        self.watched[deadline] = None
        if self.thread is None:
            with _LOCK:  # two first calls at once start one thread
                if self.thread is None:
                    thread = threading.Thread(
                        target=self._run, name="katanemo-identity-deadlines", daemon=True
                    )
                    thread.start()
                    self.thread = thread
        elif self.idle:
            self.wake.set()

    def unwatch(self, deadline: Deadline) -> None:
        """Stop enforcing ``deadline``: its call has ended."""
        self.watched.pop(deadline, None)

    def _run(self) -> None:
        while True:
            if not self.watched:
                # Sleep until a call starts; ``watch`` sets ``wake`` when it
                # sees ``idle``, and the second look closes the race.
                self.idle = True
                if not self.watched:
                    self.wake.wait()
                self.wake.clear()
                self.idle = False
                continue
            now = time.monotonic()
            for deadline in self.watched.copy():
                if deadline.ends <= now:
                    self.watched.pop(deadline, None)
                    deadline._expire()
            time.sleep(TICK_SECONDS)


_LOCK = threading.Lock()
WATCHDOG = _Watchdog()


def _after_fork_in_child() -> None:
    # The thread did not survive the fork, and the lock may have been held
    # by a thread that no longer exists.
    global _LOCK
    _LOCK = threading.Lock()
    WATCHDOG.__init__()  # type: ignore[misc]


if hasattr(os, "register_at_fork"):  # absent where processes do not fork (Windows)
    os.register_at_fork(after_in_child=_after_fork_in_child)
