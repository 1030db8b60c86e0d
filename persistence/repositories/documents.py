import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Appointment, Document, DocumentStatus, Principal, UserRole
from persistence.paging import page_of


def patients_of_doctor(doctor_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(Appointment.patient_id).where(Appointment.doctor_id == doctor_id).distinct()


def readable_documents(user: Principal) -> Select[Document]:
    """The one rule for who reads which document.

    The clinic's knowledge base (no patient) is everyone's; a patient's private documents
    are theirs and the admins'; a doctor also reads what they uploaded and the documents
    of patients they have appointments with.
    """
    query = select(Document)
    if user.role == UserRole.admin:
        return query
    if user.role == UserRole.patient:
        return query.where(or_(Document.patient_id.is_(None), Document.patient_id == user.id))
    return query.where(
        or_(
            Document.patient_id.is_(None),
            Document.user_id == user.id,
            Document.patient_id.in_(patients_of_doctor(user.id)),
        )
    )


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_readable(self, user: Principal, document_id: uuid.UUID) -> Document | None:
        return await self._session.scalar(readable_documents(user).where(Document.id == document_id))

    async def find_upload(
        self, uploader_id: uuid.UUID, patient_id: uuid.UUID | None, sha256: str
    ) -> Document | None:
        return await self._session.scalar(
            select(Document).where(
                Document.user_id == uploader_id,
                Document.patient_id.is_not_distinct_from(patient_id),
                Document.sha256 == sha256,
            )
        )

    async def page(
        self,
        user: Principal,
        *,
        status: DocumentStatus | None,
        patient_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[Document], int]:
        query = readable_documents(user)
        if status is not None:
            query = query.where(Document.status == status)
        if patient_id is not None:
            query = query.where(Document.patient_id == patient_id)
        order = (Document.created_at.desc(), Document.id)
        return await page_of(self._session, query, order, limit=limit, offset=offset)

    async def doctor_treats(self, doctor_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
        found = await self._session.scalar(
            select(Appointment.id)
            .where(Appointment.doctor_id == doctor_id, Appointment.patient_id == patient_id)
            .limit(1)
        )
        return found is not None

    async def add(self, document: Document) -> None:
        self._session.add(document)
        await self._session.flush()

    async def delete(self, document: Document) -> None:
        await self._session.delete(document)
        await self._session.flush()

    # ------------------------------------------------------------ ingestion (the worker's side)

    async def lock(self, document_id: uuid.UUID) -> Document | None:
        """The document, freshly read and locked for this transaction."""
        return await self._session.get(Document, document_id, with_for_update=True, populate_existing=True)

    async def exists(self, document_id: uuid.UUID) -> bool:
        return await self._session.scalar(select(Document.id).where(Document.id == document_id)) is not None

    async def record_heartbeat(self, document_id: uuid.UUID) -> None:
        """Marks a processing document alive; `updated_at` keeps meaning "the record changed"."""
        await self._session.execute(
            update(Document)
            .where(Document.id == document_id, Document.status == DocumentStatus.processing)
            .values(heartbeat_at=datetime.now(UTC), updated_at=Document.updated_at)
        )

    async def claim_stale(
        self, *, pending_after: timedelta, processing_after: timedelta, limit: int
    ) -> list[uuid.UUID]:
        """Documents pending for longer than `pending_after`, or processing with no sign of life
        for `processing_after`, oldest first; locked, skipping those another sweeper holds."""
        stale_pending = (Document.status == DocumentStatus.pending) & (
            Document.updated_at < func.now() - pending_after
        )
        processing_cutoff = func.now() - processing_after
        last_sign_of_life = func.coalesce(
            Document.heartbeat_at, Document.processing_started_at, Document.updated_at
        )
        stale_processing = (
            (Document.status == DocumentStatus.processing)
            & (last_sign_of_life < processing_cutoff)
            & (Document.updated_at < processing_cutoff)
        )
        return list(
            await self._session.scalars(
                select(Document.id)
                .where(or_(stale_pending, stale_processing))
                .order_by(Document.updated_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )

    async def touch(self, document_ids: Sequence[uuid.UUID]) -> None:
        await self._session.execute(
            update(Document).where(Document.id.in_(document_ids)).values(updated_at=func.now())
        )

    async def ready_ids_embedded_by_other_than(self, model: str) -> list[uuid.UUID]:
        return list(
            await self._session.scalars(
                select(Document.id)
                .where(
                    Document.status == DocumentStatus.ready, Document.embedding_model.is_distinct_from(model)
                )
                .order_by(Document.created_at)
            )
        )
