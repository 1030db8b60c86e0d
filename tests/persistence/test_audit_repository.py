"""Appending audit events from a read-only (GET) session: one autocommit statement, durable at once."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from persistence.db import create_read_session_factory, create_session_factory
from persistence.models import AuditEvent
from persistence.repositories.audit import NewAuditEvent, append_events


async def test_a_read_only_session_appends_events_durably_in_one_statement(db_engine: AsyncEngine) -> None:
    patients = [uuid.uuid4(), uuid.uuid4()]
    events = [NewAuditEvent("document.list", "document", "success", patient_id=p) for p in patients]

    async with create_read_session_factory(db_engine)() as session:
        await append_events(session, events)
        # No commit: another connection already sees them.
        async with create_session_factory(db_engine)() as other:
            seen = await other.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.patient_id.in_(patients))
            )

    assert seen == 2


async def test_each_event_keeps_its_own_detail_when_some_share_one(session: AsyncSession) -> None:
    patients = [uuid.uuid4() for _ in range(4)]
    shared = {"patients": 2}
    details = [shared, shared, {"fields": ["notes"], "note": "Zoë ☃"}, None]
    events = [
        NewAuditEvent("appointment.list", "appointment", "success", patient_id=p, detail=d)
        for p, d in zip(patients, details, strict=True)
    ]

    await append_events(session, events)

    stored = dict(
        (
            await session.execute(
                select(AuditEvent.patient_id, AuditEvent.detail).where(AuditEvent.patient_id.in_(patients))
            )
        ).all()
    )
    assert [stored[p] for p in patients] == details
