"""OpenTelemetry tracing and metrics, by the HTTP client semantic conventions.

::

    pip install 'katanemo-identity[otel]'

    from katanemo_identity.otel import Tracing

    configuration = katanemo_identity.Configuration(hooks=[Tracing()])

``Tracing`` is a ``Hook`` (``katanemo_identity.hooks``). Each call makes::

    IdentityApi.get_user                       INTERNAL, current while the call runs
    ├── GET /org/{accountId}/user/{userId}     CLIENT, one per HTTP request sent
    └── GET /org/{accountId}/user/{userId}     CLIENT, a retry: http.request.resend_count=1

The operation's span ends with the call's outcome (``error.type``,
``katanemo_identity.outcome_unknown``). Each request's span starts before
the request is sent, puts ``traceparent`` on it (through the global
propagator), and ends when the response headers are in or the request
failed; the ``opentelemetry-instrumentation-urllib3`` spans that would
duplicate it are suppressed for that send alone. Each request also records
``http.client.request.duration``. No header, body, token or secret is
recorded, and no path value (ids, emails) unless ``record_url=True``.

This module needs only ``opentelemetry-api``, and is imported only by code
that turns tracing on. See ``docs/observability.md``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from contextvars import Token
from typing import cast
from urllib.parse import parse_qsl, quote, unquote, urlsplit

try:
    from opentelemetry import context, metrics, propagate, trace
    from opentelemetry.context import _SUPPRESS_HTTP_INSTRUMENTATION_KEY, Context
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, SpanKind, StatusCode, TracerProvider
    from opentelemetry.util.types import AttributeValue
except ImportError as missing:
    raise ImportError(
        "katanemo_identity.otel needs opentelemetry-api: pip install 'katanemo-identity[otel]'",
        name=missing.name,
    ) from missing

from katanemo_identity._observation import origin
from katanemo_identity._version import __version__
from katanemo_identity.hooks import CallEnded, CallStarted, Hook, RequestEnded, RequestSending

__all__ = ["Tracing"]

#: The histogram each request is recorded in, by the HTTP metrics conventions.
REQUEST_DURATION = "http.client.request.duration"

#: Its bucket boundaries in seconds: the conventions' advice.
REQUEST_DURATION_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)

#: The attribute of this SDK's own on a failed operation's span.
OUTCOME_UNKNOWN = "katanemo_identity.outcome_unknown"

#: What a path value or query value is replaced by in ``url.full``.
REDACTED = "REDACTED"


@dataclasses.dataclass(slots=True)
class _OpenCall:
    """The spans of one traced call, and of its request being sent, if one is."""

    span: Span
    call: CallStarted
    token: Token[Context] = dataclasses.field(init=False)
    request: Span = dataclasses.field(init=False)
    request_token: Token[Context] = dataclasses.field(init=False)
    #: The request's attributes that go on its duration too (all but ``url.full``).
    attributes: dict[str, AttributeValue] = dataclasses.field(init=False)


class Tracing(Hook):
    """Traces every call of the clients whose ``Configuration.hooks`` list it, and measures it.

    Spans go to ``tracer_provider``; ``http.client.request.duration`` to a
    meter of ``meter_provider``, named ``katanemo_identity``. Either left
    None means OpenTelemetry's global provider, which records nothing until
    your application (or the OpenTelemetry distro) sets one.

    Args:
        tracer_provider: Where spans go; the global provider when None.
        meter_provider: Where the request duration goes; the global provider when None.
        record_url: Record ``url.full`` as sent, path values (account, key
            and user ids, which may be emails) included. Off by default:
            they are recorded as ``REDACTED``.
    """

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        *,
        meter_provider: MeterProvider | None = None,
        record_url: bool = False,
    ) -> None:
        scope = ("katanemo_identity", __version__)
        self._tracer = trace.get_tracer(*scope, tracer_provider=tracer_provider)
        meter = metrics.get_meter(*scope, meter_provider=meter_provider)
        self._duration = meter.create_histogram(
            REQUEST_DURATION,
            unit="s",
            description="Duration of HTTP client requests.",
            explicit_bucket_boundaries_advisory=REQUEST_DURATION_BUCKETS,
        )
        self._record_url = record_url
        # The call being traced is kept in the context it runs in, under a
        # key of this Tracing's own: a call a hook makes inside another, a
        # call on another thread, and a second Tracing of the same calls
        # each find their own.
        self._key = context.create_key("katanemo_identity.call")

    def call_started(self, event: CallStarted) -> None:
        """Open the operation's span and make it current for the call."""
        span = self._tracer.start_span("IdentityApi." + event.operation, kind=SpanKind.INTERNAL)
        opened = _OpenCall(span, event)
        current = context.set_value(self._key, opened, trace.set_span_in_context(span))
        opened.token = context.attach(current)

    def request_sending(self, event: RequestSending) -> None:
        """Open the request's span, put its trace context on the request, and suppress urllib3's."""
        opened = cast(_OpenCall, context.get_value(self._key))
        call = opened.call
        # Only the operation's own URL has a known template; a redirect's has not.
        template = call.url_template if event.url == call.url else None
        server = _server(call.host if template is not None else event.url)
        opened.attributes = {"http.request.method": event.method, **server}
        if template is not None:
            opened.attributes["url.template"] = template
        attributes = dict(opened.attributes)
        attributes["url.full"] = event.url if self._record_url else _scrubbed(event.url, call)
        if event.resend_count:
            attributes["http.request.resend_count"] = event.resend_count
        opened.request = self._tracer.start_span(
            f"{event.method} {template}" if template is not None else event.method,
            # A child of this Tracing's operation span, whatever another hook made current.
            context=trace.set_span_in_context(opened.span),
            kind=SpanKind.CLIENT,
            attributes=attributes,
        )
        sending = trace.set_span_in_context(opened.request)
        # The urllib3 instrumentation (every HTTP one) would make a second
        # span of this send: it is off until request_ended, and only for this send.
        suppressed = context.set_value(_SUPPRESS_HTTP_INSTRUMENTATION_KEY, True, sending)
        opened.request_token = context.attach(suppressed)
        propagate.inject(event.extra_headers, context=sending)

    def request_ended(self, event: RequestEnded) -> None:
        """End the request's span with its status or error, and record its duration."""
        opened = cast(_OpenCall, context.get_value(self._key))
        try:
            known: dict[str, AttributeValue | None] = {
                "http.response.status_code": event.status,
                "network.protocol.version": event.protocol_version,
                "error.type": _error_type(event.status, event.error),
            }
            # The conventions leave out what is not known, rather than record None.
            outcome = {name: value for name, value in known.items() if value is not None}
            opened.request.set_attributes(outcome)
            if "error.type" in outcome:
                # A status says it all; an exception's message would name the URL.
                opened.request.set_status(StatusCode.ERROR)
            opened.request.end()
            self._duration.record(event.elapsed, {**opened.attributes, **outcome})
        finally:
            context.detach(opened.request_token)

    def call_ended(self, event: CallEnded) -> None:
        """Set the outcome on the operation's span, end it, and restore the caller's context."""
        opened = cast(_OpenCall, context.get_value(self._key))
        span = opened.span
        try:
            failure = _error_type(event.status, event.error)
            if failure is not None:
                span.set_attributes({"error.type": failure, OUTCOME_UNKNOWN: event.outcome_unknown})
                span.set_status(StatusCode.ERROR, failure)
            span.end()
        finally:
            context.detach(opened.token)


@functools.lru_cache(maxsize=64)
def _server(url: str) -> dict[str, AttributeValue]:
    # A client talks to few origins: the host of each is parsed once.
    _, host, port = origin(url)
    return {"server.address": host or "", "server.port": port}


@functools.lru_cache(maxsize=64)
def _redacted_template(template: str) -> str:
    return re.sub(r"\{[^}/]*\}", REDACTED, template)


def _scrubbed(url: str, call: CallStarted) -> str:
    """``url`` with the call's path values, and any query value, replaced by ``REDACTED``."""
    if url == call.url:
        return call.host + _redacted_template(call.url_template)
    # A redirect's target: its path segments that are one of the call's
    # values are replaced, and every query value.
    filled = call.url[len(call.host) :].split("/")
    patterns = call.url_template.split("/")
    values = {
        unquote(value)
        for value, pattern in zip(filled, patterns, strict=False)
        if pattern.startswith("{") and value
    }
    parts = urlsplit(url)
    path = "/".join(
        REDACTED if unquote(segment) in values else segment for segment in parts.path.split("/")
    )
    names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
    query = "&".join(f"{quote(name, safe='')}={REDACTED}" for name in names)
    return parts._replace(path=path, query=query, fragment="").geturl()


def _error_type(status: int | None, error: BaseException | None) -> str | None:
    # As OpenTelemetry's HTTP conventions say: the status code for an error
    # status, else the exception's fully qualified class name.
    if status is not None and status >= 400:
        return str(status)
    kind = type(error)
    return None if error is None else f"{kind.__module__}.{kind.__qualname__}"
