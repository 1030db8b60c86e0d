"""Upload through the API, then the worker's ingest, as a user sees it: pending → ready, searchable."""

import dataclasses
import uuid
from datetime import timedelta

import httpx
import pytest
from dramatiq.brokers.redis import RedisBroker
from httpx import AsyncClient
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.embeddings import Embedder
from adapters.job_queue import DramatiqJobSender
from adapters.queued_jobs import list_jobs
from adapters.storage import create_storage
from adapters.vector_store import PgVectorStore
from handlers.context import Runtime
from persistence.models import Document, User
from services.ingestion import ingest, sweep_stale
from services.jobs import ACTOR_QUEUES, INGEST_DOCUMENT
from services.retrieval import retrieve
from services.worker_health import DOCUMENTS_QUEUE
from silverstar.app import create_app
from tests.document_fixtures import local_embedder
from tests.handlers.conftest import AuthHeaders
from tests.pdfs import text_pdf

__all__ = ["local_embedder"]

LEAFLET = [
    "Welcome to the clinic.\nPlease bring your insurance card to every visit.",
    "Travel vaccinations\nYellow fever and typhoid vaccines are given on Thursday afternoons.",
]


async def _ingest(runtime: Runtime, embedder: Embedder, document_id: str) -> None:
    await ingest(
        uuid.UUID(document_id),
        session_factory=runtime.session_factory,
        storage=create_storage(runtime.settings),
        embedder=embedder,
        store=PgVectorStore(),
        settings=runtime.settings,
    )


async def test_an_uploaded_pdf_becomes_ready_with_pages_and_is_found_by_its_content(
    client: AsyncClient,
    runtime: Runtime,
    patient: User,
    auth_headers: AuthHeaders,
    local_embedder: Embedder,
    session: AsyncSession,
) -> None:
    uploaded = await client.post(
        "/documents",
        headers=auth_headers(patient),
        files={"file": ("leaflet.pdf", text_pdf(LEAFLET), "application/pdf")},
    )
    assert uploaded.json()["status"] == "pending"

    await _ingest(runtime, local_embedder, uploaded.json()["id"])

    document = (await client.get(f"/documents/{uploaded.json()['id']}", headers=auth_headers(patient))).json()
    assert (document["status"], document["pageCount"], document["error"]) == ("ready", 2, None)
    assert document["chunkCount"] >= 2
    hits = await retrieve(
        session,
        embedder=local_embedder,
        store=PgVectorStore(),
        patient_id=patient.id,
        query="When can I get a yellow fever shot?",
        k=1,
    )
    assert (str(hits[0].document_id), hits[0].page) == (uploaded.json()["id"], 2)


async def test_an_upload_queues_its_ingestion_once_committed_and_a_repeated_upload_queues_none(
    client: AsyncClient, runtime: Runtime, patient: User, auth_headers: AuthHeaders
) -> None:
    sender = runtime.job_sender
    assert isinstance(sender, DramatiqJobSender)
    pdf = text_pdf(LEAFLET)
    first = await client.post(
        "/documents", headers=auth_headers(patient), files={"file": ("leaflet.pdf", pdf, "application/pdf")}
    )
    again = await client.post(
        "/documents", headers=auth_headers(patient), files={"file": ("leaflet.pdf", pdf, "application/pdf")}
    )

    assert (first.status_code, again.status_code) == (202, 200)
    queued = [(job.state, job.actor_name, job.args) for job in list_jobs(sender.broker, DOCUMENTS_QUEUE)]
    assert queued == [("queued", INGEST_DOCUMENT, (first.json()["id"],))]


async def test_with_redis_down_the_upload_succeeds_and_the_sweep_gets_it_processed_later(
    client: AsyncClient,
    runtime: Runtime,
    patient: User,
    auth_headers: AuthHeaders,
    local_embedder: Embedder,
    session: AsyncSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A sender whose Redis refuses connections: the enqueue after commit fails for real.
    refusing = DramatiqJobSender(
        lambda: RedisBroker(host="127.0.0.1", port=1, socket_connect_timeout=0.2), ACTOR_QUEUES
    )
    down = dataclasses.replace(runtime, job_sender=refusing)
    transport = httpx.ASGITransport(app=create_app(down.settings, down))
    async with AsyncClient(transport=transport, base_url="http://testserver") as redis_down:
        uploaded = await redis_down.post(
            "/documents",
            headers=auth_headers(patient),
            files={"file": ("leaflet.pdf", text_pdf(LEAFLET), "application/pdf")},
        )
    assert uploaded.status_code == 202
    assert "could not enqueue documents.ingest" in caplog.text
    document_id = uuid.UUID(uploaded.json()["id"])
    # Time passes: the document has been pending for longer than the sweep waits.
    await session.execute(
        update(Document).where(Document.id == document_id).values(updated_at=func.now() - timedelta(hours=1))
    )

    swept: list[uuid.UUID] = []
    count = await sweep_stale(
        runtime.session_factory,
        enqueue=swept.append,
        pending_after=timedelta(0),
        processing_after=timedelta(minutes=45),
    )
    assert count >= 1
    assert document_id in swept
    await _ingest(runtime, local_embedder, uploaded.json()["id"])
    document = (await client.get(f"/documents/{uploaded.json()['id']}", headers=auth_headers(patient))).json()
    assert document["status"] == "ready"
