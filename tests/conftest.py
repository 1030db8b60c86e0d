"""Fixtures shared by every test: a migrated PostgreSQL database and Redis db 15.

The database is ``silverstar_test`` on TEST_DATABASE_URL's server, or on the embedded
server (never DATABASE_URL's: tests must not touch the dev database). It is recreated and
migrated with Alembic once per run, so the migrations are tested. Each test runs inside
one outer transaction that is rolled back at the end; sessions join it through
savepoints, so code under test may commit.
"""

import os
import zlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import pytest_asyncio
import redis
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from adapters.embedded_servers import resolve_database_url, resolve_redis_url
from kernel.settings import get_settings
from persistence.db import create_engine
from persistence.migrate import run_migrations

TEST_DATABASE = "silverstar_test"
TEST_REDIS_DB = 15


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def database_url() -> AsyncIterator[str]:
    """The asyncpg URL of a freshly created and migrated test database."""
    settings = get_settings().model_copy(update={"database_url": os.environ.get("TEST_DATABASE_URL")})
    server_url = make_url(resolve_database_url(settings))
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        # Held for the whole run: a second concurrent run (another terminal, an editor's
        # test runner) gets a database of its own instead of dropping this one.
        name = TEST_DATABASE
        lock_key = zlib.crc32(TEST_DATABASE.encode())
        if not await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_key}):
            name = f"{TEST_DATABASE}_{os.getpid()}"
        await recreate_database(conn, name)
        url = server_url.set(database=name).render_as_string(hide_password=False)
        await run_migrations(url)
        yield url
        if name != TEST_DATABASE:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def recreate_database(conn: AsyncConnection, name: str) -> None:
    """Drop and create a database, from an AUTOCOMMIT connection to the same server."""
    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await conn.execute(text(f'CREATE DATABASE "{name}"'))


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis db 15 (TEST_REDIS_URL, else of the dev Redis), flushed once per run."""
    url = os.environ.get("TEST_REDIS_URL") or with_redis_db(resolve_redis_url(get_settings()), TEST_REDIS_DB)
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
    return url


def with_redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query)) | {"db": str(db)}
        return urlunsplit(parts._replace(query=urlencode(query)))
    return urlunsplit(parts._replace(path=f"/{db}"))


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def db_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=5, max_overflow=5)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def connection(db_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside the test's outer transaction, rolled back after the test."""
    async with db_engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def session_factory(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions that join the test's transaction: their commit() releases a savepoint.

    Hand it to the app under test in place of its own factory, so every request's session
    sees the test's data and everything it writes is rolled back with the test.
    """
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest_asyncio.fixture(loop_scope="session")
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


# Code that reads settings itself (the Dramatiq broker) must use the test Redis database too.
os.environ["REDIS_URL"] = os.environ.get("TEST_REDIS_URL") or with_redis_db(
    resolve_redis_url(get_settings()), TEST_REDIS_DB
)
get_settings.cache_clear()
