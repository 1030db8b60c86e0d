"""Read events of concurrent requests committed together (services/audit_reads.py), on real PostgreSQL."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from persistence.db import create_read_session_factory
from persistence.models import AuditEvent
from persistence.repositories.audit import NewAuditEvent
from services.audit_reads import GroupedReadAudit


class CountingSessions:
    """The test's sessions, counting how many the writer opened (one per batch it committed)."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory
        self.opened = 0

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        self.opened += 1
        async with self.factory() as session:
            yield session


def _read_event(request_id: str, object_type: str = "appointment") -> NewAuditEvent:
    return NewAuditEvent(
        action="appointment.list", object_type=object_type, outcome="success", request_id=request_id
    )


@pytest.fixture
def read_sessions(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Read-only sessions, as silverstar/bootstrap.py gives the writer: each batch autocommits."""
    return create_read_session_factory(db_engine)


async def _events_of(session: AsyncSession, request_ids: list[str]) -> int:
    count = select(func.count()).select_from(AuditEvent).where(AuditEvent.request_id.in_(request_ids))
    return await session.scalar(count) or 0


async def test_concurrent_requests_share_commits_and_every_event_is_written(
    read_sessions: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    sessions = CountingSessions(read_sessions)
    writer = GroupedReadAudit(sessions)  # type: ignore[arg-type]
    request_ids = [f"grouped-{uuid.uuid4().hex}" for _ in range(40)]

    await asyncio.gather(*(writer.append([_read_event(r), _read_event(r)]) for r in request_ids))

    assert await _events_of(session, request_ids) == 80
    # All 40 were handed over before the writer first ran: one statement, one commit.
    assert sessions.opened == 1


async def test_a_lone_request_returns_once_its_event_is_committed(
    read_sessions: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    writer = GroupedReadAudit(read_sessions)
    request_id = f"alone-{uuid.uuid4().hex}"

    await writer.append([_read_event(request_id)])

    assert await _events_of(session, [request_id]) == 1


async def test_every_request_of_a_failed_batch_gets_the_error_and_the_writer_goes_on(
    read_sessions: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    writer = GroupedReadAudit(read_sessions)
    first, second = f"ok-{uuid.uuid4().hex}", f"ok-{uuid.uuid4().hex}"
    await writer.append([_read_event(first)])
    # Text PostgreSQL refuses (a NUL): the batch's insert fails as a whole.
    failing = [writer.append([_read_event(f"bad-{n}", object_type="bad\x00type")]) for n in range(3)]

    outcomes = await asyncio.gather(*failing, return_exceptions=True)
    await writer.append([_read_event(second)])

    assert all(isinstance(outcome, asyncpg.PostgresError) for outcome in outcomes), outcomes
    assert await _events_of(session, [first, second]) == 2


async def test_nothing_to_write_opens_no_session(read_sessions: async_sessionmaker[AsyncSession]) -> None:
    sessions = CountingSessions(read_sessions)
    writer = GroupedReadAudit(sessions)  # type: ignore[arg-type]

    await writer.append([])

    assert sessions.opened == 0
