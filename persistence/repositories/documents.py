import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, ColumnElement, Select, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import driver
from persistence.models import Appointment, Document, DocumentStatus, Principal, UserRole


def patients_of_doctor(doctor_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(Appointment.patient_id).where(Appointment.doctor_id == doctor_id).distinct()


def _reaches(user: Principal) -> tuple[str, ...] | None:
    """The one rule for who reads which document, as the ways a reader reaches one (None: all).

    The clinic's knowledge base (no patient) is everyone's; a patient's private documents
    are theirs and the admins'; a doctor also reads what they uploaded and the documents
    of patients they have appointments with. Each way is written below for SQLAlchemy
    (`readable_documents`) and for asyncpg (`_SQL_REACHES`, the list's statement).
    """
    if user.role == UserRole.admin:
        return None
    if user.role == UserRole.patient:
        return ("knowledge_base", "own")
    return ("knowledge_base", "uploaded", "treated")


def _orm_reach(way: str, reader: uuid.UUID) -> ColumnElement[bool]:
    if way == "knowledge_base":
        return Document.patient_id.is_(None)
    if way == "own":
        return Document.patient_id == reader
    if way == "uploaded":
        return Document.user_id == reader
    return Document.patient_id.in_(patients_of_doctor(reader))  # "treated"


# `{0}`: the reader's id.
_SQL_REACHES = {
    "knowledge_base": "documents.patient_id IS NULL",
    "own": "documents.patient_id = {0}",
    "uploaded": "documents.user_id = {0}",
    "treated": "documents.patient_id IN (SELECT DISTINCT patient_id FROM appointments WHERE doctor_id = {0})",
}


def readable_documents(user: Principal) -> Select[Document]:
    ways = _reaches(user)
    query = select(Document)
    return query if ways is None else query.where(or_(*(_orm_reach(way, user.id) for way in ways)))


class DocumentRecord(NamedTuple):
    """A document as read for a list: plain values, no ORM identity or change tracking."""

    id: uuid.UUID
    user_id: uuid.UUID
    patient_id: uuid.UUID | None
    title: str | None
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    status: DocumentStatus
    page_count: int | None
    chunk_count: int | None
    error: str | None
    storage_url: str
    created_at: datetime
    updated_at: datetime


_RECORD_COLUMNS = ", ".join(f"documents.{field}" for field in DocumentRecord._fields)
_STATUSES = {status.value: status for status in DocumentStatus}
_STATUS = DocumentRecord._fields.index("status")


def _record(row: Sequence[Any]) -> DocumentRecord:
    values = list(row[: len(DocumentRecord._fields)])
    values[_STATUS] = _STATUSES[values[_STATUS]]
    return DocumentRecord(*values)


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
    ) -> tuple[list[DocumentRecord], int]:
        """Newest first. Run by asyncpg (persistence/driver.py): it is on the app's every documents screen."""
        conditions = driver.Conditions()
        ways = _reaches(user)
        if ways is not None:
            conditions.add(f"({' OR '.join(_SQL_REACHES[way] for way in ways)})", user.id)
        if status is not None:
            conditions.add("documents.status = {}", status.value)
        if patient_id is not None:
            conditions.add("documents.patient_id = {}", patient_id)
        # Only constant fragments are joined into these statements; every value is a parameter.
        where, filter_args = conditions.where, list(conditions.args)
        limit_offset = f"LIMIT {conditions.parameter(limit)} OFFSET {conditions.parameter(offset)}"
        # A reader's documents are few: the total rides along on every row of the page.
        window = f"SELECT {_RECORD_COLUMNS}, count(*) OVER () FROM documents {where}"  # noqa: S608
        ordered = f"{window} ORDER BY documents.created_at DESC, documents.id {limit_offset}"
        rows = await driver.fetch(self._session, ordered, *conditions.args)
        if rows:
            return [_record(row) for row in rows], rows[0][-1]
        total = await driver.fetchrow(self._session, f"SELECT count(*) FROM documents {where}", *filter_args)  # noqa: S608
        return [], total[0] if total else 0

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

    async def ready_ids(self, *, embedded_by_other_than: str | None = None) -> list[uuid.UUID]:
        """The ready documents, oldest first; with a model, only those whose vectors another made."""
        statement = select(Document.id).where(Document.status == DocumentStatus.ready)
        if embedded_by_other_than is not None:
            statement = statement.where(Document.embedding_model.is_distinct_from(embedded_by_other_than))
        return list(await self._session.scalars(statement.order_by(Document.created_at)))

    async def knowledge_base_version(self) -> tuple[int, datetime | None]:
        """Changes whenever a knowledge-base document becomes ready, is read again or goes."""
        row = (
            await self._session.execute(
                select(func.count(), func.max(Document.updated_at)).where(
                    Document.patient_id.is_(None), Document.status == DocumentStatus.ready
                )
            )
        ).one()
        return int(row[0]), row[1]

    async def knowledge_base_vocabulary(self) -> dict[str, int]:
        """Every word of the ready knowledge-base documents, with its count over all of them."""
        words = func.jsonb_each_text(Document.vocabulary).table_valued("key", "value").render_derived()
        count = func.sum(words.c.value.cast(BigInteger))
        statement = (
            select(words.c.key, count)
            .select_from(Document)
            .join(words, true())
            .where(Document.patient_id.is_(None), Document.status == DocumentStatus.ready)
            .group_by(words.c.key)
        )
        return {word: int(n) for word, n in (await self._session.execute(statement)).all()}
