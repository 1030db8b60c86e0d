"""The document actors, run for real (outside the test transaction: they open their own)."""

import asyncio
import io
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

import workers.documents
import workers.runtime
from adapters.embeddings import Embedder
from adapters.storage import create_storage, document_key
from kernel.settings import get_settings
from persistence.models import Document, DocumentStatus, User
from services.jobs import ACTOR_QUEUES
from tests.document_fixtures import make_document
from tests.factories import make_user
from tests.outside_world import SharedModelsWorld
from tests.pdfs import text_pdf
from workers.actors import broker
from workers.documents import abandon_document, ingest_document


def test_the_actors_are_registered_under_their_names() -> None:
    assert broker.get_actor("documents.ingest") is ingest_document
    assert broker.get_actor("documents.abandon") is abandon_document
    assert broker.get_actor("documents.sweep") is workers.documents.sweep_documents
    assert ingest_document.options["on_retry_exhausted"] == "documents.abandon"
    assert ingest_document.options["max_retries"] == 5


def test_every_actor_is_declared_on_the_queue_the_senders_route_it_to() -> None:
    declared = {name: broker.get_actor(name).queue_name for name in broker.get_declared_actors()}
    assert declared == ACTOR_QUEUES


def test_a_message_without_a_document_id_is_dropped() -> None:
    assert ingest_document.fn("not-a-uuid") is None


@pytest.fixture
def worker_environment(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_embedder: Embedder
) -> Iterator[Path]:
    """The actors' settings pointed at the test database and a temporary data directory."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("EMBEDDING_PROVIDER", "local")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    # The process's world, with the model loaded once for the run (the actor would load its own).
    workers.runtime.use_world(SharedModelsWorld(get_settings()))
    yield tmp_path
    get_settings.cache_clear()
    workers.runtime.use_world(SharedModelsWorld(get_settings()))


@pytest_asyncio.fixture(loop_scope="session")
async def committed(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that really commit: the actor can't see the test's transaction. Tests delete their rows."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def test_the_ingest_actor_makes_a_stored_document_ready(
    worker_environment: Path, committed: async_sessionmaker[AsyncSession]
) -> None:
    async with committed() as session:
        uploader = await make_user(session, "admin")
        document = await make_document(session, uploader_id=uploader.id)
        await session.commit()
    create_storage(get_settings()).put(
        document_key(document.id), io.BytesIO(text_pdf(["Vaccinations on Wednesdays."]))
    )
    try:
        await asyncio.to_thread(ingest_document.fn, str(document.id))

        async with committed() as session:
            stored = await session.get(Document, document.id)
            assert stored is not None
            assert (stored.status, stored.chunk_count) == (DocumentStatus.ready, 1)
    finally:
        async with committed() as session:
            await session.execute(delete(Document).where(Document.id == document.id))
            await session.execute(delete(User).where(User.id == uploader.id))
            await session.commit()


async def test_the_abandon_actor_marks_an_unfinished_document_failed(
    worker_environment: Path, committed: async_sessionmaker[AsyncSession]
) -> None:
    async with committed() as session:
        uploader = await make_user(session, "admin")
        document = await make_document(session, uploader_id=uploader.id, status=DocumentStatus.processing)
        await session.commit()
    try:
        message = {"actor_name": "documents.ingest", "args": [str(document.id)], "kwargs": {}}
        await asyncio.to_thread(abandon_document.fn, message, {"retries": 5, "max_retries": 5})

        async with committed() as session:
            stored = await session.get(Document, document.id)
            assert stored is not None
            assert stored.status == DocumentStatus.failed
            assert stored.error is not None and "could not be processed" in stored.error
    finally:
        async with committed() as session:
            await session.execute(delete(Document).where(Document.id == document.id))
            await session.execute(delete(User).where(User.id == uploader.id))
            await session.commit()


def test_abandoning_a_document_that_is_gone_does_nothing(worker_environment: Path) -> None:
    abandon_document.fn({"args": [str(uuid.uuid4())]}, {"retries": 5})
