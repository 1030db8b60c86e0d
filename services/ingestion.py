"""Turning an uploaded PDF into searchable chunks: the work behind `documents.ingest`.

A document goes pending → processing → ready (or failed, with a reason for the uploader).
`ingest` is idempotent and safe to run twice at once: the final transaction locks the
document row, replaces every chunk and marks it ready, so the last run wins whole.
Permanent problems with the file (`DocumentRejected`) end in `failed`; anything else
(storage, database, embedding service) propagates so the job is retried.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.bounded_pdf import ExtractionLimits, extract_pages_bounded
from adapters.embeddings import Embedder, embedding_model_label
from adapters.pdf_text import DocumentRejected, TextChunk, chunk_pages
from adapters.storage import DocumentStorage, document_key
from adapters.vector_store import VectorStore
from kernel import metrics
from kernel.settings import Settings
from kernel.telemetry import span
from persistence.models import DocumentStatus
from persistence.repositories.documents import DocumentRepository
from services.spelling import word_counts

logger = logging.getLogger(__name__)

EMBED_BATCH_SIZE = 32
SWEEP_BATCH_SIZE = 100
# How often a job refreshes the heartbeat of the document it processes; the sweep's
# `processing_after` must be several times longer.
HEARTBEAT_INTERVAL = timedelta(seconds=15)
ABANDONED_ERROR = "The document could not be processed; please try uploading it again later."

SessionFactory = async_sessionmaker[AsyncSession]


async def ingest(
    document_id: uuid.UUID,
    *,
    session_factory: SessionFactory,
    storage: DocumentStorage,
    embedder: Embedder,
    store: VectorStore,
    settings: Settings,
    again: bool = False,
) -> DocumentStatus | None:
    """Extracts, chunks and embeds one document; returns its final status (None: no such document).

    A ready document embedded by this model is left as it is (a job delivered twice), unless
    `again`."""
    model = embedding_model_label(embedder)
    async with session_factory() as session:
        document = await DocumentRepository(session).lock(document_id)
        if document is None:
            logger.warning("document %s to ingest does not exist (deleted?)", document_id)
            return None
        if document.status == DocumentStatus.failed or (
            document.status == DocumentStatus.ready and document.embedding_model == model and not again
        ):
            logger.info("document %s is already %s; nothing to do", document_id, document.status.value)
            return document.status
        document.status = DocumentStatus.processing
        document.processing_started_at = document.heartbeat_at = datetime.now(UTC)
        await session.commit()

    started = time.perf_counter()
    try:
        with span("ingestion.read"):
            data = await asyncio.to_thread(storage.read, document_key(document_id))
    except Exception:
        if not await _exists(session_factory, document_id):
            logger.warning("document %s was deleted while being ingested", document_id)
            return None
        raise

    try:
        async with _heartbeat(session_factory, document_id):
            pages, chunks, vectors = await _extract_and_embed(
                data, embedder, ExtractionLimits.from_settings(settings)
            )
    except DocumentRejected as rejected:
        logger.info("document %s rejected: %s", document_id, rejected.reason)
        return await _mark_failed(session_factory, store, document_id, rejected.reason)

    with span("ingestion.store", chunks=len(chunks)):
        async with session_factory() as session:
            document = await DocumentRepository(session).lock(document_id)
            if document is None:
                logger.warning("document %s was deleted while being ingested", document_id)
                return None
            await store.replace_chunks(session, document, list(zip(chunks, vectors, strict=True)))
            document.status = DocumentStatus.ready
            document.page_count = len(pages)
            document.chunk_count = len(chunks)
            document.embedding_model = model
            document.vocabulary = word_counts(chunk.text for chunk in chunks)
            document.error = None
            await session.commit()
    metrics.ingestion_pages.inc(len(pages))
    metrics.ingestion_pages_per_second.observe(len(pages) / max(time.perf_counter() - started, 1e-6))
    logger.info("document %s ready: %d pages, %d chunks", document_id, len(pages), len(chunks))
    return DocumentStatus.ready


async def _extract_and_embed(
    data: bytes, embedder: Embedder, limits: ExtractionLimits
) -> tuple[list[str], list[TextChunk], list[list[float]]]:
    """The slow part: text out of the PDF (in a bounded child process), chunks, their vectors."""
    with span("ingestion.extract", bytes=len(data)) as extracting:
        pages = await asyncio.to_thread(extract_pages_bounded, data, limits)
        extracting.set_attribute("pages", len(pages))
    with span("ingestion.chunk"):
        chunks = chunk_pages(pages)
    vectors: list[list[float]] = []
    with span("ingestion.embed", chunks=len(chunks)):
        for start in range(0, len(chunks), EMBED_BATCH_SIZE):
            batch = [chunk.text for chunk in chunks[start : start + EMBED_BATCH_SIZE]]
            vectors.extend(await asyncio.to_thread(embedder.embed, batch))
    return pages, chunks, vectors


@asynccontextmanager
async def _heartbeat(session_factory: SessionFactory, document_id: uuid.UUID) -> AsyncIterator[None]:
    """Refreshes the document's `heartbeat_at` every HEARTBEAT_INTERVAL while the block runs.

    The block must not use the database: the beat is stopped (never cancelled mid-query)
    before the block's caller writes again, so the two never share a connection at once.
    """
    stop = asyncio.Event()

    async def beat() -> None:
        while True:
            try:
                await asyncio.wait_for(stop.wait(), HEARTBEAT_INTERVAL.total_seconds())
                return
            except TimeoutError:
                pass
            try:
                async with session_factory() as session:
                    await DocumentRepository(session).record_heartbeat(document_id)
                    await session.commit()
            except Exception:
                logger.warning("could not record the heartbeat of document %s", document_id, exc_info=True)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        stop.set()
        await task


async def mark_abandoned(session_factory: SessionFactory, store: VectorStore, document_id: uuid.UUID) -> None:
    """Ends a document whose ingestion kept failing, so it isn't left processing for ever."""
    await _mark_failed(session_factory, store, document_id, ABANDONED_ERROR, unfinished_only=True)


async def _mark_failed(
    session_factory: SessionFactory,
    store: VectorStore,
    document_id: uuid.UUID,
    reason: str,
    *,
    unfinished_only: bool = False,
) -> DocumentStatus | None:
    async with session_factory() as session:
        document = await DocumentRepository(session).lock(document_id)
        if document is None:
            return None
        if unfinished_only and document.status not in (DocumentStatus.pending, DocumentStatus.processing):
            return document.status
        # A failed document must not answer questions with chunks of an earlier version.
        await store.delete_document(session, document_id)
        document.status = DocumentStatus.failed
        document.error = reason
        document.page_count = None
        document.chunk_count = None
        await session.commit()
    return DocumentStatus.failed


async def _exists(session_factory: SessionFactory, document_id: uuid.UUID) -> bool:
    async with session_factory() as session:
        return await DocumentRepository(session).exists(document_id)


async def sweep_stale(
    session_factory: SessionFactory,
    *,
    enqueue: Callable[[uuid.UUID], object],
    pending_after: timedelta,
    processing_after: timedelta,
) -> int:
    """Re-enqueues documents pending for too long or processing without a heartbeat; returns how many.

    A document is pending for long when its message never reached Redis (down at upload
    time); a processing document's heartbeat stops when its job died (`processing_after`
    is several heartbeat intervals). Each one re-sent is touched (`updated_at`), so it is
    sent again only after another full wait, and rows are claimed with SKIP LOCKED, so
    several workers sweeping at once don't send it twice.
    """
    async with session_factory() as session:
        documents = DocumentRepository(session)
        ids = await documents.claim_stale(
            pending_after=pending_after, processing_after=processing_after, limit=SWEEP_BATCH_SIZE
        )
        sent: list[uuid.UUID] = []
        for document_id in ids:
            try:
                await asyncio.to_thread(enqueue, document_id)
            except Exception:
                logger.exception("could not re-enqueue document %s", document_id)
                break  # the queue is down: the next sweep tries again
            sent.append(document_id)
        if sent:
            await documents.touch(sent)
        await session.commit()
    if sent:
        logger.info("re-enqueued %d stale documents", len(sent))
    return len(sent)


async def reindex_all(
    session_factory: SessionFactory,
    *,
    storage: DocumentStorage,
    embedder: Embedder,
    store: VectorStore,
    settings: Settings,
    every: bool = False,
) -> int:
    """Reads and embeds again every ready document whose vectors come from another model (with
    `every`, every ready document: after an upgrade that reads PDFs better); returns how many.

    Runs in the caller's process, one document at a time; each keeps its old chunks (and
    stays searchable) until its new ones replace them in one transaction.
    """
    other_than = None if every else embedding_model_label(embedder)
    async with session_factory() as session:
        ids = await DocumentRepository(session).ready_ids(embedded_by_other_than=other_than)
    done = 0
    for document_id in ids:
        status = await ingest(
            document_id,
            session_factory=session_factory,
            storage=storage,
            embedder=embedder,
            store=store,
            settings=settings,
            again=every,
        )
        done += status == DocumentStatus.ready
    return done
