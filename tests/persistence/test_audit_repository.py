"""Appending audit events (from a read-only (GET) session: one autocommit statement, durable at
once) and paging through a patient's."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from persistence.db import create_read_session_factory, create_session_factory
from persistence.models import AuditEvent
from persistence.repositories.audit import AuditFilter, AuditRepository, NewAuditEvent, append_events


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


async def test_a_patients_events_page_newest_first_whether_named_alone_or_among_others(
    session: AsyncSession,
) -> None:
    patient, other = uuid.uuid4(), uuid.uuid4()
    subjects = [
        {"patient_id": patient},
        {"patient_ids": [other, patient]},
        {"patient_id": other},
        {"patient_ids": [other]},
        {"patient_ids": [patient]},
        {"patient_ids": []},
        {"patient_id": patient},
    ]
    for n, subject in enumerate(subjects):  # one statement each: times grow with n
        await append_events(
            session, [NewAuditEvent("appointment.list", "appointment", "success", str(n), **subject)]
        )
    theirs = [str(n) for n in reversed(range(len(subjects))) if n in (0, 1, 4, 6)]
    repository = AuditRepository(session)

    pages = [await repository.page(AuditFilter(patient_id=patient), limit=3, offset=o) for o in (0, 3, 6)]

    assert [total for _, total in pages] == [4, 4, 4]
    assert [event.object_id for rows, _ in pages for event, _ in rows] == theirs
    filtered, _ = await repository.page(AuditFilter(patient_id=patient, object_id="4"), limit=10, offset=0)
    assert [event.patient_ids for event, _ in filtered] == [[patient]]


async def test_the_total_of_every_event_is_the_count_of_those_kept_also_after_a_purge(
    session: AsyncSession,
) -> None:
    repository = AuditRepository(session)

    async def totals() -> tuple[int, int]:
        _, total = await repository.page(AuditFilter(), limit=1, offset=0)
        return total, await session.scalar(select(func.count()).select_from(AuditEvent)) or 0

    await append_events(session, [NewAuditEvent("user.list", "user", "success") for _ in range(5)])
    before_the_purge = await totals()
    newest = await session.scalar(select(func.max(AuditEvent.occurred_at)))
    assert newest is not None
    purged = await repository.purge(newest)  # all but the newest
    await append_events(session, [NewAuditEvent("user.list", "user", "success") for _ in range(2)])

    after_the_purge = await totals()

    assert purged >= 4
    assert before_the_purge[0] == before_the_purge[1]
    assert after_the_purge[0] == after_the_purge[1]
