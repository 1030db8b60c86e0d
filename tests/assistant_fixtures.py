"""Indexed documents and settings pointing the assistant at a local Gemini server."""

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.pdf_text import TextChunk, chunk_pages, extract_pages
from adapters.vector_store import create_vector_store
from kernel.settings import Settings
from persistence.models import Document, DocumentStatus, User
from services.spelling import word_counts
from tests.document_fixtures import make_document
from tests.gemini_server import GeminiServer
from tests.outside_world import SharedModelsWorld
from tests.pdfs import text_pdf

GEMINI_KEY = "AIza-test-key-never-shown-0123456789"


def gemini_settings(settings: Settings, server: GeminiServer) -> Settings:
    return settings.model_copy(
        update={
            "google_api_key": SecretStr(GEMINI_KEY),
            "gemini_base_url": server.url,
            "gemini_timeout_seconds": 10,
            "gemini_max_attempts": 3,
            "gemini_retry_initial_delay_seconds": 0.01,
        }
    )


def offline_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"google_api_key": None})


async def index_document(
    session: AsyncSession,
    settings: Settings,
    *,
    uploader: User,
    text: str,
    filename: str = "leaflet.pdf",
    patient: User | None = None,
    page: int = 1,
) -> Document:
    """A ready document with one chunk, embedded by the configured (local) embedder."""
    document = await make_document(
        session,
        uploader_id=uploader.id,
        patient_id=patient.id if patient else None,
        filename=filename,
        status=DocumentStatus.ready,
    )
    [vector] = SharedModelsWorld(settings).embedder.embed([text])
    await create_vector_store(settings).replace_chunks(
        session, document, [(TextChunk(page=page, text=text), vector)]
    )
    return document


async def index_pdf(
    session: AsyncSession,
    settings: Settings,
    *,
    uploader: User,
    pages: list[str] | None = None,
    pdf: bytes | None = None,
    filename: str = "leaflet.pdf",
) -> Document:
    """A ready knowledge-base PDF (`pdf`, or plain `pages` of text), extracted, chunked and embedded
    like an uploaded one."""
    data = pdf if pdf is not None else text_pdf(pages or [])
    chunks = chunk_pages(extract_pages(data, max_pages=10))
    document = await make_document(
        session, uploader_id=uploader.id, filename=filename, status=DocumentStatus.ready
    )
    document.vocabulary = word_counts(c.text for c in chunks)
    vectors = SharedModelsWorld(settings).embedder.embed([c.text for c in chunks])
    await create_vector_store(settings).replace_chunks(
        session, document, list(zip(chunks, vectors, strict=True))
    )
    return document
