"""Migration 0003: logged sources move from the API's camelCase keys to snake_case, and back."""

import asyncio
import json

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from persistence.migrate import alembic_config
from tests.persistence.test_migrations import scratch_database_url

__all__ = ["scratch_database_url"]

DOCUMENT_ID = "0b7c1c2e-7d4e-4c1a-9a57-1f0b1d1f7a10"


async def run_sql(url: str, sql: str, **params: object) -> list[object]:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:
        result = await conn.execute(text(sql), params)
        rows = list(result.scalars()) if result.returns_rows else []
    await engine.dispose()
    return rows


async def test_logged_sources_are_renamed_in_order_and_back(scratch_database_url: str) -> None:
    config = alembic_config(scratch_database_url)
    await asyncio.to_thread(command.upgrade, config, "0002_document_heartbeat")
    sources = [
        {"id": 1, "documentId": DOCUMENT_ID, "page": 2, "cited": True},
        {"id": 2, "documentId": DOCUMENT_ID, "page": 5, "cited": False},
    ]
    await run_sql(
        scratch_database_url,
        "INSERT INTO ai_logs (channel, query, response, source_documents, model, latency_ms) "
        "VALUES ('chat', 'q', 'a', CAST(:sources AS jsonb), 'm', 1), ('chat', 'q', 'a', '[]', 'm', 1)",
        sources=json.dumps(sources),
    )

    await asyncio.to_thread(command.upgrade, config, "0003_ai_log_snake_case")
    stored = await run_sql(
        scratch_database_url, "SELECT source_documents FROM ai_logs ORDER BY latency_ms, query"
    )
    renamed = [
        {"id": 1, "document_id": DOCUMENT_ID, "page": 2, "cited": True},
        {"id": 2, "document_id": DOCUMENT_ID, "page": 5, "cited": False},
    ]
    assert sorted(stored, key=len) == [[], renamed]

    await asyncio.to_thread(command.downgrade, config, "0002_document_heartbeat")
    stored = await run_sql(scratch_database_url, "SELECT source_documents FROM ai_logs")
    assert sorted(stored, key=len) == [[], sources]
