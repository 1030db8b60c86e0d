"""Reading the audit trail: the admin's search, and a patient's view of who accessed their data."""

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import AuditEvent, User, UserRole
from persistence.repositories.audit import AuditFilter, AuditRepository

EventWithActor = tuple[AuditEvent, User | None]


async def search_events(
    session: AsyncSession, where: AuditFilter, *, limit: int, offset: int
) -> tuple[Sequence[EventWithActor], int]:
    return await AuditRepository(session).page(where, limit=limit, offset=offset)


async def access_log(
    session: AsyncSession, patient: User, *, limit: int, offset: int
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
