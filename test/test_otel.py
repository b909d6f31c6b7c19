"""OpenTelemetry tracing and metrics with the real SDK, its in-memory exporter and reader.

Every shape is checked twice: alone, and with opentelemetry-instrumentation-urllib3
instrumenting urllib3 into the same providers, whose spans must not double the SDK's.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import urllib3
from conftest import ApiFactory
from opentelemetry import baggage, context, trace
from opentelemetry.context import _SUPPRESS_HTTP_INSTRUMENTATION_KEY
from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import SpanKind, StatusCode
from servers import Reply, ScriptedServer, closed_port_url

from katanemo_identity import (
    ApiConnectionError,
    ApiTimeoutError,
    ClientKeyRequest,
    NotFoundException,
    ServiceException,
    UserRequest,
)
from katanemo_identity.hooks import CallEnded, CallStarted, Hook, RequestEnded, RequestSending
from katanemo_identity.otel import REQUEST_DURATION_BUCKETS, Tracing
from katanemo_identity.testing import IdentityServer

EMAIL = "ann@example.com"
ACCESS_TOKEN = "access-token-s3cr3t"
USER_PATH = "/org/{accountId}/user/{userId}"
KEY_PATH = "/org/{accountId}/key/{keyId}"
KEYS_PATH = "/org/{accountId}/keys"
KEY = {"clientKeyId": "key-1", "clientName": "ci", "accountId": "acme"}


class Telemetry:
    """A tracer provider and a meter provider whose output is kept in memory."""

    def __init__(self, **provider_settings: object) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider(**provider_settings)  # type: ignore[arg-type]
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meters = MeterProvider(metric_readers=[self.reader])

    def tracing(self, **settings: bool) -> Tracing:
        return Tracing(self.provider, meter_provider=self.meters, **settings)

    def finished(self) -> tuple[ReadableSpan, ...]:
        return self.exporter.get_finished_spans()

    def operations(self) -> list[ReadableSpan]:
        return [span for span in self.finished() if span.name.startswith("IdentityApi.")]

    def operation(self) -> ReadableSpan:
        (span,) = self.operations()
        return span

    def requests(self) -> list[ReadableSpan]:
        """The CLIENT spans, in the order they were sent."""
        sent = [span for span in self.finished() if span.kind is SpanKind.CLIENT]
        return sorted(sent, key=lambda span: span.start_time or 0)

    def durations(self) -> list[HistogramDataPoint]:
        data = self.reader.get_metrics_data()
        points: list[HistogramDataPoint] = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                if scope.scope.name != "katanemo_identity":
                    continue
                for metric in scope.metrics:
                    assert metric.name == "http.client.request.duration"
                    assert metric.unit == "s"
                    points += metric.data.data_points  # type: ignore[arg-type]
        return points

    def shutdown(self) -> None:
        self.provider.shutdown()
        self.meters.shutdown()


@pytest.fixture(params=["alone", "urllib3 instrumented"])
def telemetry(request: pytest.FixtureRequest) -> Iterator[Telemetry]:
    """In-memory providers; in the second run urllib3 is instrumented into them too."""
    kept = Telemetry()
    instrumentor = URLLib3Instrumentor()
    if request.param == "urllib3 instrumented":
        instrumentor.instrument(tracer_provider=kept.provider, meter_provider=kept.meters)
    try:
        yield kept
    finally:
        if request.param == "urllib3 instrumented":
            instrumentor.uninstrument()
        kept.shutdown()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def assert_child_of(span: ReadableSpan, parent: ReadableSpan) -> None:
    assert span.parent is not None
    assert parent.context is not None
    assert span.parent.span_id == parent.context.span_id
    assert span.context is not None
    assert span.context.trace_id == parent.context.trace_id


def traceparent_of(span: ReadableSpan) -> str:
    assert span.context is not None
    flags = span.context.trace_flags
    return f"00-{span.context.trace_id:032x}-{span.context.span_id:016x}-{flags:02x}"


def invite(server: IdentityServer, make_api: ApiFactory) -> None:
    make_api(server.url, access_token=ACCESS_TOKEN).create_user_for_account(
        "acme", UserRequest(account_id="acme", user_id=EMAIL)
    )


# The shape of a trace, and its metric.


def test_a_plain_call_is_an_internal_span_over_one_client_span(
    identity_server: IdentityServer, make_api: ApiFactory, telemetry: Telemetry
) -> None:
    invite(identity_server, make_api)
    telemetry.exporter.clear()  # the urllib3 instrumentation's span of the untraced invite
    api = make_api(identity_server.url, hooks=[telemetry.tracing()])

    api.get_user("acme", EMAIL)

    operation = telemetry.operation()
    assert operation.name == "IdentityApi.get_user"
    assert operation.status.status_code is StatusCode.UNSET
    assert dict(operation.attributes or {}) == {}
    (sent,) = telemetry.requests()
    assert len(telemetry.finished()) == 2  # no urllib3 span beside it
    assert_child_of(sent, operation)
    assert sent.name == f"GET {USER_PATH}"
    assert sent.status.status_code is StatusCode.UNSET
    port = port_of(identity_server.url)
    assert dict(sent.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port,
        "url.full": f"{identity_server.url}/org/REDACTED/user/REDACTED",
        "url.template": USER_PATH,
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    assert identity_server.requests[-1].headers["traceparent"] == traceparent_of(sent)
    (point,) = telemetry.durations()
    assert dict(point.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port,
        "url.template": USER_PATH,
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    assert point.count == 1
    assert tuple(point.explicit_bounds) == REQUEST_DURATION_BUCKETS
    assert point.sum > 0


def test_a_retried_call_has_a_client_span_per_request_with_its_resend_count(
    identity_server: IdentityServer, make_api: ApiFactory, telemetry: Telemetry
) -> None:
    invite(identity_server, make_api)
    telemetry.exporter.clear()
    identity_server.inject(status=503, times=2, match="GET /org/acme/user/")
    api = make_api(identity_server.url, hooks=[telemetry.tracing()])

    api.get_user("acme", EMAIL)

    operation = telemetry.operation()
    assert operation.status.status_code is StatusCode.UNSET
    sent = telemetry.requests()
    assert len(telemetry.finished()) == 4
    for span in sent:
        assert_child_of(span, operation)
        assert span.name == f"GET {USER_PATH}"
    attributes = [dict(span.attributes or {}) for span in sent]
    assert [a["http.response.status_code"] for a in attributes] == [503, 503, 200]
    assert [a.get("http.request.resend_count") for a in attributes] == [None, 1, 2]
    assert [a.get("error.type") for a in attributes] == ["503", "503", None]
    assert [span.status.status_code for span in sent] == [
        StatusCode.ERROR,
        StatusCode.ERROR,
        StatusCode.UNSET,
    ]
    assert [span.status.description for span in sent] == [None, None, None]
    received = [request.headers["traceparent"] for request in identity_server.requests[-3:]]
    assert received == [traceparent_of(span) for span in sent]
    counts = {
        (point.attributes or {})["http.response.status_code"]: point.count
        for point in telemetry.durations()
    }
    assert counts == {503: 2, 200: 1}
    (failed,) = [p for p in telemetry.durations() if (p.attributes or {}).get("error.type")]
    assert (failed.attributes or {})["error.type"] == "503"


def test_a_redirect_followed_is_a_client_span_of_its_own(
    make_api: ApiFactory, telemetry: Telemetry
) -> None:
    moved = Reply(302, [("Location", "/org/acme/key/key-2")])
    with ScriptedServer(moved, Reply.json(200, KEY)) as server:
        make_api(server.url, hooks=[telemetry.tracing()]).get_client_key("acme", "key-1")

    operation = telemetry.operation()
    first, second = telemetry.requests()
    assert len(telemetry.finished()) == 3
    assert_child_of(first, operation)
    assert_child_of(second, operation)
    assert first.name == f"GET {KEY_PATH}"
    assert first.status.status_code is StatusCode.UNSET  # a 3xx is no error
    assert (first.attributes or {})["http.response.status_code"] == 302
    assert "http.request.resend_count" not in (first.attributes or {})
    # The redirect's path has no known template: the name is the method alone.
    assert second.name == "GET"
    assert dict(second.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port_of(server.url),
        "url.full": f"{server.url}/org/REDACTED/key/key-2",
        "http.request.resend_count": 1,
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
    }
    assert [request.headers["traceparent"] for request in server.requests] == [
        traceparent_of(first),
        traceparent_of(second),
    ]
    templates = sorted(
        str((point.attributes or {}).get("url.template")) for point in telemetry.durations()
    )
    assert templates == [KEY_PATH, "None"]


def test_an_error_status_is_an_error_on_both_spans(
    identity_server: IdentityServer, make_api: ApiFactory, telemetry: Telemetry
) -> None:
    api = make_api(identity_server.url, hooks=[telemetry.tracing()])

    with pytest.raises(NotFoundException):
        api.get_client_key("acme", "no-such-key")

    operation = telemetry.operation()
    assert operation.status.status_code is StatusCode.ERROR
    assert dict(operation.attributes or {}) == {
        "error.type": "404",
        "katanemo_identity.outcome_unknown": False,
    }
    (sent,) = telemetry.requests()
    assert sent.status.status_code is StatusCode.ERROR
    assert sent.status.description is None
    assert (sent.attributes or {})["error.type"] == "404"
    (point,) = telemetry.durations()
    assert (point.attributes or {})["error.type"] == "404"
    assert (point.attributes or {})["http.response.status_code"] == 404


def test_a_create_that_may_have_happened_says_so(
    identity_server: IdentityServer, make_api: ApiFactory, telemetry: Telemetry
) -> None:
    identity_server.inject(status=503, match="POST /org/acme/keys")
    api = make_api(identity_server.url, hooks=[telemetry.tracing()])

    with pytest.raises(ServiceException):
        api.create_client_key("acme", ClientKeyRequest(client_name="ci", default_role_id="r"))

    assert (telemetry.operation().attributes or {})["katanemo_identity.outcome_unknown"] is True
    (sent,) = telemetry.requests()
    assert sent.name == f"POST {KEYS_PATH}"


def test_a_request_without_a_response_is_an_error_named_by_its_exception(
    make_api: ApiFactory, telemetry: Telemetry
) -> None:
    url = closed_port_url()
    api = make_api(url, hooks=[telemetry.tracing()], retries=1)

    with pytest.raises(ApiConnectionError):
        api.get_client_key_list("acme")

    error_type = "katanemo_identity.exceptions.ApiConnectionError"
    operation = telemetry.operation()
    assert (operation.attributes or {})["error.type"] == error_type
    sent = telemetry.requests()
    assert len(sent) == 2
    assert len(telemetry.finished()) == 3
    for span in sent:
        assert_child_of(span, operation)
        attributes = span.attributes or {}
        assert attributes["error.type"] == error_type
        assert "http.response.status_code" not in attributes
        assert "network.protocol.version" not in attributes
        assert span.status.status_code is StatusCode.ERROR
    assert [(span.attributes or {}).get("http.request.resend_count") for span in sent] == [None, 1]
    (point,) = telemetry.durations()
    assert point.count == 2
    assert dict(point.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port_of(url),
        "url.template": KEYS_PATH,
        "error.type": error_type,
    }


def test_a_timed_out_call_ends_its_spans_with_the_timeout(
    make_api: ApiFactory, telemetry: Telemetry
) -> None:
    with ScriptedServer(Reply.json(200, [], delay=2.0)) as server:
        api = make_api(server.url, hooks=[telemetry.tracing()], retries=0)
        with pytest.raises(ApiTimeoutError):
            api.get_client_key_list("acme", _request_timeout=0.2)

    error_type = "katanemo_identity.exceptions.ApiTimeoutError"
    operation = telemetry.operation()
    assert dict(operation.attributes or {}) == {
        "error.type": error_type,
        "katanemo_identity.outcome_unknown": True,
    }
    (sent,) = telemetry.requests()
    assert_child_of(sent, operation)
    assert (sent.attributes or {})["error.type"] == error_type
    assert sent.status.status_code is StatusCode.ERROR
    (point,) = telemetry.durations()
    assert (point.attributes or {})["error.type"] == error_type
    assert point.count == 1


# What is recorded, and what is not.


def test_no_token_secret_or_path_value_is_recorded(
    identity_server: IdentityServer, make_api: ApiFactory, telemetry: Telemetry
) -> None:
    api = make_api(identity_server.url, access_token=ACCESS_TOKEN, hooks=[telemetry.tracing()])
    user = api.create_user_for_account("acme", UserRequest(account_id="acme", user_id=EMAIL))
    key = api.create_client_key("acme", ClientKeyRequest(client_name="ci", default_role_id="r"))
    api.get_user("acme", EMAIL)
    api.update_user(EMAIL, "acme", UserRequest(account_id="acme", tags={"t": ["x"]}))
    api.get_client_key("acme", key.client_id or "")

    recorded = repr(
        [
            (span.name, dict(span.attributes or {}), [e.attributes for e in span.events])
            for span in telemetry.finished()
        ]
    ) + repr([dict(point.attributes or {}) for point in telemetry.durations()])
    assert len(telemetry.finished()) == 10  # an operation span and a request span per call
    for value in (
        EMAIL,
        "ann%40example.com",
        "acme",
        ACCESS_TOKEN,
        user.token,
        key.client_secret,
        key.client_id,
    ):
        assert value
        assert value not in recorded
    assert USER_PATH in recorded


def test_record_url_opts_in_to_the_full_url(
    identity_server: IdentityServer, make_api: ApiFactory, telemetry: Telemetry
) -> None:
    api = make_api(identity_server.url, hooks=[telemetry.tracing(record_url=True)])

    with pytest.raises(NotFoundException):
        api.get_user("acme", EMAIL)

    (sent,) = telemetry.requests()
    assert (sent.attributes or {})["url.full"] == (
        f"{identity_server.url}/org/acme/user/ann%40example.com"
    )
    assert "url.full" not in (telemetry.durations()[0].attributes or {})


def test_a_redirect_elsewhere_gets_the_trace_context_and_no_baggage(
    make_api: ApiFactory, telemetry: Telemetry
) -> None:
    with ScriptedServer(Reply.json(200, KEY)) as elsewhere:
        moved = Reply(302, [("Location", elsewhere.url + "/v2/key-1?sig=abc&x=1")])
        with ScriptedServer(moved) as server:
            api = make_api(server.url, hooks=[telemetry.tracing()])
            token = context.attach(baggage.set_baggage("tenant", "t3nant"))
            try:
                api.get_client_key("acme", "key-1")
            finally:
                context.detach(token)

    first, second = telemetry.requests()
    assert server.requests[0].headers["baggage"] == "tenant=t3nant"
    assert server.requests[0].headers["traceparent"] == traceparent_of(first)
    assert elsewhere.requests[0].headers["traceparent"] == traceparent_of(second)
    assert "baggage" not in elsewhere.requests[0].headers
    assert (second.attributes or {})["url.full"] == (
        f"{elsewhere.url}/v2/REDACTED?sig=REDACTED&x=REDACTED"
    )
    assert (second.attributes or {})["server.port"] == port_of(elsewhere.url)


def test_a_hooks_own_http_requests_are_still_traced_by_the_urllib3_instrumentation(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    kept = Telemetry()
    instrumentor = URLLib3Instrumentor()
    instrumentor.instrument(tracer_provider=kept.provider)
    pool = urllib3.PoolManager()

    class Notifies(Hook):
        # Listed before Tracing, so its request_ended comes after Tracing's:
        # outside the send, where the urllib3 instrumentation is on.
        def request_ended(self, event: RequestEnded) -> None:
            pool.request("GET", identity_server.url + "/org/acme/keys")

        def call_ended(self, event: CallEnded) -> None:
            pool.request("GET", identity_server.url + "/org/acme/keys")

    try:
        api = make_api(identity_server.url, hooks=[Notifies(), kept.tracing()])
        api.get_client_key_list("acme")
    finally:
        instrumentor.uninstrument()
        pool.clear()

    operation = kept.operation()
    ours = [span for span in kept.requests() if span.name == f"GET {KEYS_PATH}"]
    theirs = [span for span in kept.requests() if span.name == "GET"]
    assert len(ours) == 1
    assert len(theirs) == 2  # the urllib3 instrumentation's, one per request the hook made
    assert_child_of(theirs[0], operation)  # made inside the call (request_ended)
    assert theirs[1].parent is None  # made after Tracing ended the call (call_ended)
    kept.shutdown()


# Context, sampling, several tracers.


def test_the_span_is_a_child_of_the_callers_and_the_callers_is_current_after(
    identity_server: IdentityServer, make_api: ApiFactory, telemetry: Telemetry
) -> None:
    api = make_api(identity_server.url, hooks=[telemetry.tracing()])
    tracer = telemetry.provider.get_tracer("test")

    with tracer.start_as_current_span("handler") as handler:
        api.get_client_key_list("acme")
        with pytest.raises(NotFoundException):
            api.get_client_key("acme", "missing")
        assert trace.get_current_span() is handler

    assert trace.get_current_span() is trace.INVALID_SPAN
    operations = telemetry.operations()
    assert len(operations) == 2
    for span in operations:
        assert span.parent is not None
        assert span.parent.span_id == handler.get_span_context().span_id


def test_a_sampled_out_call_records_no_span_and_works(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    unsampled = Telemetry(sampler=ALWAYS_OFF)
    api = make_api(identity_server.url, hooks=[unsampled.tracing()])

    assert api.get_client_key_list("acme") == []

    assert unsampled.finished() == ()
    assert trace.get_current_span() is trace.INVALID_SPAN
    assert identity_server.requests[-1].headers["traceparent"][-2:] in ("00", "02")
    assert len(unsampled.durations()) == 1  # the metric does not depend on sampling
    unsampled.shutdown()


def test_two_tracers_each_get_their_own_spans(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    one, other = Telemetry(), Telemetry()
    identity_server.inject(status=503, match="GET /org/acme/keys")
    api = make_api(identity_server.url, hooks=[one.tracing(), other.tracing()])

    api.get_client_key_list("acme")

    for kept in (one, other):
        operation = kept.operation()
        assert len(kept.requests()) == 2
        for span in kept.requests():
            assert_child_of(span, operation)
    assert one.operation().context.span_id == other.operation().parent.span_id  # type: ignore[union-attr]
    one.shutdown()
    other.shutdown()


# Hooks that cannot break the trace.


class Interrupts(Hook):
    """Raises KeyboardInterrupt from one of its methods."""

    def __init__(self, method: str) -> None:
        self.method = method

    def _maybe(self, method: str) -> None:
        if method == self.method:
            raise KeyboardInterrupt

    def call_started(self, event: CallStarted) -> None:
        self._maybe("call_started")

    def request_sending(self, event: RequestSending) -> None:
        self._maybe("request_sending")

    def request_ended(self, event: RequestEnded) -> None:
        self._maybe("request_ended")

    def call_ended(self, event: CallEnded) -> None:
        self._maybe("call_ended")


@pytest.mark.parametrize("first", [True, False], ids=["listed first", "listed after tracing"])
@pytest.mark.parametrize(
    "method", ["call_started", "request_sending", "request_ended", "call_ended"]
)
def test_a_hook_raising_keyboard_interrupt_leaves_no_span_open_or_current(
    identity_server: IdentityServer, make_api: ApiFactory, method: str, first: bool
) -> None:
    kept = Telemetry()
    tracing = kept.tracing()
    hooks = [Interrupts(method), tracing] if first else [tracing, Interrupts(method)]
    api = make_api(identity_server.url, hooks=hooks)

    with pytest.raises(KeyboardInterrupt):
        api.get_client_key_list("acme")

    assert trace.get_current_span() is trace.INVALID_SPAN
    assert context.get_value(_SUPPRESS_HTTP_INSTRUMENTATION_KEY) is None
    finished = kept.finished()
    assert all(span.end_time is not None for span in finished)
    if method == "call_started" and first:
        assert finished == ()  # stopped before Tracing was told: nothing opened
    elif method == "call_ended":
        assert kept.operation().status.status_code is StatusCode.UNSET  # the call itself succeeded
    else:
        operation = kept.operation()
        assert operation.status.status_code is StatusCode.ERROR
        assert (operation.attributes or {})["error.type"] == "builtins.KeyboardInterrupt"
    # The next, unrelated call starts a trace of its own.
    make_api(identity_server.url, hooks=[tracing]).get_client_key_list("acme")
    latest = [span for span in kept.finished() if span not in finished]
    assert {span.kind for span in latest} == {SpanKind.INTERNAL, SpanKind.CLIENT}
    (root,) = [span for span in latest if span.kind is SpanKind.INTERNAL]
    assert root.parent is None
    kept.shutdown()


def test_a_hook_that_raises_an_exception_beside_tracing_leaves_the_trace_whole(
    identity_server: IdentityServer, make_api: ApiFactory, telemetry: Telemetry
) -> None:
    class Broken(Hook):
        def request_sending(self, event: RequestSending) -> None:
            raise RuntimeError("broken")

        def call_ended(self, event: CallEnded) -> None:
            raise RuntimeError("broken")

    api = make_api(identity_server.url, hooks=[telemetry.tracing(), Broken()])

    api.get_client_key_list("acme")

    assert telemetry.operation().end_time is not None
    assert len(telemetry.requests()) == 1
    assert trace.get_current_span() is trace.INVALID_SPAN


# Imports.


def test_a_call_without_tracing_never_imports_opentelemetry(
    identity_server: IdentityServer,
) -> None:
    program = (
        "import sys, katanemo_identity as k; "
        f"api = k.IdentityApi(k.ApiClient(k.Configuration(host={identity_server.url!r}))); "
        "api.get_client_key_list('acme'); "
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout

    assert output.strip() == "[]"


def test_without_opentelemetry_the_import_error_names_the_extra() -> None:
    program = (
        "import sys; sys.modules['opentelemetry'] = None\n"
        "try:\n"
        "    import katanemo_identity.otel\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout

    assert "pip install 'katanemo-identity[otel]'" in output
