"""Tracing: the CPU ``katanemo_identity.otel.Tracing`` adds to a ``get_user``, and its table.

Four setups, rounds interleaved: no hooks; ``Tracing`` with OpenTelemetry's
API alone (no-op providers); ``Tracing`` with its SDK (spans made, then
discarded; the metric recorded); and the common set-up it replaces, an
operation span made by a hook with the urllib3 instrumentation under it.
Skipped, saying so, without OpenTelemetry installed.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from common import (
    ACCOUNT_ID,
    TOKEN,
    USER_AGENT,
    USER_ID,
    Results,
    Sample,
    Settings,
    markdown_row,
    met_text,
)

if TYPE_CHECKING:
    from katanemo_identity.hooks import Hook

#: The tracing setups measured, by label.
TRACING_OFF = "off (no hooks)"
TRACING_API = "Tracing, opentelemetry-api only (no-op providers)"
TRACING_SDK = "Tracing, opentelemetry-sdk: operation + request spans, the duration metric"
TRACING_COMMON = "common set-up: an operation span + the urllib3 instrumentation (spans, metrics)"


@dataclass
class TracingSetup:
    """The hooks of one tracing setup, and what to switch on around its rounds alone."""

    hooks: list[Hook]
    around: Callable[[bool], None] = lambda on: None


def tracing_setups() -> tuple[dict[str, Callable[[], TracingSetup]], str | None]:
    """Return the tracing setups to measure, or why they cannot be (OpenTelemetry missing)."""
    try:
        from opentelemetry import context, trace
        from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor
        from opentelemetry.metrics import NoOpMeterProvider
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            SimpleSpanProcessor,
            SpanExporter,
            SpanExportResult,
        )
        from opentelemetry.trace import NoOpTracerProvider, SpanKind

        from katanemo_identity.hooks import AttemptEnded, CallEnded, CallStarted, Hook
        from katanemo_identity.otel import Tracing
    except ImportError as error:
        return {}, f"skipped: {error.name} is not installed (pip install -e '.[test]')"

    class Discard(SpanExporter):
        """Accepts every span and keeps none: the cost measured is the SDK's, not an export's."""

        def export(self, spans: object) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    def providers() -> tuple[TracerProvider, MeterProvider]:
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(Discard()))
        return tracer_provider, MeterProvider(metric_readers=[InMemoryMetricReader()])

    class OperationSpan(Hook):
        """The span per call a hook made before request spans: CLIENT, HTTP attributes, an
        event per attempt, current while the call sends so the urllib3 spans nest under it."""

        def __init__(self, provider: TracerProvider) -> None:
            self.tracer = trace.get_tracer("bench", tracer_provider=provider)
            self.open: list[tuple[trace.Span, object]] = []

        def call_started(self, event: CallStarted) -> None:
            span = self.tracer.start_span(
                "IdentityApi." + event.operation,
                kind=SpanKind.CLIENT,
                attributes={
                    "http.request.method": event.method,
                    "server.address": "127.0.0.1",
                    "server.port": 80,
                    "url.scheme": "http",
                    "url.template": event.url_template,
                },
            )
            self.open.append((span, context.attach(trace.set_span_in_context(span))))

        def attempt_ended(self, event: AttemptEnded) -> None:
            self.open[-1][0].add_event(
                "attempt", {"katanemo_identity.attempt": event.attempt, "d": event.elapsed}
            )

        def call_ended(self, event: CallEnded) -> None:
            span, token = self.open.pop()
            span.set_attributes(
                {"http.response.status_code": event.status or 0, "http.request.resend_count": 0}
            )
            span.end()
            context.detach(token)  # type: ignore[arg-type]

    def sdk() -> TracingSetup:
        tracer_provider, meter_provider = providers()
        return TracingSetup([Tracing(tracer_provider, meter_provider=meter_provider)])

    def common() -> TracingSetup:
        tracer_provider, meter_provider = providers()
        instrumentor = URLLib3Instrumentor()

        def around(on: bool) -> None:
            # Instrumenting patches urllib3 for the whole process: on for this
            # setup's rounds only, so it costs the other setups nothing.
            if on:
                instrumentor.instrument(
                    tracer_provider=tracer_provider, meter_provider=meter_provider
                )
            else:
                instrumentor.uninstrument()

        return TracingSetup([OperationSpan(tracer_provider)], around)

    return {
        TRACING_OFF: lambda: TracingSetup([]),
        TRACING_API: lambda: TracingSetup(
            [Tracing(NoOpTracerProvider(), meter_provider=NoOpMeterProvider())]
        ),
        TRACING_SDK: sdk,
        TRACING_COMMON: common,
    }, None


def measure_tracing(base_url: str, settings: Settings, results: Results) -> None:
    """Time ``get_user`` with each tracing setup, rounds interleaved."""
    import katanemo_identity

    makers, skipped = tracing_setups()
    if skipped is not None:
        results.skipped["tracing"] = skipped
        return
    setups = {label: make() for label, make in makers.items()}
    apis: dict[str, katanemo_identity.IdentityApi] = {}
    for label, setup in setups.items():
        configuration = katanemo_identity.Configuration(
            host=base_url, access_token=TOKEN, user_agent=USER_AGENT, hooks=setup.hooks
        )
        apis[label] = katanemo_identity.IdentityApi(katanemo_identity.ApiClient(configuration))
    cpu: dict[str, list[float]] = {label: [] for label in apis}
    wall: dict[str, list[float]] = {label: [] for label in apis}
    try:
        for label, api in apis.items():  # warm up: connections, validators, tracers
            setups[label].around(True)
            try:
                for _ in range(max(2, settings.small_calls // 10)):
                    api.get_user(ACCOUNT_ID, USER_ID)
            finally:
                setups[label].around(False)
        for round_index in range(settings.rounds):
            labels = list(apis)
            labels = labels[round_index % len(labels) :] + labels[: round_index % len(labels)]
            for label in labels:
                api = apis[label]
                setups[label].around(True)
                try:
                    gc.collect()
                    cpu_start, wall_start = time.process_time(), time.perf_counter()
                    for _ in range(settings.small_calls):
                        api.get_user(ACCOUNT_ID, USER_ID)
                    cpu_spent = time.process_time() - cpu_start
                    wall_spent = time.perf_counter() - wall_start
                finally:
                    setups[label].around(False)
                cpu[label].append(cpu_spent / settings.small_calls * 1000)
                wall[label].append(wall_spent / settings.small_calls * 1000)
    finally:
        for api in apis.values():
            api.api_client.close()
    results.tracing = {
        label: Sample(statistics.median(cpu[label]), statistics.median(wall[label]))
        for label in apis
    }


def render_tracing(results: Results) -> list[str]:
    """Return the lines of the tracing table (or why it was skipped), and its target."""
    lines = [
        "",
        "`get_user` with tracing (`katanemo_identity.otel.Tracing` in `hooks`), per call:",
        "",
    ]
    if not results.tracing:
        return [*lines, results.skipped.get("tracing", "skipped")]
    off = results.tracing[TRACING_OFF]
    lines += [
        markdown_row(["tracing", "client CPU (ms)", "wall (ms)", "CPU added per call (µs)"]),
        markdown_row(["---"] * 4),
    ]
    for label, sample in results.tracing.items():
        added = "" if label == TRACING_OFF else f"{(sample.cpu_ms - off.cpu_ms) * 1000:+.0f}"
        lines.append(markdown_row([label, f"{sample.cpu_ms:.3f}", f"{sample.wall_ms:.3f}", added]))
    ours, common = results.tracing[TRACING_SDK], results.tracing[TRACING_COMMON]
    lines += [
        "",
        f"Target: the SDK's tracing costs no more CPU per call than the common set-up: "
        f"{ours.cpu_ms:.3f} ms against {common.cpu_ms:.3f} ms, "
        f"{met_text(ours.cpu_ms <= common.cpu_ms)}.",
    ]
    return lines
