"""Hooks: what each call and each of its attempts did, told to your code as it happens.

A hook is a ``Hook`` subclass overriding any of three methods, each given a
small frozen event:

* ``call_started(CallStarted)``: the request is built and about to be sent;
* ``attempt_ended(AttemptEnded)``: one attempt is over, with its status or
  error, how long it took and how long the client waits before the next;
* ``call_ended(CallEnded)``: the call is over, with its final status or
  error, its whole duration and the retries taken.

Hooks are listed in ``Configuration.hooks`` and called in that order
(``call_ended`` in reverse). One ``CallObservation`` per call makes the
events: ``ApiClient`` enters it around the call, and the attempt loop
(``retry.exchange``) reports each attempt's end where it logs the retry.
OpenTelemetry tracing (``katanemo_identity.otel.Tracing``) is one such hook.
A hook that raises is logged on the configuration's logger and the call goes
on. A client shared between threads calls the same hooks from each of them.

Events name the operation and its URL template (``/org/{accountId}/user``),
never the filled path, so they are safe as metric labels; only
``CallStarted.url`` carries the path values (ids, emails). No event holds a
header or body.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

from katanemo_identity.exceptions import OpenApiException

__all__ = ["AttemptEnded", "CallEnded", "CallStarted", "Hook"]


@dataclass(frozen=True, slots=True)
class CallStarted:
    """A call is about to send its first attempt.

    Attributes:
        operation: The operation's method name, e.g. ``get_user``.
        method: The HTTP method.
        url_template: The path template, e.g. ``/org/{accountId}/user/{userId}``.
        host: The base URL the call goes to (``Configuration.host``).
        url: The URL as sent, path values filled in (they may be emails).
    """

    operation: str
    method: str
    url_template: str
    host: str
    url: str


@dataclass(frozen=True, slots=True)
class AttemptEnded:
    """One attempt of a call is over.

    Attributes:
        operation: The operation's method name.
        method: The HTTP method.
        url_template: The path template.
        attempt: 1 for the first send, 2 for the first retry, and so on.
        status: The response status, or None when no response arrived.
        error: The exception the attempt ended with (an
            ``ApiConnectionError`` when no response came, an
            ``ApiResponseTooLargeError``), else None; an error status is
            ``status``, not an exception, at this level.
        elapsed: Seconds the attempt took.
        wait: Seconds the client waits before the next attempt, or None
            when no attempt follows.
    """

    operation: str
    method: str
    url_template: str
    attempt: int
    status: int | None
    error: Exception | None
    elapsed: float
    wait: float | None


@dataclass(frozen=True, slots=True)
class CallEnded:
    """A call is over, returned or raised.

    Attributes:
        operation: The operation's method name.
        method: The HTTP method.
        url_template: The path template.
        status: The final response status, or None when none arrived.
        error: The exception the call raises, or None when it returns (a
            ``KeyboardInterrupt`` too, should one stop the call).
        elapsed: Seconds from the first attempt to the end, waits included.
        retries_taken: Attempts after the first.
        outcome_unknown: True when the call raised and the request may
            have been applied (see ``ApiException.outcome_unknown``).
    """

    operation: str
    method: str
    url_template: str
    status: int | None
    error: BaseException | None
    elapsed: float
    retries_taken: int
    outcome_unknown: bool


class Hook:
    """Receives the events of every call; override the methods you need.

    The methods run in the calling thread, inside the call: keep them quick.
    Each default does nothing.
    """

    def call_started(self, event: CallStarted) -> None:
        """Called once per call, before the first attempt is sent."""

    def attempt_ended(self, event: AttemptEnded) -> None:
        """Called after each attempt, before the wait for the next one."""

    def call_ended(self, event: CallEnded) -> None:
        """Called once per call, after the last attempt, before the call returns or raises."""


class CallObservation:
    """The hooks of one call, told what the request path reports; a context manager.

    Entering tells ``call_started``; the attempt loop (``retry.exchange``)
    reports each attempt's end; leaving tells ``call_ended``, with the last
    attempt's status and the exception the call raises, if any. Made only
    when ``Configuration.hooks`` is not empty, so a call without hooks pays
    for none of this.

    Args:
        hooks: The hooks to tell, in order.
        logger: Where a hook's exception is logged.
        started: What ``call_started`` is told.
    """

    __slots__ = ("_attempts", "_began", "_hooks", "_logger", "_started", "_status")

    def __init__(self, hooks: Sequence[Hook], logger: logging.Logger, started: CallStarted) -> None:
        self._hooks = tuple(hooks)
        self._logger = logger
        self._started = started
        self._attempts = 0
        self._status: int | None = None
        self._began = 0.0

    def __enter__(self) -> CallObservation:
        self._began = time.perf_counter()
        for hook in self._hooks:
            try:
                hook.call_started(self._started)
            except Exception:
                self._log_failure(hook, "call_started")
        return self

    def attempt_ended(
        self,
        attempt: int,
        began: float,
        *,
        status: int | None = None,
        error: Exception | None = None,
        wait: float | None = None,
    ) -> None:
        """Tell the hooks that attempt ``attempt`` (from 1), begun at ``began``, is over.

        Args:
            attempt: The attempt's number: 1 for the first send.
            began: ``time.perf_counter()`` when it began.
            status: Its response status, if one arrived.
            error: Its exception, if it raised one.
            wait: Seconds until the next attempt, or None when none follows.
        """
        self._attempts, self._status = attempt, status
        call = self._started
        event = AttemptEnded(
            call.operation,
            call.method,
            call.url_template,
            attempt,
            status,
            error,
            time.perf_counter() - began,
            wait,
        )
        for hook in self._hooks:
            try:
                hook.attempt_ended(event)
            except Exception:
                self._log_failure(hook, "attempt_ended")

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        call = self._started
        event = CallEnded(
            call.operation,
            call.method,
            call.url_template,
            self._status,
            error,
            time.perf_counter() - self._began,
            max(self._attempts - 1, 0),
            isinstance(error, OpenApiException) and error.outcome_unknown,
        )
        # The reverse order of call_started: a hook that opened something
        # (a span made current) closes it after those opened inside it.
        for hook in reversed(self._hooks):
            try:
                hook.call_ended(event)
            except Exception:
                self._log_failure(hook, "call_ended")

    def _log_failure(self, hook: Hook, method: str) -> None:
        self._logger.warning(
            "%s.%s raised during %s(); the call goes on",
            type(hook).__name__,
            method,
            self._started.operation,
            exc_info=True,
        )
