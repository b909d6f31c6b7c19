"""Name look-ups bounded by the whole-call limit, on a few threads that are reused.

``socket.getaddrinfo`` takes no timeout and cannot be interrupted: with a dead
DNS server it blocks for the system resolver's own timeouts (5 s per server
by default), and there is no socket yet for the deadline's watchdog to shut
down. So a new connection to a host *name* hands the look-up to a thread of a
small pool and waits for it no longer than what is left of the call.

A look-up the call gave up on still runs to its end in its thread (nothing can
stop it), and the traps that follow from that are why the pool looks as it does:

* threads are few (``MAX_THREADS``), started only when a look-up finds none
  idle, and reused; an idle one ends after ``IDLE_SECONDS``;
* a look-up that finds every thread still held by look-ups whose calls gave
  up fails at once (``LookUpTimeout`` with ``busy``), rather than queueing
  behind them or starting more threads;
* after ``os.fork()`` the child starts with a pool of its own: the parent's
  threads did not come along, and a copied pool would wait for them for ever.

An IP literal needs no look-up and never reaches this module, and a pooled
connection needs no look-up at all: only new connections to names pay.
"""

from __future__ import annotations

import os
import socket
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

#: Look-ups that may run at once, in as many threads.
MAX_THREADS = 4

#: Seconds an idle thread waits for work before it ends.
IDLE_SECONDS = 30.0

#: Name of the pool's threads.
THREAD_NAME = "katanemo-identity-resolver"

#: One answer of ``socket.getaddrinfo``: family, type, protocol, canonical name, address.
AddressInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]


class LookUpTimeout(Exception):
    """A look-up did not finish in the time given; nothing was sent.

    Deliberately not an ``OSError``: urllib3 lets it through unchanged, and
    the request path turns it into an ``ApiTimeoutError``.

    Attributes:
        host: The name looked up.
        busy: True when the look-up could not even start, every thread being
            held by look-ups whose calls had given up.
    """

    def __init__(self, host: str, *, busy: bool) -> None:
        super().__init__(host)
        self.host = host
        self.busy = busy


class _LookUp:
    __slots__ = ("abandoned", "answer", "arguments", "done", "error", "started")

    def __init__(self, arguments: tuple[str, int, int, int]) -> None:
        self.arguments = arguments  # what ``getaddrinfo`` is called with
        self.done = threading.Event()
        self.started = False
        self.abandoned = False
        self.answer: Sequence[AddressInfo] = ()
        self.error: Exception | None = None


class _Resolver:
    """The pool: a queue of look-ups and the threads that run them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.work = threading.Condition(self.lock)
        self.queued: deque[_LookUp] = deque()
        self.threads = 0
        self.idle = 0
        #: Threads running a look-up whose call has given up on it.
        self.held = 0

    def resolve(self, host: str, port: int, family: int, timeout: float) -> Sequence[AddressInfo]:
        """Return ``getaddrinfo(host, port, family, SOCK_STREAM)``, waiting at most ``timeout``.

        Raises:
            LookUpTimeout: the answer did not come within ``timeout`` seconds, or
                could not be asked for (``busy``).
            OSError: as ``getaddrinfo`` raises it (``socket.gaierror``: the name
                is unknown, or the resolver failed).
        """
        look_up = _LookUp((host, port, family, socket.SOCK_STREAM))
        with self.lock:
            if self.held >= MAX_THREADS:
                raise LookUpTimeout(host, busy=True)
            self.queued.append(look_up)
            if len(self.queued) > self.idle and self.threads < MAX_THREADS:
                self.threads += 1
                threading.Thread(target=self._run, name=THREAD_NAME, daemon=True).start()
            else:
                self.work.notify()
        if not look_up.done.wait(max(timeout, 0.0)):
            with self.lock:
                if not look_up.done.is_set():
                    look_up.abandoned = True
                    if look_up.started:
                        self.held += 1
                    else:
                        self.queued.remove(look_up)
                    raise LookUpTimeout(host, busy=False)
        if look_up.error is not None:
            raise look_up.error
        return look_up.answer

    def _run(self) -> None:
        while True:
            with self.lock:
                while not self.queued:
                    self.idle += 1
                    woken = self.work.wait(IDLE_SECONDS)
                    self.idle -= 1
                    if not woken and not self.queued:
                        self.threads -= 1
                        return
                look_up = self.queued.popleft()
                look_up.started = True
            try:
                look_up.answer = socket.getaddrinfo(*look_up.arguments)
            except Exception as error:  # handed to the caller, who raises it
                look_up.error = error
            with self.lock:
                if look_up.abandoned:
                    self.held -= 1
                look_up.done.set()


_RESOLVER = _Resolver()
resolve = _RESOLVER.resolve

if hasattr(os, "register_at_fork"):  # absent where processes do not fork (Windows)
    # The threads did not survive the fork, and the lock may have been held
    # by one of them: the child starts with a pool of its own.
    os.register_at_fork(after_in_child=_RESOLVER.__init__)  # type: ignore[misc]
