"""Statements run by asyncpg itself: the reads on every request's path, the audit trail's appends.

Through SQLAlchemy (statement building, its cache keys, the asyncio adaptation, ORM loading) a
statement costs this server 0.3–0.5 ms of CPU; asyncpg alone, with its prepared-statement
cache, about 0.1 ms. The reads that run on nearly every request (the caller behind a token,
a page of appointments, the doctors' list and a doctor's profile, offer, working hours and
busy periods) and the audit trail's append (once per request, or per batch of reads) are
written as SQL, their filters built by `Conditions`, and run here, on the session's own
connection: inside the session's transaction once it has begun one, so they see what the
request wrote and run under the locks it took. A read-only session's statements run each on
its own, so there a statement takes a pooled connection of its own until the session holds one
(`_pooled_alone`). Each is a span of its own when tracing is on, as SQLAlchemy's statements are
(the SQL text; values are never in it).
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager, asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.util import greenlet_spawn

from kernel.telemetry import span
from persistence.db import ReadOnlySession


class ConnectionLost(asyncpg.InterfaceError):  # type: ignore[misc]
    """The connection closed under a statement (a database restart, a terminated backend).
    An InterfaceError, as asyncpg's own are: the API answers 503 (silverstar/problems.py)."""


async def fetch(session: AsyncSession, statement: str, *args: Any) -> list[asyncpg.Record]:
    async with _running(session, statement) as driver:
        rows: list[asyncpg.Record] = await driver.fetch(statement, *args)
    return rows


async def fetchrow(session: AsyncSession, statement: str, *args: Any) -> asyncpg.Record | None:
    async with _running(session, statement) as driver:
        row: asyncpg.Record | None = await driver.fetchrow(statement, *args)
    return row


async def execute(session: AsyncSession, statement: str, *args: Any) -> None:
    async with _running(session, statement) as driver:
        await driver.execute(statement, *args)


@asynccontextmanager
async def _running(session: AsyncSession, statement: str) -> AsyncIterator[asyncpg.Connection]:
    """An asyncpg connection for one statement, inside its span; a connection lost under it
    is discarded (ConnectionLost), a statement's own error passes as it is."""
    async with _connection_for(session) as (driver, invalidate):
        try:
            with _span(statement):
                yield driver
        except Exception as error:
            if isinstance(error, asyncpg.PostgresError) and not driver.is_closed():
                raise
            # SQLAlchemy discards a connection that failed under it; one that failed here, behind
            # its back, would go back to the pool and fail the next request too. Killed
            # mid-statement, asyncpg may also report its protocol's state (InternalClientError).
            await invalidate(error)
            raise ConnectionLost(f"the database connection was lost: {error}") from error


_Invalidate = Callable[[BaseException], Awaitable[None]]
# An asyncpg connection, and how to discard it when it was lost under a statement.
_Connection = AbstractAsyncContextManager[tuple[asyncpg.Connection, _Invalidate]]


def _connection_for(session: AsyncSession) -> _Connection:
    if isinstance(session.sync_session, ReadOnlySession) and not session.in_transaction():
        return _pooled_alone(session)
    return _sessions_own(session)


@asynccontextmanager
async def _sessions_own(session: AsyncSession) -> AsyncIterator[tuple[asyncpg.Connection, _Invalidate]]:
    """The session's connection: inside its transaction once it has begun one."""
    connection = await session.connection()
    pooled = await connection.get_raw_connection()
    yield pooled.driver_connection, connection.invalidate


@asynccontextmanager
async def _pooled_alone(session: AsyncSession) -> AsyncIterator[tuple[asyncpg.Connection, _Invalidate]]:
    """A connection from the session's pool for this one statement, given back right after.

    A read-only session's statements each run on their own (autocommit), so one that holds no
    connection yet need not open its transaction and connection objects around a statement
    run by asyncpg (~0.3 ms of CPU on a slow machine, a sixth of a patient's page). Taken per
    statement, never held: a request then never holds two of the pool's connections at once,
    whatever mix of ORM and asyncpg statements it runs.
    """
    engine = session.bind
    if not isinstance(engine, AsyncEngine):
        raise TypeError("a read-only session is bound to an engine")
    pooled = await greenlet_spawn(engine.sync_engine.pool.connect)
    invalidated = False

    async def invalidate(error: BaseException) -> None:
        nonlocal invalidated
        invalidated = True
        await greenlet_spawn(pooled.invalidate, error)  # which returns it to the pool, closed

    try:
        yield pooled.driver_connection, invalidate
    finally:
        if not invalidated:
            await greenlet_spawn(pooled.close)


def _span(statement: str) -> AbstractContextManager[object]:
    return span(statement.split(None, 1)[0], **{"db.system": "postgresql", "db.statement": statement.strip()})


class Conditions:
    """A WHERE clause of the filters given, with asyncpg's numbered parameters.

    Only constant fragments are joined into the statement; every value is a parameter."""

    def __init__(self, *constant_terms: str) -> None:
        self.terms: list[str] = list(constant_terms)
        self.args: list[object] = []

    def add(self, term: str, value: object) -> None:
        """`term` with `{}` where the value goes, e.g. "start_time >= {}"."""
        self.args.append(value)
        self.terms.append(term.format(f"${len(self.args)}"))

    def parameter(self, value: object) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    @property
    def where(self) -> str:
        return f"WHERE {' AND '.join(self.terms)}" if self.terms else ""
