from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence import driver
from persistence.db import create_read_session_factory, create_session_factory

BACKEND = "SELECT pg_backend_pid()"


async def test_a_read_only_sessions_statement_takes_a_pooled_connection_and_gives_it_back(
    db_engine: AsyncEngine,
) -> None:
    pool = db_engine.sync_engine.pool
    async with create_read_session_factory(db_engine)() as session:
        row = await driver.fetchrow(session, "SELECT 41 + 1")

        assert row is not None and row[0] == 42
        assert not session.in_transaction()
        assert pool.checkedout() == 0


async def test_once_a_read_only_session_holds_a_connection_its_asyncpg_statements_run_on_it(
    db_engine: AsyncEngine,
) -> None:
    pool = db_engine.sync_engine.pool
    async with create_read_session_factory(db_engine)() as session:
        own = await session.scalar(text(BACKEND))
        row = await driver.fetchrow(session, BACKEND)

        assert row is not None and row[0] == own
        assert pool.checkedout() == 1


async def test_a_writing_sessions_asyncpg_statements_see_its_uncommitted_rows(db_engine: AsyncEngine) -> None:
    async with create_session_factory(db_engine)() as session:
        await session.execute(text("CREATE TEMPORARY TABLE driver_probe (n int) ON COMMIT DROP"))
        await session.execute(text("INSERT INTO driver_probe VALUES (7)"))
        row = await driver.fetchrow(session, "SELECT n FROM driver_probe")
        await session.rollback()

    assert row is not None and row[0] == 7
