"""Tracing with OpenTelemetry: on when OTEL_EXPORTER_OTLP_ENDPOINT is set, off (no cost) otherwise.

The API's HTTP spans come from FastAPI's own telemetry (it follows the global tracer
provider set here); SQL, Redis and outgoing httpx calls (Twilio media) from the OpenTelemetry
instrumentations; Gemini calls, ingestion, transcription and answering stages from `span()`
in the code; a request's trace continues into the jobs it queues (workers/tracing.py).
"""

import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.settings import Settings

_lock = threading.Lock()
_instrumented = False
# Set once a tracer provider is installed: until then `span()` makes nothing at all.
_tracing = False

tracer = trace.get_tracer("silverstar")


def configure_tracing(settings: Settings, *, processor: SpanProcessor | None = None) -> bool:
    """Installs the tracer provider once per process; with `processor` (tests), that one exports.

    Returns whether tracing is on.
    """
    if processor is None:
        if not settings.otel_exporter_otlp_endpoint:
            return False
        processor = BatchSpanProcessor(_otlp_exporter(settings.otel_exporter_otlp_endpoint))
    global _tracing
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.otel_service_name}))
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    instrument_libraries()
    _tracing = True
    return True


def instrument_libraries() -> None:
    """Redis and httpx clients, and the engines `instrument_engine` is given from now on; idempotent."""
    global _instrumented
    with _lock:
        if _instrumented:
            return
        RedisInstrumentor().instrument()
        HTTPXClientInstrumentor().instrument()
        _instrumented = True


def instrument_engine(engine: AsyncEngine) -> AsyncEngine:
    """Statement spans for an engine (when tracing is on): our engines are made by functions
    bound before the instrumentation could wrap them, so each is instrumented here."""
    if _instrumented:
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

        usage = metrics.get_meter("silverstar.sqlalchemy").create_up_down_counter(
            "db.client.connections.usage", unit="connections"
        )
        EngineTracer(  # type: ignore[no-untyped-call]
            trace.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, usage
        )
    return engine


def _otlp_exporter(endpoint: str) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")


def span(name: str, **attributes: Any) -> AbstractContextManager[trace.Span]:
    """A child span of whatever is current; when tracing is off, nothing: not even OpenTelemetry's
    no-op span, whose context switching cost ~1 % of a list request (statements are spans)."""
    if not _tracing:
        return nullcontext(trace.INVALID_SPAN)
    return tracer.start_as_current_span(name, attributes=attributes)
