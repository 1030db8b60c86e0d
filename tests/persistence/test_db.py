from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.db import WriteInReadOnlySession, create_read_session_factory
from persistence.models import Service, User, UserRole


async def test_a_read_only_session_reads_without_a_transaction(db_engine: AsyncEngine) -> None:
    async with create_read_session_factory(db_engine)() as session:
        await session.scalar(select(Service.id).limit(1))
        # Outside a transaction each statement gets its own transaction id.
        first = await session.scalar(text("SELECT txid_current()"))
        second = await session.scalar(text("SELECT txid_current()"))
        assert first != second


async def test_a_read_only_session_refuses_to_flush(db_engine: AsyncEngine) -> None:
    async with create_read_session_factory(db_engine)() as session:
        session.add(User(email="ro@silverstar.test", password_hash="x", role=UserRole.patient, name="RO"))
        with pytest.raises(WriteInReadOnlySession):
            await session.flush()


async def test_a_read_only_session_refuses_update_statements(db_engine: AsyncEngine) -> None:
    async with create_read_session_factory(db_engine)() as session:
        with pytest.raises(WriteInReadOnlySession):
            await session.execute(update(Service).values(updated_at=datetime.now(UTC)))
