"""Hooks: what each call, each attempt and each request did, told to your code as it happens.

A hook is a ``Hook`` subclass overriding any of five methods, each given a
small frozen event:

* ``call_started(CallStarted)``: the request is built and about to be sent;
* ``request_sending(RequestSending)``: one HTTP request (the first, a retry,
  or a redirect followed) is about to go on the wire; the hook may add
  headers to it (trace context);
* ``request_ended(RequestEnded)``: that request's response headers are in,
  or it failed;
* ``attempt_ended(AttemptEnded)``: one attempt is over, with its status or
  error, how long it took and how long the client waits before the next;
* ``call_ended(CallEnded)``: the call is over, with its final status or
  error, its whole duration and the retries taken.

Hooks are listed in ``Configuration.hooks`` and called in that order (the
``*_ended`` methods in reverse). One ``CallObservation`` per call makes the
events: ``ApiClient`` enters it around the call, and the attempt loop
(``retry.exchange``) sends each request through it and reports each
attempt's end where it logs the retry. OpenTelemetry tracing
(``katanemo_identity.otel.Tracing``) is one such hook.

A hook cannot break a call. One that raises an ``Exception`` is logged on
the configuration's logger and the call goes on. One that raises a
``BaseException`` (``KeyboardInterrupt``, ``SystemExit``) stops the call,
but only after every hook that was told a call or request started has been
told it ended, so nothing a hook opened (a span made current) stays open;
the ``BaseException`` is then raised. A client shared between threads calls
the same hooks from each of them.

Events name the operation and its URL template (``/org/{accountId}/user``),
never the filled path, so they are safe as metric labels; only
``CallStarted.url`` and ``RequestSending.url`` carry the path values (ids,
emails). No event holds the request's headers (only those hooks add), a
body or a secret: the error a ``CallEnded`` carries has the secret fields of
its body masked.
"""

from __future__ import annotations

import copy
import functools
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from katanemo_identity._redact import redact_body
from katanemo_identity.configuration import validate_header
from katanemo_identity.exceptions import ApiException, ApiValueError, OpenApiException
from katanemo_identity.retry import _origin

if TYPE_CHECKING:
    import urllib3

    from katanemo_identity.deadline import Deadline

__all__ = [
    "AttemptEnded",
    "CallEnded",
    "CallStarted",
    "Hook",
    "RequestEnded",
    "RequestSending",
]

#: Headers a hook adds that go along on a redirect to another origin: the
#: W3C trace context, meant to cross services. Any other (``baggage``, your
#: own) stays with the origin the call was made to, like the caller's headers.
CROSS_ORIGIN_HOOK_HEADERS = frozenset({"traceparent", "tracestate"})

#: ``urllib3`` response versions as OpenTelemetry's ``network.protocol.version`` spells them.
_HTTP_VERSIONS = {9: "0.9", 10: "1.0", 11: "1.1", 20: "2", 30: "3"}


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
class RequestSending:
    """One HTTP request of a call is about to be sent: the first, a retry, or a redirect followed.

    Attributes:
        operation: The operation's method name.
        method: The HTTP method.
        url_template: The operation's path template.
        url: The URL this request goes to, path values filled in (after a
            redirect, the redirect's target).
        resend_count: How many requests of this call were sent before this
            one, retries and redirects alike; 0 for the first.
        extra_headers: Headers to add to this request, empty when the hook
            is called: a hook may put trace context (``traceparent``) or
            headers of its own here. They are checked like ``_headers`` (an
            invalid one is logged and left out), and on a redirect to another
            origin only ``traceparent`` and ``tracestate`` go along.
    """

    operation: str
    method: str
    url_template: str
    url: str
    resend_count: int
    extra_headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class RequestEnded:
    """One HTTP request of a call is over: its response headers are in, or it failed.

    Attributes:
        operation: The operation's method name.
        method: The HTTP method.
        url_template: The operation's path template.
        resend_count: As in the ``RequestSending`` of the same request.
        status: The response status, or None when no response arrived.
        error: The exception the request failed with (an
            ``ApiConnectionError``, an ``ApiTimeoutError``), else None.
        protocol_version: The HTTP version of the response (``"1.1"``), or
            None when no response arrived.
        elapsed: Seconds from sending to the response headers (or the failure).
    """

    operation: str
    method: str
    url_template: str
    resend_count: int
    status: int | None
    error: BaseException | None
    protocol_version: str | None
    elapsed: float


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
            ``KeyboardInterrupt`` too, should one stop the call). When the
            body of an ``ApiException`` holds secret fields (the
            ``clientSecret`` of a create whose answer did not decode), this
            is a copy of it with those values masked; the caller's own
            exception keeps the raw body.
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
        """Called once per call, before the first request is sent."""

    def request_sending(self, event: RequestSending) -> None:
        """Called before each HTTP request goes out; may add headers to ``event.extra_headers``."""

    def request_ended(self, event: RequestEnded) -> None:
        """Called after each HTTP request, once its response headers are in or it failed."""

    def attempt_ended(self, event: AttemptEnded) -> None:
        """Called after each attempt, before the wait for the next one."""

    def call_ended(self, event: CallEnded) -> None:
        """Called once per call, after the last attempt, before the call returns or raises."""


class Send(Protocol):
    """What sends one request: ``RESTClientObject.send``."""

    def __call__(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: tuple[float, float],
        deadline: Deadline,
    ) -> urllib3.BaseHTTPResponse: ...


class CallObservation:
    """The hooks of one call, told what the request path reports; a context manager.

    Entering tells ``call_started``; the attempt loop (``retry.exchange``)
    sends each request through ``sender`` and reports each attempt's end;
    leaving tells ``call_ended``, with the last attempt's status and the
    exception the call raises, if any. Made only when ``Configuration.hooks``
    is not empty, so a call without hooks pays for none of this.

    Whatever a hook raises, every hook told that a call or a request started
    is told that it ended; a ``BaseException`` is raised after that.

    Args:
        hooks: The hooks to tell, in order.
        logger: Where a hook's exception is logged.
        started: What ``call_started`` is told.
    """

    __slots__ = (
        "_attempts",
        "_began",
        "_hooks",
        "_logger",
        "_request_hooks",
        "_sent",
        "_started",
        "_status",
    )

    def __init__(self, hooks: Sequence[Hook], logger: logging.Logger, started: CallStarted) -> None:
        self._hooks = tuple(hooks)
        self._logger = logger
        self._started = started
        self._attempts = 0
        self._sent = 0
        self._status: int | None = None
        self._began = 0.0
        # Only hooks that want requests are told of them; with none, a
        # request is sent as if there were no hooks.
        self._request_hooks = tuple(
            hook
            for hook in self._hooks
            if type(hook).request_sending is not Hook.request_sending
            or type(hook).request_ended is not Hook.request_ended
        )

    def __enter__(self) -> CallObservation:
        self._began = time.perf_counter()
        for index, hook in enumerate(self._hooks):
            try:
                hook.call_started(self._started)
            except Exception:
                self._log_failure(hook, "call_started")
            except BaseException as stop:
                # The call stops here; the hooks told it started (this one
                # too: it may have opened something first) are told it ended.
                self._hooks = self._hooks[: index + 1]
                self.__exit__(type(stop), stop, stop.__traceback__)
                raise
        return self

    def sender(self, send: Send) -> Send:
        """Return what sends each request of the call: ``send``, with the hooks told of it."""
        if not self._request_hooks:
            return send
        return functools.partial(self._send, send)

    def _send(
        self,
        send: Send,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: tuple[float, float],
        deadline: Deadline,
    ) -> urllib3.BaseHTTPResponse:
        call = self._started
        added: dict[str, str] = {}
        sending = RequestSending(call.operation, method, call.url_template, url, self._sent, added)
        self._sent += 1
        told: list[Hook] = []
        began = time.perf_counter()
        try:
            for hook in self._request_hooks:
                told.append(hook)
                try:
                    hook.request_sending(sending)
                except Exception:
                    self._log_failure(hook, "request_sending")
            if added:
                headers = self._with_added(headers, added, url)
            began = time.perf_counter()
            response = send(
                method, url, headers=headers, body=body, timeout=timeout, deadline=deadline
            )
        except BaseException as error:
            self._request_ended(told, sending, None, error, began)
            raise
        self._request_ended(told, sending, response, None, began)
        return response

    def _with_added(
        self, headers: Mapping[str, str], added: dict[str, str], url: str
    ) -> dict[str, str]:
        # After the loop's cross-origin filter: a hook's header may not
        # carry to another origin what the caller's may not.
        foreign = _origin(url) != _origin(self._started.url)
        merged = dict(headers)
        for name, value in added.items():
            if foreign and name.lower() not in CROSS_ORIGIN_HOOK_HEADERS:
                continue
            try:
                validate_header(name, value)
            except ApiValueError as refused:
                self._logger.warning(
                    "a hook added an invalid header during %s(); it is left out: %s",
                    self._started.operation,
                    refused,
                )
                continue
            # Replaces a header of the same name in any case: never sent twice.
            for existing in [key for key in merged if key.lower() == name.lower()]:
                del merged[existing]
            merged[name] = value
        return merged

    def _request_ended(
        self,
        told: list[Hook],
        sending: RequestSending,
        response: urllib3.BaseHTTPResponse | None,
        error: BaseException | None,
        began: float,
    ) -> None:
        ended = RequestEnded(
            sending.operation,
            sending.method,
            sending.url_template,
            sending.resend_count,
            None if response is None else response.status,
            error,
            None if response is None else _HTTP_VERSIONS.get(response.version),
            time.perf_counter() - began,
        )
        self._tell_ended(reversed(told), "request_ended", ended)

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
            _masked(error),
            time.perf_counter() - self._began,
            max(self._attempts - 1, 0),
            isinstance(error, OpenApiException) and error.outcome_unknown,
        )
        # The reverse order of call_started: a hook that opened something
        # (a span made current) closes it after those opened inside it.
        self._tell_ended(reversed(self._hooks), "call_ended", event)

    def _tell_ended(
        self, hooks: Iterable[Hook], method: str, event: RequestEnded | CallEnded
    ) -> None:
        # Every hook is told, whatever the others raise; a BaseException
        # (KeyboardInterrupt, SystemExit) is raised once all have been.
        stop: BaseException | None = None
        for hook in hooks:
            try:
                getattr(hook, method)(event)
            except Exception:
                self._log_failure(hook, method)
            except BaseException as raised:
                stop = stop or raised
        if stop is not None:
            raise stop

    def _log_failure(self, hook: Hook, method: str) -> None:
        self._logger.warning(
            "%s.%s raised during %s(); the call goes on",
            type(hook).__name__,
            method,
            self._started.operation,
            exc_info=True,
        )


def _masked(error: BaseException | None) -> BaseException | None:
    """``error``, or a copy of it whose body has its secret fields masked."""
    if not isinstance(error, ApiException) or not error.body:
        return error
    masked = redact_body(error.body)
    if masked == error.body:
        return error
    view = copy.copy(error)
    view.body = masked
    view.__traceback__, view.__cause__, view.__context__ = (
        error.__traceback__,
        error.__cause__,
        error.__context__,
    )
    view.__suppress_context__ = error.__suppress_context__
    return view
