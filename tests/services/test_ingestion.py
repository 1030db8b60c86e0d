"""The ingest coroutine end to end: storage, pdfplumber, the local model, pgvector."""

import io
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import pytest
import pytest_asyncio
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import services.ingestion
from adapters.embeddings import Embedder, embedding_model_label
from adapters.storage import LocalStorage, document_key
from adapters.vector_store import PgVectorStore
from kernel.settings import Settings
from persistence.models import Document, DocumentChunk, DocumentStatus, User
from services.ingestion import ingest, reindex_all, sweep_stale
from services.retrieval import retrieve
from tests.document_fixtures import make_document
from tests.factories import make_user
from tests.pdfs import encrypted_pdf, image_only_pdf, text_pdf, typeset_pdf

CLINIC_LEAFLET = [
    "Opening hours\n"
    "The clinic is open Monday to Friday from 8 am to 6 pm.\n"
    "On Saturdays a doctor on call answers the phone from 9 am to noon.",
    "Flu vaccination\n"
    "Every autumn we offer the influenza vaccine to all patients.\n"
    "Patients over sixty and pregnant women should get their flu shot in October.\n"
    "No appointment is needed for the vaccination on Wednesday mornings.",
    "Parking and access\n"
    "Free parking is available behind the building, entrance on Lindenstrasse.\n"
    "The practice is on the ground floor and wheelchair accessible.",
]

store = PgVectorStore()


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "documents")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(environment="test", data_dir=tmp_path, max_document_pages=20)


@pytest_asyncio.fixture(loop_scope="session")
async def uploader(session: AsyncSession) -> User:
    return await make_user(session, "admin")


async def stored_document(
    session: AsyncSession,
    storage: LocalStorage,
    uploader: User,
    data: bytes,
    *,
    patient_id: uuid.UUID | None = None,
) -> Document:
    document = await make_document(session, uploader_id=uploader.id, patient_id=patient_id)
    storage.put(document_key(document.id), io.BytesIO(data))
    await session.commit()
    return document


class RunIngest(Protocol):
    async def __call__(
        self, document_id: uuid.UUID, override: Settings | None = None
    ) -> DocumentStatus | None: ...


@pytest.fixture
def run_ingest(
    session_factory: async_sessionmaker[AsyncSession],
    storage: LocalStorage,
    local_embedder: Embedder,
    settings: Settings,
) -> RunIngest:
    """`ingest` of one document with this test's storage and model (and settings, unless given)."""

    async def run(document_id: uuid.UUID, override: Settings | None = None) -> DocumentStatus | None:
        return await ingest(
            document_id,
            session_factory=session_factory,
            storage=storage,
            embedder=local_embedder,
            store=store,
            settings=override or settings,
        )

    return run


async def chunks_of(session: AsyncSession, document_id: uuid.UUID) -> list[DocumentChunk]:
    return list(
        await session.scalars(
            select(DocumentChunk)
            .where(DocumentChunk.document_id == document_id)
            .order_by(DocumentChunk.chunk_index)
        )
    )


async def test_a_text_pdf_ends_ready_with_chunks_per_page_and_is_found_by_meaning(
    session: AsyncSession,
    storage: LocalStorage,
    uploader: User,
    local_embedder: Embedder,
    run_ingest: RunIngest,
) -> None:
    document = await stored_document(session, storage, uploader, text_pdf(CLINIC_LEAFLET))

    status = await run_ingest(document.id)

    assert status == DocumentStatus.ready
    await session.refresh(document)
    assert document.status == DocumentStatus.ready
    assert (document.page_count, document.chunk_count, document.error) == (3, 3, None)
    assert document.embedding_model == embedding_model_label(local_embedder)
    assert document.processing_started_at is not None
    chunks = await chunks_of(session, document.id)
    assert [chunk.page for chunk in chunks] == [1, 2, 3]
    assert "influenza" in chunks[1].text
    assert document.vocabulary is not None
    assert (document.vocabulary["influenza"], document.vocabulary["parking"]) == (1, 2)
    assert all(chunk.patient_id is None for chunk in chunks)

    hits = await retrieve(
        session,
        embedder=local_embedder,
        store=store,
        patient_id=None,
        query="When can I get a flu shot?",
        k=2,
    )
    assert hits[0].page == 2
    assert hits[0].document_id == document.id
    assert hits[0].filename == document.filename
    assert hits[0].score > hits[1].score


async def test_ingesting_again_leaves_one_set_of_chunks(
    session: AsyncSession,
    storage: LocalStorage,
    uploader: User,
    run_ingest: RunIngest,
) -> None:
    document = await stored_document(session, storage, uploader, text_pdf(CLINIC_LEAFLET))
    await run_ingest(document.id)
    await run_ingest(document.id)
    # As after a change of model: the document is ingested again in full.
    await session.execute(update(Document).where(Document.id == document.id).values(embedding_model="old"))
    await session.commit()

    assert await run_ingest(document.id) == "ready"

    chunks = await chunks_of(session, document.id)
    assert [chunk.chunk_index for chunk in chunks] == [0, 1, 2]


async def test_a_pdf_whose_font_maps_a_glyph_to_no_character_ends_ready(
    session: AsyncSession, storage: LocalStorage, uploader: User, run_ingest: RunIngest
) -> None:
    # Vera has no non-breaking hyphen: it is read as NUL, which PostgreSQL refuses to store.
    data = typeset_pdf(["Your child\u2019s first check\u2011up is free of charge."])
    document = await stored_document(session, storage, uploader, data)

    assert await run_ingest(document.id) == DocumentStatus.ready

    [chunk] = await chunks_of(session, document.id)
    assert chunk.text == "Your child's first checkup is free of charge."


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (encrypted_pdf(), "password-protected"),
        (image_only_pdf(), "no extractable text — is it a scanned document?"),
        (b"%PDF-1.7\nthis is not a PDF body", "could not be read as a PDF"),
    ],
    ids=["encrypted", "image-only", "corrupt"],
)
async def test_an_unusable_pdf_ends_failed_with_the_reason(
    session: AsyncSession,
    storage: LocalStorage,
    uploader: User,
    data: bytes,
    error: str,
    run_ingest: RunIngest,
) -> None:
    document = await stored_document(session, storage, uploader, data)

    status = await run_ingest(document.id)

    assert status == DocumentStatus.failed
    await session.refresh(document)
    assert document.status == DocumentStatus.failed
    assert document.error is not None and error in document.error
    assert await chunks_of(session, document.id) == []


async def test_a_pdf_over_the_page_limit_ends_failed(
    session: AsyncSession,
    storage: LocalStorage,
    tmp_path: Path,
    uploader: User,
    run_ingest: RunIngest,
) -> None:
    document = await stored_document(session, storage, uploader, text_pdf(CLINIC_LEAFLET))
    settings = Settings(environment="test", data_dir=tmp_path, max_document_pages=2)

    assert await run_ingest(document.id, settings) == "failed"
    await session.refresh(document)
    assert document.error == "The document has 3 pages; at most 2 are accepted."


async def test_a_missing_document_is_logged_and_skipped(
    run_ingest: RunIngest,
) -> None:
    assert await run_ingest(uuid.uuid4()) is None


async def test_a_storage_error_propagates_for_a_retry_and_leaves_the_document_processing(
    session: AsyncSession,
    uploader: User,
    run_ingest: RunIngest,
) -> None:
    document = await make_document(session, uploader_id=uploader.id)  # no file stored
    await session.commit()

    with pytest.raises(FileNotFoundError):
        await run_ingest(document.id)

    await session.refresh(document)
    assert document.status == DocumentStatus.processing


async def test_a_patients_document_gets_chunks_only_that_patient_finds(
    session: AsyncSession,
    storage: LocalStorage,
    uploader: User,
    local_embedder: Embedder,
    run_ingest: RunIngest,
) -> None:
    patient, other = await make_user(session, "patient"), await make_user(session, "patient")
    document = await stored_document(
        session,
        storage,
        uploader,
        text_pdf(["Your blood test: cholesterol slightly raised."]),
        patient_id=patient.id,
    )
    await run_ingest(document.id)

    async def found_by(patient_id: uuid.UUID | None) -> bool:
        hits = await retrieve(
            session, embedder=local_embedder, store=store, patient_id=patient_id, query="cholesterol", k=5
        )
        return any(hit.document_id == document.id for hit in hits)

    assert (await found_by(patient.id), await found_by(other.id), await found_by(None)) == (
        True,
        False,
        False,
    )


async def test_sweep_re_enqueues_documents_stuck_pending_or_processing(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], uploader: User
) -> None:
    stuck_pending = await make_document(session, uploader_id=uploader.id)
    fresh_pending = await make_document(session, uploader_id=uploader.id)
    stuck_processing = await make_document(session, uploader_id=uploader.id, status=DocumentStatus.processing)
    old_ready = await make_document(session, uploader_id=uploader.id, status=DocumentStatus.ready)
    an_hour_ago = func.now() - timedelta(hours=1)
    for document in (stuck_pending, stuck_processing, old_ready):
        await session.execute(
            update(Document)
            .where(Document.id == document.id)
            .values(updated_at=an_hour_ago, processing_started_at=an_hour_ago)
        )
    await session.commit()
    sent: list[uuid.UUID] = []

    async def sweep() -> int:
        return await sweep_stale(
            session_factory,
            enqueue=sent.append,
            pending_after=timedelta(minutes=5),
            processing_after=timedelta(minutes=30),
        )

    assert await sweep() == 2
    assert set(sent) == {stuck_pending.id, stuck_processing.id}
    assert fresh_pending.id not in sent
    # Each one re-sent waits a full interval before being sent again.
    assert await sweep() == 0


async def test_sweep_re_enqueues_a_processing_document_whose_heartbeat_stopped(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], uploader: User
) -> None:
    # Both started an hour ago; one job still beats, the other's died three minutes ago.
    died = await make_document(session, uploader_id=uploader.id, status=DocumentStatus.processing)
    alive = await make_document(session, uploader_id=uploader.id, status=DocumentStatus.processing)
    an_hour_ago = func.now() - timedelta(hours=1)
    for document, last_beat in ((died, func.now() - timedelta(minutes=3)), (alive, func.now())):
        await session.execute(
            update(Document)
            .where(Document.id == document.id)
            .values(updated_at=an_hour_ago, processing_started_at=an_hour_ago, heartbeat_at=last_beat)
        )
    await session.commit()
    sent: list[uuid.UUID] = []

    await sweep_stale(
        session_factory,
        enqueue=sent.append,
        pending_after=timedelta(minutes=5),
        processing_after=timedelta(minutes=2),
    )

    assert died.id in sent
    assert alive.id not in sent


async def test_ingest_keeps_the_heartbeat_of_the_document_fresh_while_it_works(
    session: AsyncSession,
    storage: LocalStorage,
    uploader: User,
    run_ingest: RunIngest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services.ingestion, "HEARTBEAT_INTERVAL", timedelta(milliseconds=20))
    document = await stored_document(session, storage, uploader, text_pdf(CLINIC_LEAFLET))

    assert await run_ingest(document.id) == DocumentStatus.ready

    await session.refresh(document)
    assert document.processing_started_at is not None and document.heartbeat_at is not None
    assert document.heartbeat_at > document.processing_started_at


class Reindex(Protocol):
    async def __call__(self, *, every: bool = False) -> int: ...


@pytest.fixture
def reindex(
    session_factory: async_sessionmaker[AsyncSession],
    storage: LocalStorage,
    settings: Settings,
    local_embedder: Embedder,
) -> Reindex:
    async def run(*, every: bool = False) -> int:
        return await reindex_all(
            session_factory,
            storage=storage,
            embedder=local_embedder,
            store=store,
            settings=settings,
            every=every,
        )

    return run


async def test_reindex_re_embeds_documents_of_another_model(
    session: AsyncSession,
    storage: LocalStorage,
    uploader: User,
    local_embedder: Embedder,
    run_ingest: RunIngest,
    reindex: Reindex,
) -> None:
    document = await stored_document(session, storage, uploader, text_pdf(CLINIC_LEAFLET))
    await run_ingest(document.id)
    await session.execute(
        update(Document).where(Document.id == document.id).values(embedding_model="old@384")
    )
    await session.commit()

    count = await reindex()

    assert count == 1
    await session.refresh(document)
    assert document.embedding_model == embedding_model_label(local_embedder)
    assert len(await chunks_of(session, document.id)) == 3


async def test_reindex_every_document_reads_again_those_of_the_same_model(
    session: AsyncSession, storage: LocalStorage, uploader: User, run_ingest: RunIngest, reindex: Reindex
) -> None:
    document = await stored_document(session, storage, uploader, text_pdf(CLINIC_LEAFLET))
    await run_ingest(document.id)
    await session.execute(
        update(DocumentChunk).where(DocumentChunk.document_id == document.id).values(text="read before")
    )
    await session.commit()

    same_model = await reindex()
    every = await reindex(every=True)

    assert (same_model, every) == (0, 1)
    document_id = document.id
    session.expire_all()  # the chunks loaded above are read again
    texts = {chunk.text for chunk in await chunks_of(session, document_id)}
    assert "read before" not in texts and len(texts) == 3
