"""The audit trail's chain on real PostgreSQL: linking, verification, guards, retention."""

import itertools
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import AuditChainHead, AuditEvent
from services.audit import Actor, AuditAction, AuditTrail, RequestOrigin
from services.audit_chain import describe, purge_expired, verify_chains
from tests.factories import make_user


async def _write_events(session: AsyncSession, count: int, *, patient_id: uuid.UUID | None = None) -> None:
    trail = AuditTrail(RequestOrigin(request_id="req-1", client_ip="203.0.113.9", user_agent="pytest"))
    for number in range(count):
        trail.record(
            AuditAction.DOCUMENT_READ, "document", number, patient_id=patient_id, detail={"n": number}
        )
    await trail.write(session)


async def _events(session: AsyncSession) -> list[AuditEvent]:
    return list((await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all())


async def _count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(AuditEvent)) or 0


async def _as_the_tables_owner(session: AsyncSession, statement: str, event_id: int) -> None:
    """Runs `statement` on one event (`:id`) with the append-only guard off, as its owner could."""
    await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
    await session.execute(text(statement), {"id": event_id})
    await session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))


async def test_written_events_are_linked_and_verify(session: AsyncSession) -> None:
    await _write_events(session, 5)

    events = await _events(session)
    report = await verify_chains(session)

    assert len(events) >= 5
    assert all(e.prev_hash != e.hash for e in events)
    assert report.broken is None, describe(report)
    assert report.events_checked >= 5


async def test_every_kind_of_field_is_hashed_as_verification_hashes_it(session: AsyncSession) -> None:
    patient = await make_user(session, "patient")
    trail = AuditTrail(RequestOrigin(request_id=None, client_ip="2001:db8::1", user_agent="Zoë's phone ☃ 🩺"))
    trail.actor = Actor.of(patient)
    detail = {"title": "Röntgen 🩻", "pages": [1, 2], "note": None}
    trail.record(AuditAction.DOCUMENT_READ, "document", "ünïcode-id", patient_id=patient.id, detail=detail)
    trail.record(AuditAction.LOGIN, "user")  # no object, patient or detail

    await trail.write(session)

    report = await verify_chains(session)
    assert report.broken is None, describe(report)


async def test_a_list_reads_patients_are_hashed_and_the_one_patient_form_still_verifies(
    session: AsyncSession,
) -> None:
    patients = sorted([uuid.uuid4(), uuid.uuid4(), uuid.uuid4()])
    trail = AuditTrail()
    trail.listed(AuditAction.APPOINTMENT_LIST, "appointment", [patients[2], None, *patients])
    trail.listed(AuditAction.APPOINTMENT_LIST, "appointment", [])
    # As a list read was recorded before patient_ids: an event per patient, patient_ids NULL.
    trail.record(AuditAction.APPOINTMENT_LIST, "appointment", patient_id=patients[0], detail={"patients": 3})
    await trail.write(session)

    listed, empty, older = (await _events(session))[-3:]
    assert (listed.patient_id, listed.patient_ids) == (None, patients)
    assert empty.patient_ids == []
    assert older.patient_ids is None
    assert (await verify_chains(session)).broken is None


async def test_a_patient_removed_from_a_list_read_breaks_its_link(session: AsyncSession) -> None:
    trail = AuditTrail()
    trail.listed(AuditAction.APPOINTMENT_LIST, "appointment", [uuid.uuid4(), uuid.uuid4()])
    await trail.write(session)
    target = (await _events(session))[-1]
    await _as_the_tables_owner(
        session, "UPDATE audit_events SET patient_ids = patient_ids[1:1] WHERE id = :id", target.id
    )

    report = await verify_chains(session)

    assert report.broken is not None
    assert report.broken.event_id == target.id


async def test_statements_in_one_transaction_continue_one_chain(session: AsyncSession) -> None:
    for _ in range(3):
        await _write_events(session, 4)

    written = (await _events(session))[-12:]
    report = await verify_chains(session)

    assert report.broken is None, describe(report)
    assert len({e.chain for e in written}) == 1  # one connection, one chain
    assert [e.chain_seq for e in written] == list(range(written[0].chain_seq, written[0].chain_seq + 12))
    assert all(e.prev_hash == before.hash for before, e in itertools.pairwise(written))


async def test_a_chains_head_moves_once_per_statement_not_per_event(session: AsyncSession) -> None:
    heads_updated = text("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'audit_chain_heads'")
    before = await session.scalar(heads_updated)

    await _write_events(session, 30)

    assert await session.scalar(heads_updated) == before + 1
    last = (await _events(session))[-1]
    head = await session.scalar(select(AuditChainHead).where(AuditChainHead.chain == last.chain))
    assert head is not None
    assert (head.last_seq, head.last_hash) == (last.chain_seq, last.hash)


async def test_a_link_set_before_a_statement_is_not_linked_to(session: AsyncSession) -> None:
    await _write_events(session, 1)
    previous = (await _events(session))[-1]
    await session.execute(text(f"SET LOCAL silverstar.audit_link = '99:{'00' * 32}'"))

    await _write_events(session, 2)

    first, _ = (await _events(session))[-2:]
    assert (first.chain_seq, first.prev_hash) == (previous.chain_seq + 1, previous.hash)
    assert (await verify_chains(session)).broken is None


async def test_a_tampered_row_is_the_first_broken_link(session: AsyncSession) -> None:
    await _write_events(session, 4)
    target = (await _events(session))[-2]
    await _as_the_tables_owner(
        session, "UPDATE audit_events SET object_id = 'forged' WHERE id = :id", target.id
    )

    report = await verify_chains(session)

    assert report.broken is not None
    assert (report.broken.event_id, report.broken.chain_seq) == (target.id, target.chain_seq)
    assert "does not match its hash" in report.broken.reason
    assert f"event {target.id}" in describe(report)


async def test_a_deleted_row_breaks_the_chain_after_it(session: AsyncSession) -> None:
    await _write_events(session, 3)
    _, second, third = (await _events(session))[-3:]
    await _as_the_tables_owner(session, "DELETE FROM audit_events WHERE id = :id", second.id)

    report = await verify_chains(session)

    assert report.broken is not None
    assert report.broken.event_id == third.id
    assert "missing" in report.broken.reason


async def test_a_deleted_last_row_is_found_at_the_chains_head(session: AsyncSession) -> None:
    await _write_events(session, 2)
    last = (await _events(session))[-1]
    await _as_the_tables_owner(session, "DELETE FROM audit_events WHERE id = :id", last.id)

    report = await verify_chains(session)

    assert report.broken is not None
    assert report.broken.event_id is None
    assert "removed" in report.broken.reason


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_events",
        "UPDATE audit_events SET outcome = 'success'",
        "TRUNCATE audit_events",
        "UPDATE audit_chain_heads SET last_seq = 0",
        "UPDATE audit_checkpoints SET seq = seq + 1",
    ],
)
async def test_the_application_role_cannot_rewrite_the_trail(session: AsyncSession, statement: str) -> None:
    await _write_events(session, 2)
    before = await _count(session)

    with pytest.raises(DBAPIError, match="refused"):
        async with session.begin_nested():
            await session.execute(text(statement))

    assert await _count(session) == before
    assert (await verify_chains(session)).broken is None


async def test_a_rolled_back_change_leaves_no_event(session: AsyncSession) -> None:
    before = await _count(session)

    savepoint = await session.begin_nested()
    user = await make_user(session, "patient")  # the change
    trail = AuditTrail()
    trail.record(AuditAction.USER_CREATE, "user", user.id, patient_id=user.id)
    await trail.write(session)
    assert await _count(session) == before + 1
    await savepoint.rollback()

    assert await _count(session) == before
    assert (await verify_chains(session)).broken is None


async def test_purge_deletes_expired_events_and_the_rest_still_verifies(session: AsyncSession) -> None:
    await _write_events(session, 3)
    old = await _events(session)
    await _write_events(session, 2)
    kept = (await _events(session))[-2:]
    # "Now" is ten days after the third event (plus a microsecond): it and all before it expired.
    now = max(e.occurred_at for e in old) + timedelta(days=10, microseconds=1)
    assert all(e.occurred_at > now - timedelta(days=10) for e in kept)

    purged = await purge_expired(session, retention_days=10, now=now)
    remaining = {e.id for e in await _events(session)}

    assert purged >= 3
    assert not remaining & {e.id for e in old}
    assert {e.id for e in kept} <= remaining
    assert (await verify_chains(session)).broken is None
