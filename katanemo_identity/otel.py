"""OpenTelemetry tracing: one span per operation, one event per attempt.

::

    pip install 'katanemo-identity[otel]'

    from katanemo_identity.otel import Tracing

    configuration = katanemo_identity.Configuration(hooks=[Tracing()])

``Tracing`` is a ``Hook`` (``katanemo_identity.hooks``): it opens a span named
``IdentityApi.<operation>`` (kind CLIENT) when a call starts and makes it
current while the call sends, so the spans of
``opentelemetry-instrumentation-urllib3`` nest under it; it adds an
``attempt`` event per attempt and ends the span with the outcome. Attributes
follow OpenTelemetry's HTTP client conventions, with ``url.template`` in
place of the filled path: no header, body, token, secret or path value (ids,
emails) is recorded unless ``record_url=True`` asks for ``url.full``.

This module needs only ``opentelemetry-api``, and is imported only by code
that turns tracing on. See ``docs/observability.md``.
"""

from __future__ import annotations

import functools
import threading
from contextvars import Token
from typing import NamedTuple
from urllib.parse import urlsplit

try:
    from opentelemetry import context, trace
    from opentelemetry.context import Context
    from opentelemetry.trace import Span, SpanKind, StatusCode, TracerProvider
    from opentelemetry.util.types import AttributeValue
except ImportError as missing:
    raise ImportError(
        "katanemo_identity.otel needs opentelemetry-api: pip install 'katanemo-identity[otel]'",
        name=missing.name,
    ) from missing

from katanemo_identity._version import __version__
from katanemo_identity.hooks import AttemptEnded, CallEnded, CallStarted, Hook

__all__ = ["Tracing", "urllib3_url_filter"]

#: Name of the event added to the operation's span for each attempt.
ATTEMPT_EVENT = "attempt"

# OpenTelemetry's HTTP client attributes, and this SDK's own.
HTTP_METHOD = "http.request.method"
HTTP_STATUS = "http.response.status_code"
HTTP_RESEND_COUNT = "http.request.resend_count"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
URL_SCHEME = "url.scheme"
URL_TEMPLATE = "url.template"
URL_FULL = "url.full"
ERROR_TYPE = "error.type"
OUTCOME_UNKNOWN = "katanemo_identity.outcome_unknown"
ATTEMPT_NUMBER = "katanemo_identity.attempt"
ATTEMPT_DURATION = "katanemo_identity.attempt.duration"
RETRY_WAIT = "katanemo_identity.retry.wait"


class _OpenCall(NamedTuple):
    owner: Tracing
    span: Span
    token: Token[Context]
    path: str
    template: str


class _OpenCalls(threading.local):
    # Calls of one thread nest strictly (a hook may itself make a call), so
    # a stack per thread finds the span of the call an event belongs to. It
    # is shared by every ``Tracing``, for ``urllib3_url_filter`` to read.
    def __init__(self) -> None:
        self.stack: list[_OpenCall] = []


_open_calls = _OpenCalls()


class Tracing(Hook):
    """Traces every call of the clients whose ``Configuration.hooks`` list it.

    Args:
        tracer_provider: Where spans go; the global provider when None.
        record_url: Also record ``url.full``, the URL with its path values
            (account, key and user ids, which may be emails). Off by default.
    """

    def __init__(
        self, tracer_provider: TracerProvider | None = None, *, record_url: bool = False
    ) -> None:
        self._tracer = trace.get_tracer(
            "katanemo_identity", __version__, tracer_provider=tracer_provider
        )
        self._record_url = record_url

    def call_started(self, event: CallStarted) -> None:
        """Open the operation's span and make it current for the call's attempts."""
        scheme, address, port = _server(event.host)
        attributes: dict[str, AttributeValue] = {
            HTTP_METHOD: event.method,
            SERVER_ADDRESS: address,
            SERVER_PORT: port,
            URL_SCHEME: scheme,
            URL_TEMPLATE: event.url_template,
        }
        if self._record_url:
            attributes[URL_FULL] = event.url
        span = self._tracer.start_span(
            "IdentityApi." + event.operation, kind=SpanKind.CLIENT, attributes=attributes
        )
        token = context.attach(trace.set_span_in_context(span))
        _open_calls.stack.append(
            _OpenCall(self, span, token, event.url[len(event.host) :], event.url_template)
        )

    def attempt_ended(self, event: AttemptEnded) -> None:
        """Add an ``attempt`` event: its number, status or error type, duration and wait."""
        index = self._innermost()
        if index is None:
            return
        span = _open_calls.stack[index].span
        if not span.is_recording():
            return
        attributes: dict[str, AttributeValue] = {
            ATTEMPT_NUMBER: event.attempt,
            ATTEMPT_DURATION: event.elapsed,
        }
        if event.status is not None:
            attributes[HTTP_STATUS] = event.status
        failure = _error_type(event.status, event.error)
        if failure is not None:
            attributes[ERROR_TYPE] = failure
        if event.wait is not None:
            attributes[RETRY_WAIT] = event.wait
        span.add_event(ATTEMPT_EVENT, attributes)

    def call_ended(self, event: CallEnded) -> None:
        """Set the outcome on the operation's span, end it, and restore the caller's context."""
        index = self._innermost()
        if index is None:
            return
        call = _open_calls.stack.pop(index)
        span = call.span
        try:
            if span.is_recording():
                attributes: dict[str, AttributeValue] = {HTTP_RESEND_COUNT: event.retries_taken}
                if event.status is not None:
                    attributes[HTTP_STATUS] = event.status
                failure = _error_type(event.status, event.error)
                if failure is not None:
                    attributes[ERROR_TYPE] = failure
                    attributes[OUTCOME_UNKNOWN] = event.outcome_unknown
                    # The exception's message is left out: it names the URL.
                    span.set_status(StatusCode.ERROR, failure)
                span.set_attributes(attributes)
            span.end()
        finally:
            context.detach(call.token)

    def _innermost(self) -> int | None:
        # The top of the stack, unless a second Tracing (another provider,
        # say) traces the same calls: each finds its own span.
        stack = _open_calls.stack
        for index in range(len(stack) - 1, -1, -1):
            if stack[index].owner is self:
                return index
        return None


def urllib3_url_filter(url: str) -> str:
    """Replace the filled path of this SDK's request in ``url`` with its template.

    Give it to ``URLLib3Instrumentor().instrument(url_filter=urllib3_url_filter)``
    so the urllib3 spans under a traced call record
    ``https://api.katanemo.com/org/{accountId}/user/{userId}`` instead of the
    ids and emails. Any other URL (another library's request, a redirect)
    is returned unchanged.

    Returns:
        The URL to record.
    """
    stack = _open_calls.stack
    if stack:
        call = stack[-1]
        if call.path and url.endswith(call.path):
            return url[: -len(call.path)] + call.template
    return url


@functools.lru_cache(maxsize=64)
def _server(host: str) -> tuple[str, str, int]:
    # The host of a configuration seldom changes: parsed once per value.
    parts = urlsplit(host)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname or "", port


def _error_type(status: int | None, error: BaseException | None) -> str | None:
    # As OpenTelemetry's HTTP conventions say: the status code for an error
    # status, else the exception's fully qualified class name.
    if status is not None and status >= 400:
        return str(status)
    if error is None:
        return None
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"
