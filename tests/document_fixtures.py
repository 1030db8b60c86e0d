"""Documents for tests: rows made directly (the upload API has its own tests), and the model.

`local_embedder` is a fixture: a conftest.py that needs it imports it from here.
"""

import hashlib
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.embeddings import Embedder
from persistence.models import Document, DocumentStatus
from tests.outside_world import shared_local_embedder


async def make_document(
    session: AsyncSession,
    *,
    uploader_id: uuid.UUID,
    patient_id: uuid.UUID | None = None,
    filename: str = "leaflet.pdf",
    status: DocumentStatus = DocumentStatus.pending,
    size_bytes: int = 1000,
) -> Document:
    document_id = uuid.uuid4()
    document = Document(
        id=document_id,
        user_id=uploader_id,
        patient_id=patient_id,
        filename=filename,
        content_type="application/pdf",
        size_bytes=size_bytes,
        sha256=hashlib.sha256(document_id.bytes).hexdigest(),
        storage_url=f"file:///documents/{document_id}.pdf",
        status=status,
    )
    session.add(document)
    await session.flush()
    return document


@pytest.fixture(scope="session")
def local_embedder() -> Embedder:
    """all-MiniLM-L6-v2, loaded once per run (importing torch alone takes seconds); the same
    one the tests' outside worlds hand to code under test."""
    return shared_local_embedder()
