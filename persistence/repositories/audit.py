"""Appending to, reading and purging the audit trail (tables of persistence/models/audit.py)."""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import BigInteger, Select, Text, cast, delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import driver
from persistence.models import AuditChainHead, AuditCheckpoint, AuditEvent, User


class NewAuditEvent(NamedTuple):
    """An event to append; its fields in the order of `_APPEND`'s arrays (read with one zip)."""

    action: str
    object_type: str
    outcome: str
    object_id: str | None = None
    patient_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    actor_role: str | None = None
    request_id: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    detail: dict[str, Any] | None = None
    patient_ids: Sequence[uuid.UUID] | None = None  # a list read's patients


@dataclass(frozen=True)
class AuditFilter:
    patient_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    exclude_actor_id: uuid.UUID | None = None


SelectT = TypeVar("SelectT", Select[int], Select[int, datetime], Select[AuditEvent, User])

_DETAIL = NewAuditEvent._fields.index("detail")  # sent as JSON text, cast to jsonb by the statement
# Sent as array literals ('{...}'), cast by the statement: unnest takes no array of ragged arrays.
_PATIENT_IDS = NewAuditEvent._fields.index("patient_ids")
# One statement whatever the number of events (an array per field of NewAuditEvent, in its
# order): one round trip, one prepared plan (asyncpg's statement cache). The insert trigger
# links each row into its chain (persistence/models/audit.py).
_APPEND = """
    INSERT INTO audit_events (action, object_type, outcome, object_id, patient_id, actor_id,
        actor_role, request_id, client_ip, user_agent, detail, patient_ids)
    SELECT action, object_type, outcome, object_id, patient_id, actor_id,
        actor_role, request_id, client_ip, user_agent, detail::jsonb, patient_ids::uuid[]
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::uuid[],
        $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
        AS t(action, object_type, outcome, object_id, patient_id, actor_id,
            actor_role, request_id, client_ip, user_agent, detail, patient_ids)
"""


async def append_events(session: AsyncSession, events: Sequence[NewAuditEvent]) -> None:
    """Writes events in the session's transaction (in a read-only session: as one autocommit
    statement, durable when this returns: an audit row is the record of a read, not a change)."""
    if not events:
        return
    columns: list[Sequence[Any]] = list(zip(*events, strict=True))
    columns[_DETAIL] = [None if detail is None else json.dumps(detail) for detail in columns[_DETAIL]]
    columns[_PATIENT_IDS] = [None if ids is None else _array_literal(ids) for ids in columns[_PATIENT_IDS]]
    await driver.execute(session, _APPEND, *columns)


def _array_literal(ids: Sequence[uuid.UUID]) -> str:
    return "{" + ",".join(str(i) for i in ids) + "}"


def _filtered(stmt: SelectT, where: AuditFilter) -> SelectT:
    if where.patient_id is not None:
        named_alone = AuditEvent.patient_id == where.patient_id
        stmt = stmt.where(or_(named_alone, AuditEvent.patient_ids.contains([where.patient_id])))
    conditions = {
        AuditEvent.actor_id: where.actor_id,
        AuditEvent.action: where.action,
        AuditEvent.object_type: where.object_type,
        AuditEvent.object_id: where.object_id,
    }
    for column, value in conditions.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if where.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= where.since)
    if where.until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < where.until)
    if where.exclude_actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id.is_distinct_from(where.exclude_actor_id))
    return stmt


def _total(where: AuditFilter) -> Select[int]:
    if where == AuditFilter():
        # Each chain holds its events after its checkpoint up to its head, with no gaps (its
        # triggers see to that): the heads count a trail of any length without reading it.
        kept = func.sum(AuditChainHead.last_seq - AuditCheckpoint.seq)
        return select(cast(kept, BigInteger)).join_from(
            AuditChainHead, AuditCheckpoint, AuditCheckpoint.chain == AuditChainHead.chain
        )
    return _filtered(select(func.count()).select_from(AuditEvent), where)


def _newest_first(where: AuditFilter, *, limit: int, offset: int) -> Select[AuditEvent, User]:
    events = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
    if where.patient_id is None:
        return (
            _filtered(events, where)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        )
    # A patient's events are found through two indexes (patient_id's btree, patient_ids' GIN).
    # Left to itself PostgreSQL expects them spread evenly through time and walks occurred_at's
    # index backwards until it has a page: for a patient seldom read, the whole table. Collected
    # first (a MATERIALIZED CTE is a fence), they cost what they number; only the page's rows
    # are then fetched whole.
    matches = (
        _filtered(select(AuditEvent.id, AuditEvent.occurred_at), where)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    page = (
        select(matches)
        .order_by(matches.c.occurred_at.desc(), matches.c.id.desc())
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    return events.join(page, page.c.id == AuditEvent.id).order_by(page.c.occurred_at.desc(), page.c.id.desc())


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def page(
        self, where: AuditFilter, *, limit: int, offset: int
    ) -> tuple[Sequence[tuple[AuditEvent, User | None]], int]:
        """Newest first, each with its actor's account (None for anonymous attempts)."""
        total = await self._session.scalar(_total(where))
        rows = await self._session.execute(_newest_first(where, limit=limit, offset=offset))
        return [(event, user) for event, user in rows], total or 0

    # ------------------------------------------------------------ the chain

    async def chain_events(
        self, chain: int, *, after_seq: int, through_seq: int, limit: int
    ) -> Sequence[Any]:
        """The events of a chain after a position, detail and patient_ids as PostgreSQL renders
        them (hashed so)."""
        rows = await self._session.execute(
            select(
                AuditEvent.id,
                AuditEvent.chain,
                AuditEvent.chain_seq,
                AuditEvent.occurred_at,
                AuditEvent.actor_id,
                AuditEvent.actor_role,
                AuditEvent.action,
                AuditEvent.object_type,
                AuditEvent.object_id,
                AuditEvent.patient_id,
                AuditEvent.outcome,
                AuditEvent.request_id,
                AuditEvent.client_ip,
                AuditEvent.user_agent,
                cast(AuditEvent.detail, Text).label("detail"),
                cast(AuditEvent.patient_ids, Text).label("patient_ids"),
                AuditEvent.prev_hash,
                AuditEvent.hash,
            )
            .where(
                AuditEvent.chain == chain,
                AuditEvent.chain_seq > after_seq,
                AuditEvent.chain_seq <= through_seq,
            )
            .order_by(AuditEvent.chain_seq)
            .limit(limit)
        )
        return rows.all()

    async def heads(self) -> Sequence[AuditChainHead]:
        return (await self._session.scalars(select(AuditChainHead).order_by(AuditChainHead.chain))).all()

    async def checkpoints(self) -> Sequence[AuditCheckpoint]:
        return (await self._session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.chain))).all()

    async def purge(self, before: datetime) -> int:
        """Deletes each chain's events older than `before` (a prefix: times only grow along a
        chain), after moving its checkpoint to the last one deleted. Returns how many."""
        # Only this transaction may delete events (the append-only trigger checks it).
        await self._session.execute(text("SET LOCAL silverstar.audit_purge = 'on'"))
        purged = 0
        for checkpoint in await self.checkpoints():
            last = (
                await self._session.execute(
                    select(AuditEvent.chain_seq, AuditEvent.hash)
                    .where(AuditEvent.chain == checkpoint.chain, AuditEvent.occurred_at < before)
                    # By time (its index, from the cutoff back), then position: the same event.
                    .order_by(AuditEvent.occurred_at.desc(), AuditEvent.chain_seq.desc())
                    .limit(1)
                )
            ).first()
            if last is None:
                continue
            await self._session.execute(
                update(AuditCheckpoint)
                .where(AuditCheckpoint.chain == checkpoint.chain)
                .values(seq=last.chain_seq, hash=last.hash, purged_before=before)
            )
            result = await self._session.execute(
                delete(AuditEvent).where(
                    AuditEvent.chain == checkpoint.chain, AuditEvent.chain_seq <= last.chain_seq
                )
            )
            purged += result.rowcount  # type: ignore[attr-defined]
        await self._session.execute(text("SET LOCAL silverstar.audit_purge = 'off'"))
        return purged
