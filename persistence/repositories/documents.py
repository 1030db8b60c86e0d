import uuid
from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Appointment, Document, DocumentStatus, User, UserRole


def patients_of_doctor(doctor_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(Appointment.patient_id).where(Appointment.doctor_id == doctor_id).distinct()


def readable_documents(user: User) -> Select[Document]:
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

    async def get_readable(self, user: User, document_id: uuid.UUID) -> Document | None:
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
        user: User,
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
        total = await self._session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self._session.scalars(
            query.order_by(Document.created_at.desc(), Document.id).limit(limit).offset(offset)
        )
        return rows.all(), total or 0

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
