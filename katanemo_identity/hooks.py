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

Hooks are listed in ``Configuration.hooks`` and called in that order, but
for ``request_ended`` and ``call_ended``, which close what the starts opened
and so run in reverse (``attempt_ended`` opens nothing: it runs in order). One ``CallObservation`` per call
(``_observation.py``) makes the events: ``ApiClient`` enters it around the
call, and the attempt loop (``retry.exchange``) sends each request through
it and reports each attempt's end where it logs the retry. OpenTelemetry
tracing (``katanemo_identity.otel.Tracing``) is one such hook.

A hook cannot break a call. One that raises an ``Exception`` is logged on
the configuration's logger and the call goes on. One that raises a
``BaseException`` (``KeyboardInterrupt``, ``SystemExit``) stops the call,
but only after every hook that was told a call or request started has been
told it ended, so nothing a hook opened (a span made current) stays open;
the ``BaseException`` is then raised. A client shared between threads calls
the same hooks from each of them.

Every event begins with the same three fields, and its own follow them:
``operation``, the operation's method name (``get_user``); ``method``, the
HTTP method; and ``url_template``, the operation's path template
(``/org/{accountId}/user/{userId}``), never the filled path, so they are
safe as metric labels. Only ``CallStarted.url`` and ``RequestSending.url``
carry the path values (ids, emails). No event holds the request's headers
(only those hooks add), a body or a secret: the error a ``CallEnded``
carries has the secret fields of its body masked.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AttemptEnded", "CallEnded", "CallStarted", "Hook", "RequestEnded", "RequestSending"]


@dataclass(frozen=True, slots=True)
class CallStarted:
    """A call is about to send its first attempt.

    Attributes:
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
