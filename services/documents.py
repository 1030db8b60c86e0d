"""Documents: who may upload where, what counts as a PDF, and who may read or delete what."""

import hashlib
import io
import re
import uuid
from dataclasses import dataclass
from typing import BinaryIO

import anyio
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage import DocumentStorage, document_key
from adapters.vector_store import VectorStore
from kernel.errors import Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType
from persistence.models import Document, DocumentStatus, Principal, UserRole
from persistence.repositories.documents import DocumentRecord, DocumentRepository
from persistence.repositories.users import UserRepository
from services.jobs import INGEST_DOCUMENT, Jobs
from services.outside_world import OutsideWorld
from services.policies import may_delete_document, require_own_patient_filter

PDF_MAGIC = b"%PDF-"
_UNSAFE_FILENAME_CHARS = re.compile(r"[^\w.\- ()]+")


@dataclass(frozen=True)
class Upload:
    stream: BinaryIO
    filename: str | None
    title: str | None
    patient_id: uuid.UUID | None


@dataclass(frozen=True)
class Stored:
    document: Document
    created: bool


def clean_filename(name: str | None) -> str:
    """A display name only (the stored object's key is ours): no paths, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_FILENAME_CHARS.sub("_", base).strip(" ._")[:200]
    if not cleaned:
        return "document.pdf"
    return cleaned if cleaned.lower().endswith(".pdf") else f"{cleaned}.pdf"


def _digest(stream: BinaryIO, max_bytes: int) -> tuple[str, int]:
    sha256, size = hashlib.sha256(), 0
    stream.seek(0)
    while block := stream.read(1 << 16):
        size += len(block)
        if size > max_bytes:
            raise PayloadTooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
        sha256.update(block)
    stream.seek(0)
    return sha256.hexdigest(), size


def _check_is_pdf(stream: BinaryIO) -> None:
    """By content, not by the declared type: the %PDF- header, then a structural parse."""
    stream.seek(0)
    head = stream.read(1024)
    if PDF_MAGIC not in head:
        raise UnsupportedMediaType("Only PDF documents are accepted.")
    stream.seek(0)
    try:
        reader = PdfReader(io.BytesIO(stream.read()))
        if not reader.is_encrypted:
            _ = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        raise UnsupportedMediaType("The file is not a readable PDF.") from error
    finally:
        stream.seek(0)


class DocumentService:
    def __init__(
        self,
        session: AsyncSession,
        storage: DocumentStorage,
        store: VectorStore,
        jobs: Jobs,
        *,
        max_upload_bytes: int,
    ) -> None:
        self._session = session
        self._jobs = jobs
        self._store = store
        self._documents = DocumentRepository(session)
        self._storage = storage
        self._max_upload_bytes = max_upload_bytes

    async def _owner_patient(self, actor: Principal, patient_id: uuid.UUID | None) -> uuid.UUID | None:
        """The patient a new document belongs to; None = the clinic's knowledge base."""
        if actor.role == UserRole.patient:
            if patient_id not in (None, actor.id):
                raise Forbidden("Patients can only upload their own documents.")
            return actor.id
        if patient_id is None:
            return None
        if await UserRepository(self._session).get_active_patient(patient_id) is None:
            raise NotFound("No such patient.")
        if actor.role == UserRole.doctor and not await self._documents.doctor_treats(actor.id, patient_id):
            raise Forbidden("Doctors can only add documents for their own patients.")
        return patient_id

    async def upload(self, actor: Principal, upload: Upload) -> Stored:
        patient_id = await self._owner_patient(actor, upload.patient_id)
        sha256, size = await anyio.to_thread.run_sync(_digest, upload.stream, self._max_upload_bytes)
        await anyio.to_thread.run_sync(_check_is_pdf, upload.stream)
        existing = await self._documents.find_upload(actor.id, patient_id, sha256)
        if existing is not None:
            return Stored(existing, created=False)
        document_id = uuid.uuid4()
        storage_url = await anyio.to_thread.run_sync(
            self._storage.put, document_key(document_id), upload.stream
        )
        document = Document(
            id=document_id,
            user_id=actor.id,
            patient_id=patient_id,
            title=upload.title,
            filename=clean_filename(upload.filename),
            content_type="application/pdf",
            size_bytes=size,
            sha256=sha256,
            storage_url=storage_url,
            status=DocumentStatus.pending,
        )
        try:
            async with self._session.begin_nested():
                await self._documents.add(document)
        except IntegrityError:
            # The same file, uploaded twice at once: the other request's document stands.
            await anyio.to_thread.run_sync(self._storage.delete, document_key(document_id))
            raced = await self._documents.find_upload(actor.id, patient_id, sha256)
            assert raced is not None
            return Stored(raced, created=False)
        await self._session.refresh(document)
        # Sent once the upload is committed; should Redis be down then, the sweep sends it later.
        self._jobs.enqueue(INGEST_DOCUMENT, str(document.id))
        return Stored(document, created=True)

    async def get(self, actor: Principal, document_id: uuid.UUID) -> Document:
        document = await self._documents.get_readable(actor, document_id)
        if document is None:
            raise NotFound("No such document.")
        return document

    async def read_file(self, actor: Principal, document_id: uuid.UUID) -> tuple[Document, bytes]:
        document = await self.get(actor, document_id)
        content = await anyio.to_thread.run_sync(self._storage.read, document_key(document.id))
        return document, content

    async def page(
        self,
        actor: Principal,
        *,
        status: DocumentStatus | None,
        patient_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> tuple[list[DocumentRecord], int]:
        require_own_patient_filter(actor, patient_id, "documents")
        return await self._documents.page(
            actor, status=status, patient_id=patient_id, limit=limit, offset=offset
        )

    async def delete(self, actor: Principal, document_id: uuid.UUID) -> Document:
        """Deletes the row, its chunks and vectors; the caller removes the file after commit."""
        document = await self.get(actor, document_id)
        if not may_delete_document(actor, document):
            raise Forbidden("You cannot delete this document.")
        await self._store.delete_document(self._session, document.id)
        await self._documents.delete(document)
        return document


def document_service(session: AsyncSession, world: OutsideWorld, jobs: Jobs) -> DocumentService:
    """The service over the process's storage and vector store, queueing on `jobs`."""
    return DocumentService(
        session, world.storage, world.vector_store, jobs, max_upload_bytes=world.settings.max_upload_bytes
    )
