"""Statements run by asyncpg itself, on a session's connection: for the reads on every request's path.

Through SQLAlchemy (statement building, its cache keys, the asyncio adaptation, ORM loading) a
statement costs this server 0.3–0.5 ms of CPU; asyncpg alone, with its prepared-statement
cache, about 0.1 ms. The reads that run on nearly every request (the caller behind a token,
a page of appointments, a doctor's working hours and busy periods) are written as SQL and run
here, on the session's own connection: inside the session's transaction once it has begun
one, so they see what the request wrote and run under the locks it took.
"""

from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

# What a connection closed under us raises (a database restart, a terminated backend).
_DISCONNECTED = (
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    OSError,
)


async def fetch(session: AsyncSession, statement: str, *args: Any) -> list[asyncpg.Record]:
    connection = await session.connection()
    try:
        rows: list[asyncpg.Record] = await (await _driver(connection)).fetch(statement, *args)
    except _DISCONNECTED as error:
        await _invalidate(connection, error)
        raise
    return rows


async def fetchrow(session: AsyncSession, statement: str, *args: Any) -> asyncpg.Record | None:
    connection = await session.connection()
    try:
        row: asyncpg.Record | None = await (await _driver(connection)).fetchrow(statement, *args)
    except _DISCONNECTED as error:
        await _invalidate(connection, error)
        raise
    return row


async def _driver(connection: AsyncConnection) -> asyncpg.Connection:
    pooled = await connection.get_raw_connection()
    return pooled.driver_connection


async def _invalidate(connection: AsyncConnection, error: BaseException) -> None:
    # SQLAlchemy discards a connection that failed under it; one that failed here, behind its
    # back, would otherwise go back to the pool and fail the next request too.
    await connection.invalidate(error)
