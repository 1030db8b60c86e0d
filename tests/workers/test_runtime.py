import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import workers.runtime
from silverstar.settings import get_settings


def test_a_job_runs_on_sessions_of_the_configured_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(workers.runtime, "_session_factory", None)
    get_settings.cache_clear()

    async def current_database(sessions: async_sessionmaker[AsyncSession]) -> str | None:
        async with sessions() as session:
            return await session.scalar(text("SELECT current_database()"))

    try:
        assert workers.runtime.run(current_database) == make_url(database_url).database
    finally:
        get_settings.cache_clear()
