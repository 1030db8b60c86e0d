"""Migration 0002: documents.heartbeat_at comes and goes with upgrade and downgrade."""

import asyncio

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from persistence.migrate import alembic_config, upgrade_head
from tests.persistence.test_migrations import scratch_database_url

__all__ = ["scratch_database_url"]


async def document_columns(url: str) -> set[str]:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = 'documents'")
        )
        columns = set(rows.scalars())
    await engine.dispose()
    return columns


async def test_the_heartbeat_column_is_added_and_removed(scratch_database_url: str) -> None:
    config = alembic_config(scratch_database_url)

    await asyncio.to_thread(upgrade_head, scratch_database_url)
    assert "heartbeat_at" in await document_columns(scratch_database_url)

    await asyncio.to_thread(command.downgrade, config, "0001")
    assert "heartbeat_at" not in await document_columns(scratch_database_url)
    assert "processing_started_at" in await document_columns(scratch_database_url)
