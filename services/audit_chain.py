"""Checking the audit trail's hash chains, and purging what retention lets go.

The insert trigger (migration 20261130_02) links each event: hash = sha256(prev_hash ||
canonical text), the canonical text being each field as `<length>:<value>` (`-` for NULL)
in a fixed order, then a list read's `patient_ids` the same way when it has them (nothing
when NULL: events from before that column hash as they did; migration 20261202_01).
Verification recomputes that here, independently of the database's function, from each
chain's checkpoint (the last purged event, or the genesis) to its head.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persistence.models import AuditChainHead
from persistence.repositories.audit import AuditRepository

_BATCH = 5000


@dataclass(frozen=True)
class BrokenLink:
    chain: int
    chain_seq: int
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    broken: BrokenLink | None  # the first, in (chain, position) order


def _field(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    text = str(value)
    return f"{len(text)}:{text}"


def event_hash(prev_hash: bytes, row: Any) -> bytes:
    fields = (
        row.chain, row.chain_seq, row.occurred_at, row.actor_id, row.actor_role, row.action,
        row.object_type, row.object_id, row.patient_id, row.outcome, row.request_id, row.client_ip,
        row.user_agent, row.detail,
    )  # fmt: skip
    text = "".join(_field(f) for f in fields)
    if row.patient_ids is not None:
        text += _field(row.patient_ids)
    return hashlib.sha256(prev_hash + text.encode()).digest()


def _check(row: Any, seq: int, prev: bytes) -> str | None:
    if row.chain_seq != seq + 1:
        return f"events {seq + 1}..{row.chain_seq - 1} are missing"
    if bytes(row.prev_hash) != prev:
        return "its previous hash is not the hash of the event before it"
    if event_hash(prev, row) != bytes(row.hash):
        return "its content does not match its hash (changed after it was written)"
    return None


async def _verify_chain(
    repo: AuditRepository, head: AuditChainHead, seq: int, prev: bytes
) -> tuple[int, BrokenLink | None]:
    chain, checked = head.chain, 0
    while True:
        # Up to the head as read first: later events were appended while we walk.
        rows: Sequence[Any] = await repo.chain_events(
            chain, after_seq=seq, through_seq=head.last_seq, limit=_BATCH
        )
        for row in rows:
            checked += 1
            if reason := _check(row, seq, prev):
                return checked, BrokenLink(chain, row.chain_seq, row.id, reason)
            seq, prev = row.chain_seq, bytes(row.hash)
        if len(rows) < _BATCH:
            break
    if head.last_seq != seq or bytes(head.last_hash) != prev:
        return checked, BrokenLink(
            chain, seq + 1, None, f"the chain's head is at {head.last_seq}: events were removed"
        )
    return checked, None


async def verify_chains(session: AsyncSession) -> ChainReport:
    """Walks every chain from its checkpoint; stops at the first broken link."""
    repo = AuditRepository(session)
    heads = {head.chain: head for head in await repo.heads()}  # before the events: see the walk
    total = 0
    for checkpoint in await repo.checkpoints():
        head = heads[checkpoint.chain]
        checked, broken = await _verify_chain(repo, head, checkpoint.seq, bytes(checkpoint.hash))
        total += checked
        if broken is not None:
            return ChainReport(total, broken)
    return ChainReport(total, None)


async def purge_expired_with(sessions: async_sessionmaker[AsyncSession], retention_days: int) -> int:
    """`purge_expired` in a transaction of its own (the worker's sweep)."""
    async with sessions.begin() as session:
        return await purge_expired(session, retention_days)


async def purge_expired(session: AsyncSession, retention_days: int, *, now: datetime | None = None) -> int:
    """Deletes events older than the retention, anchoring each chain at its last deleted event."""
    before = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    return await AuditRepository(session).purge(before)


def describe(report: ChainReport) -> str:
    if report.broken is None:
        return f"Audit trail intact: {report.events_checked} events checked."
    link = report.broken
    event = f"event {link.event_id}" if link.event_id is not None else "the chain's end"
    return (
        f"Audit trail BROKEN at chain {link.chain}, position {link.chain_seq} ({event}): {link.reason}. "
        f"{report.events_checked} events checked."
    )
