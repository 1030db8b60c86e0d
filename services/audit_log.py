"""Reading the audit trail: the admin's search, and a patient's view of who accessed their data."""

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Appointment, AuditEvent, Document, Principal, User, UserRole
from persistence.repositories.audit import AuditFilter, AuditRepository
from services.audit import AuditTrail, Outcome, patient_of
from services.audit_catalog import Audited

EventWithActor = tuple[AuditEvent, User | None]


async def search_events(
    session: AsyncSession, where: AuditFilter, *, limit: int, offset: int
) -> tuple[Sequence[EventWithActor], int]:
    return await AuditRepository(session).page(where, limit=limit, offset=offset)


async def access_log(
    session: AsyncSession, patient: Principal, *, limit: int, offset: int
) -> tuple[Sequence[EventWithActor], int]:
    """Events on the patient's data by anyone but the patient (sign-ins are not about their data)."""
    where = AuditFilter(patient_id=patient.id, exclude_actor_id=patient.id)
    return await AuditRepository(session).page(where, limit=limit, offset=offset)


async def patients_among(session: AsyncSession, user_ids: Iterable[uuid.UUID | None]) -> list[uuid.UUID]:
    """Which of these accounts are patients' (whose rows a list concerns)."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return []
    found = await session.scalars(select(User.id).where(User.id.in_(ids), User.role == UserRole.patient))
    return list(found)


async def patient_concerned(
    session: AsyncSession, object_type: str, object_id: str | None
) -> uuid.UUID | None:
    """Whose data an object (named by a request's path) is, if it exists."""
    try:
        key = uuid.UUID(object_id or "")
    except ValueError:
        return None
    if object_type == "user":
        user = await session.get(User, key)
        return patient_of(user) if user else None
    if object_type == "appointment":
        return await session.scalar(select(Appointment.patient_id).where(Appointment.id == key))
    if object_type == "document":
        return await session.scalar(select(Document.patient_id).where(Document.id == key))
    return None


async def record_refusal(
    session: AsyncSession, trail: AuditTrail, audited: Audited, object_id: str | None, status: int
) -> None:
    """A refused attempt, naming the patient whose object it was (shown in their access log)."""
    trail.record(
        audited.action,
        audited.object_type,
        object_id,
        patient_id=await patient_concerned(session, audited.object_type, object_id),
        outcome=Outcome.REFUSED,
        detail={"status": status},
        keep_on_failure=True,
    )
