"""OpenTelemetry tracing with the real SDK and its in-memory exporter."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from conftest import ApiFactory
from opentelemetry import trace
from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import SpanKind, StatusCode

from katanemo_identity import (
    ApiConnectionError,
    ClientKeyRequest,
    NotFoundException,
    ServiceException,
    UserRequest,
)
from katanemo_identity.hooks import CallEnded, Hook
from katanemo_identity.otel import Tracing, urllib3_url_filter
from katanemo_identity.testing import IdentityServer

EMAIL = "ann@example.com"
ACCESS_TOKEN = "access-token-s3cr3t"


class Spans:
    """A tracer provider whose spans are kept in memory."""

    def __init__(self, **provider_settings: object) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider(**provider_settings)  # type: ignore[arg-type]
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    def finished(self) -> tuple[ReadableSpan, ...]:
        return self.exporter.get_finished_spans()

    def ours(self) -> list[ReadableSpan]:
        return [span for span in self.finished() if span.name.startswith("IdentityApi.")]

    def only(self) -> ReadableSpan:
        (span,) = self.ours()
        return span


@pytest.fixture
def spans() -> Iterator[Spans]:
    """An in-memory tracer provider, shut down after the test."""
    kept = Spans()
    yield kept
    kept.provider.shutdown()


@pytest.fixture
def instrumented_urllib3(spans: Spans) -> Iterator[None]:
    """urllib3 instrumented into the same provider, its URLs filtered to templates."""
    instrumentor = URLLib3Instrumentor()
    instrumentor.instrument(tracer_provider=spans.provider, url_filter=urllib3_url_filter)
    yield
    instrumentor.uninstrument()


def invite(server: IdentityServer, make_api: ApiFactory) -> None:
    make_api(server.url, access_token=ACCESS_TOKEN).create_user_for_account(
        "acme", UserRequest(account_id="acme", user_id=EMAIL)
    )


def test_a_call_retried_twice_is_one_span_with_an_event_per_attempt(
    identity_server: IdentityServer, make_api: ApiFactory, spans: Spans
) -> None:
    invite(identity_server, make_api)
    identity_server.inject(status=503, times=2, match="GET /org/acme/user/")
    api = make_api(identity_server.url, hooks=[Tracing(spans.provider)])

    api.get_user("acme", EMAIL)

    span = spans.only()
    assert span.name == "IdentityApi.get_user"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    port = int(identity_server.url.rsplit(":", 1)[1])
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port,
        "url.scheme": "http",
        "url.template": "/org/{accountId}/user/{userId}",
        "http.response.status_code": 200,
        "http.request.resend_count": 2,
    }
    assert [event.name for event in span.events] == ["attempt"] * 3
    attempts = [dict(event.attributes or {}) for event in span.events]
    assert [a["katanemo_identity.attempt"] for a in attempts] == [1, 2, 3]
    assert [a["http.response.status_code"] for a in attempts] == [503, 503, 200]
    assert [a.get("error.type") for a in attempts] == ["503", "503", None]
    assert ["katanemo_identity.retry.wait" in a for a in attempts] == [True, True, False]
    assert all(float(a["katanemo_identity.attempt.duration"]) >= 0 for a in attempts)  # type: ignore[arg-type]
    assert span.start_time is not None
    assert span.end_time is not None
    assert all(span.start_time <= event.timestamp <= span.end_time for event in span.events)


def test_an_error_status_sets_error_type_and_the_span_status(
    identity_server: IdentityServer, make_api: ApiFactory, spans: Spans
) -> None:
    api = make_api(identity_server.url, hooks=[Tracing(spans.provider)])

    with pytest.raises(NotFoundException):
        api.get_client_key("acme", "no-such-key")

    span = spans.only()
    assert span.status.status_code is StatusCode.ERROR
    attributes = span.attributes or {}
    assert attributes["error.type"] == "404"
    assert attributes["http.response.status_code"] == 404
    assert attributes["katanemo_identity.outcome_unknown"] is False


def test_a_create_that_may_have_happened_says_so(
    identity_server: IdentityServer, make_api: ApiFactory, spans: Spans
) -> None:
    identity_server.inject(status=503, match="POST /org/acme/keys")
    api = make_api(identity_server.url, hooks=[Tracing(spans.provider)])

    with pytest.raises(ServiceException):
        api.create_client_key("acme", ClientKeyRequest(client_name="ci", default_role_id="r"))

    attributes = spans.only().attributes or {}
    assert attributes["katanemo_identity.outcome_unknown"] is True
    assert attributes["http.request.resend_count"] == 0


def test_no_response_sets_the_exception_class_as_error_type(
    make_api: ApiFactory, spans: Spans
) -> None:
    with IdentityServer() as server:
        url = server.url
    api = make_api(url, hooks=[Tracing(spans.provider)], retries=1)

    with pytest.raises(ApiConnectionError):
        api.get_client_key_list("acme")

    span = spans.only()
    attributes = span.attributes or {}
    assert attributes["error.type"] == "katanemo_identity.exceptions.ApiConnectionError"
    assert "http.response.status_code" not in attributes
    assert [event.attributes["error.type"] for event in span.events] == [  # type: ignore[index]
        "katanemo_identity.exceptions.ApiConnectionError"
    ] * 2


def test_no_token_secret_or_path_value_is_recorded(
    identity_server: IdentityServer,
    make_api: ApiFactory,
    spans: Spans,
    instrumented_urllib3: None,
) -> None:
    api = make_api(identity_server.url, access_token=ACCESS_TOKEN, hooks=[Tracing(spans.provider)])
    user = api.create_user_for_account("acme", UserRequest(account_id="acme", user_id=EMAIL))
    key = api.create_client_key("acme", ClientKeyRequest(client_name="ci", default_role_id="r"))
    api.get_user("acme", EMAIL)
    api.update_user(EMAIL, "acme", UserRequest(account_id="acme", tags={"t": ["x"]}))
    api.get_client_key("acme", key.client_id or "")

    recorded = repr(
        [
            (span.name, dict(span.attributes or {}), [e.attributes for e in span.events])
            for span in spans.finished()
        ]
    )
    assert len(spans.ours()) == 5
    assert len(spans.finished()) == 10  # and one urllib3 span under each
    for value in (
        EMAIL,
        "ann%40example.com",
        ACCESS_TOKEN,
        user.token,
        key.client_secret,
        key.client_id,
    ):
        assert value
        assert value not in recorded
    assert "/org/{accountId}/user/{userId}" in recorded


def test_record_url_opts_in_to_the_full_url(
    identity_server: IdentityServer, make_api: ApiFactory, spans: Spans
) -> None:
    api = make_api(identity_server.url, hooks=[Tracing(spans.provider, record_url=True)])

    with pytest.raises(NotFoundException):
        api.get_user("acme", EMAIL)

    attributes = spans.only().attributes or {}
    assert attributes["url.full"] == f"{identity_server.url}/org/acme/user/ann%40example.com"


def test_urllib3_spans_nest_under_the_operation_span(
    identity_server: IdentityServer,
    make_api: ApiFactory,
    spans: Spans,
    instrumented_urllib3: None,
) -> None:
    identity_server.inject(status=503, times=2, match="GET /org/acme/keys")
    api = make_api(identity_server.url, hooks=[Tracing(spans.provider)])

    api.get_client_key_list("acme")

    operation = spans.only()
    sends = [span for span in spans.finished() if span is not operation]
    assert len(sends) == 3  # one per attempt
    assert operation.context is not None
    for send in sends:
        assert send.parent is not None
        assert send.parent.span_id == operation.context.span_id
        assert send.context is not None
        assert send.context.trace_id == operation.context.trace_id
    statuses = [
        (send.attributes or {}).get(
            "http.status_code", (send.attributes or {}).get("http.response.status_code")
        )
        for send in sends
    ]
    assert statuses == [503, 503, 200]
    urls = [
        (send.attributes or {}).get("http.url", (send.attributes or {}).get("url.full"))
        for send in sends
    ]
    assert urls == [f"{identity_server.url}/org/{{accountId}}/keys"] * 3


def test_the_span_is_a_child_of_the_callers_and_the_callers_is_current_after(
    identity_server: IdentityServer, make_api: ApiFactory, spans: Spans
) -> None:
    api = make_api(identity_server.url, hooks=[Tracing(spans.provider)])
    tracer = spans.provider.get_tracer("test")

    with tracer.start_as_current_span("handler") as handler:
        api.get_client_key_list("acme")
        with pytest.raises(NotFoundException):
            api.get_client_key("acme", "missing")
        assert trace.get_current_span() is handler

    assert trace.get_current_span() is trace.INVALID_SPAN
    for span in spans.ours():
        assert span.parent is not None
        assert span.parent.span_id == handler.get_span_context().span_id


def test_a_sampled_out_call_records_nothing_and_works(
    identity_server: IdentityServer, make_api: ApiFactory
) -> None:
    unsampled = Spans(sampler=ALWAYS_OFF)
    api = make_api(identity_server.url, hooks=[Tracing(unsampled.provider)])

    assert api.get_client_key_list("acme") == []

    assert unsampled.finished() == ()
    assert trace.get_current_span() is trace.INVALID_SPAN
    unsampled.provider.shutdown()


def test_two_tracers_each_get_their_own_span_and_events(
    identity_server: IdentityServer, make_api: ApiFactory, spans: Spans
) -> None:
    other = Spans()
    identity_server.inject(status=503, match="GET /org/acme/keys")
    api = make_api(identity_server.url, hooks=[Tracing(spans.provider), Tracing(other.provider)])

    api.get_client_key_list("acme")

    for kept in (spans, other):
        span = kept.only()
        assert len(span.events) == 2
        assert (span.attributes or {})["http.request.resend_count"] == 1
    assert spans.only().context.span_id == other.only().parent.span_id  # type: ignore[union-attr]
    other.provider.shutdown()


def test_a_broken_hook_beside_tracing_leaves_the_trace_whole(
    identity_server: IdentityServer, make_api: ApiFactory, spans: Spans
) -> None:
    class Broken(Hook):
        def call_ended(self, event: CallEnded) -> None:
            raise RuntimeError("broken")

    api = make_api(identity_server.url, hooks=[Tracing(spans.provider), Broken()])

    api.get_client_key_list("acme")

    assert spans.only().end_time is not None
    assert trace.get_current_span() is trace.INVALID_SPAN


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
