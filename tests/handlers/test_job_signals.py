"""A request's trace and request id continue into the job it queues, run by a real Dramatiq worker
(workers/tracing.py; here beside the other tests of requests that queue jobs).

Tracing is switched on for the rest of this test process (a tracer provider can be installed
once): spans reach the in-memory exporter only while a test records them.
"""

import dataclasses
import io
import json
import logging
import uuid
from collections.abc import Iterator

import dramatiq
import pytest
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY
from sqlalchemy import delete

import workers.documents
import workers.runtime
from adapters.embeddings import Embedder
from adapters.job_queue import DramatiqJobSender
from handlers.context import Runtime
from kernel.observability import JsonFormatter, request_id_var
from kernel.settings import get_settings
from kernel.telemetry import configure_tracing
from persistence.models import Document
from services.jobs import ACTOR_QUEUES
from tests.document_fixtures import local_embedder
from tests.outside_world import SharedModelsWorld
from tests.pdfs import text_pdf
from tests.pooled_app import pooled_app
from workers.broker import worker_broker
from workers.documents import ingest_document
from workers.tracing import REQUEST_ID_OPTION

broker = worker_broker()

__all__ = ["local_embedder"]

QUEUE = "documents"


class _WhileRecording(SpanProcessor):
    def __init__(self, exporter: InMemorySpanExporter) -> None:
        self._export = SimpleSpanProcessor(exporter)
        self.recording = False

    def on_start(self, span: Span, parent_context: object = None) -> None:
        pass

    def on_end(self, span: ReadableSpan) -> None:
        if self.recording:
            self._export.on_end(span)


_exporter = InMemorySpanExporter()
_processor = _WhileRecording(_exporter)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    if not getattr(_processor, "installed", False):
        assert configure_tracing(get_settings(), processor=_processor)
        _processor.installed = True  # type: ignore[attr-defined]
    _exporter.clear()
    _processor.recording = True
    yield _exporter
    _processor.recording = False
    _exporter.clear()


@pytest.fixture
def job_environment(
    runtime: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch, local_embedder: Embedder
) -> Iterator[None]:
    """The worker reads the API's database and document storage; the queue starts empty."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(runtime.settings.data_dir))
    monkeypatch.setenv("EMBEDDING_PROVIDER", "local")
    get_settings.cache_clear()
    workers.runtime.use_world(SharedModelsWorld(get_settings()))
    broker.flush(QUEUE)
    yield
    get_settings.cache_clear()
    workers.runtime.use_world(SharedModelsWorld(get_settings()))


def _work_off_the_queue() -> None:
    """A real Dramatiq worker (this process, the app's broker and middleware) until the queue is done."""
    worker = dramatiq.Worker(broker, queues={QUEUE}, worker_threads=1)
    worker.start()
    try:
        broker.join(QUEUE, timeout=300_000)
        worker.join()
    finally:
        worker.stop()


INGEST = {"queue": QUEUE, "actor": "documents.ingest"}


def _sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


async def test_statements_run_by_asyncpg_itself_are_spans_of_the_request(
    spans: InMemorySpanExporter, runtime: Runtime, database_url: str
) -> None:
    async with pooled_app(runtime, database_url) as app:
        patient = await app.committed_user("patient")
        token = runtime.tokens.issue(patient.id, patient.role)
        listed = await app.client.get("/appointments", headers={"Authorization": f"Bearer {token}"})

    assert listed.status_code == 200
    finished = spans.get_finished_spans()
    request = next(s for s in finished if s.kind == SpanKind.SERVER)
    statements = [
        str((s.attributes or {}).get("db.statement", ""))
        for s in finished
        if s.context.trace_id == request.context.trace_id
        and (s.attributes or {}).get("db.system") == "postgresql"
    ]
    assert any(statement.startswith("SELECT users.role") for statement in statements)  # the caller
    assert any("FROM appointments" in statement for statement in statements)  # the page


async def test_one_upload_is_one_trace_from_the_request_to_the_last_ingestion_span(
    spans: InMemorySpanExporter, job_environment: None, runtime: Runtime, database_url: str
) -> None:
    # The API queues on the broker this process's worker consumes, as one deployment would.
    one_deployment = dataclasses.replace(runtime, job_sender=DramatiqJobSender(worker_broker, ACTOR_QUEUES))
    async with pooled_app(one_deployment, database_url) as app:
        patient = await app.committed_user("patient")
        token = runtime.tokens.issue(patient.id, patient.role)
        uploaded = await app.client.post(
            "/documents",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "upload-1"},
            files={"file": ("leaflet.pdf", text_pdf(["Flu shots on Mondays."]), "application/pdf")},
        )
        try:
            assert uploaded.status_code == 202
            processed_before = _sample("silverstar_jobs_processed_total", INGEST)
            pages_before = _sample("silverstar_ingestion_pages_total")
            _work_off_the_queue()
            processed = _sample("silverstar_jobs_processed_total", INGEST) - processed_before
            pages = _sample("silverstar_ingestion_pages_total") - pages_before
            status = (
                await app.client.get(
                    f"/documents/{uploaded.json()['id']}", headers={"Authorization": f"Bearer {token}"}
                )
            ).json()["status"]
        finally:
            async with app.runtime.session_factory.begin() as session:
                await session.execute(delete(Document).where(Document.id == uuid.UUID(uploaded.json()["id"])))

    assert status == "ready"
    assert (processed, pages) == (1, 1)
    finished = list(spans.get_finished_spans())
    request = next(s for s in finished if s.kind == SpanKind.SERVER and s.name == "POST /documents")
    trace_id = request.context.trace_id
    in_trace = [s for s in finished if s.context.trace_id == trace_id]
    by_id = {s.context.span_id: s for s in in_trace}
    names = {s.name for s in in_trace}
    job = next(s for s in in_trace if s.name == "job documents.ingest")
    assert _ancestors(job, by_id)[-1] == "POST /documents"
    for stage in (
        "ingestion.read",
        "ingestion.extract",
        "ingestion.chunk",
        "ingestion.embed",
        "ingestion.store",
    ):
        assert stage in names
        stage_span = next(s for s in in_trace if s.name == stage)
        assert "job documents.ingest" in _ancestors(stage_span, by_id)
    last_ingestion = max(
        (s for s in in_trace if s.name.startswith("ingestion.")), key=lambda s: s.end_time or 0
    )
    assert last_ingestion.name == "ingestion.store"
    # SQL (the API's and the job's) and Redis (the enqueue) are in the same trace.
    assert any(s.attributes and s.attributes.get("db.system") == "postgresql" for s in in_trace)
    assert any(s.attributes and s.attributes.get("db.system") == "redis" for s in in_trace)
    assert job.attributes is not None and job.attributes["silverstar.job.actor"] == "documents.ingest"


def test_a_job_logs_json_with_the_request_id_and_trace_of_what_queued_it(
    spans: InMemorySpanExporter, job_environment: None
) -> None:
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(JsonFormatter())
    job_log = logging.getLogger("workers.documents")
    job_log.addHandler(handler)
    token = request_id_var.set("queued-by-request-7")
    try:
        message = ingest_document.send("not-a-document-id")
    finally:
        request_id_var.reset(token)
    assert message.options[REQUEST_ID_OPTION] == "queued-by-request-7"
    try:
        _work_off_the_queue()
    finally:
        job_log.removeHandler(handler)

    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    refused = next(line for line in lines if "not a document id" in line["message"])
    assert refused["level"] == "error"
    assert refused["logger"] == "workers.documents"
    assert refused["requestId"] == "queued-by-request-7"
    job = next(s for s in spans.get_finished_spans() if s.name == "job documents.ingest")
    assert refused["traceId"] == format(job.context.trace_id, "032x")


def test_a_message_queued_outside_any_request_carries_no_request_id(job_environment: None) -> None:
    message = ingest_document.message(str(uuid.uuid4()))
    broker.enqueue(message)
    try:
        assert REQUEST_ID_OPTION not in message.options
    finally:
        broker.flush(QUEUE)
