"""Statements run by asyncpg itself, on a session's connection: for the reads on every request's path.

Through SQLAlchemy (statement building, its cache keys, the asyncio adaptation, ORM loading) a
statement costs this server 0.3–0.5 ms of CPU; asyncpg alone, with its prepared-statement
cache, about 0.1 ms. The reads that run on nearly every request (the caller behind a token,
a page of appointments, a doctor's working hours and busy periods) are written as SQL and run
here, on the session's own connection: inside the session's transaction once it has begun
one, so they see what the request wrote and run under the locks it took. Each is a span of
its own when tracing is on, as SQLAlchemy's statements are (the SQL text; values are never in it).
"""

from contextlib import AbstractContextManager
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kernel.telemetry import span


class ConnectionLost(asyncpg.InterfaceError):  # type: ignore[misc]
    """The connection closed under a statement (a database restart, a terminated backend).
    An InterfaceError, as asyncpg's own are: the API answers 503 (silverstar/problems.py)."""


async def fetch(session: AsyncSession, statement: str, *args: Any) -> list[asyncpg.Record]:
    connection = await session.connection()
    driver = await _driver(connection)
    try:
        with _span(statement):
            rows: list[asyncpg.Record] = await driver.fetch(statement, *args)
    except Exception as error:
        await _invalidate_if_lost(connection, driver, error)
        raise
    return rows


async def fetchrow(session: AsyncSession, statement: str, *args: Any) -> asyncpg.Record | None:
    connection = await session.connection()
    driver = await _driver(connection)
    try:
        with _span(statement):
            row: asyncpg.Record | None = await driver.fetchrow(statement, *args)
    except Exception as error:
        await _invalidate_if_lost(connection, driver, error)
        raise
    return row


def _span(statement: str) -> AbstractContextManager[object]:
    return span(statement.split(None, 1)[0], **{"db.system": "postgresql", "db.statement": statement.strip()})


async def _driver(connection: AsyncConnection) -> asyncpg.Connection:
    pooled = await connection.get_raw_connection()
    return pooled.driver_connection


async def _invalidate_if_lost(
    connection: AsyncConnection, driver: asyncpg.Connection, error: Exception
) -> None:
    """SQLAlchemy discards a connection that failed under it; one that failed here, behind its
    back, would otherwise go back to the pool and fail the next request too. A statement's own
    error (a PostgreSQL error on a live connection) leaves the connection as it is."""
    if isinstance(error, asyncpg.PostgresError) and not driver.is_closed():
        return
    # Killed mid-statement, asyncpg may also report its protocol's state (InternalClientError).
    await connection.invalidate(error)
    raise ConnectionLost(f"the database connection was lost: {error}") from error
