import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import workers.runtime
from kernel.settings import get_settings


@pytest.fixture
def on_test_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def current_database(sessions: async_sessionmaker[AsyncSession]) -> str | None:
    async with sessions() as session:
        return await session.scalar(text("SELECT current_database()"))


def test_a_job_runs_on_sessions_of_the_configured_database(on_test_database: None, database_url: str) -> None:
    assert workers.runtime.run(current_database) == make_url(database_url).database


def test_jobs_starting_at_once_in_several_threads_all_finish(
    on_test_database: None, database_url: str
) -> None:
    # The worker's threads each run their job's loop; their first connections, made at the same
    # instant, once left one thread waiting for ever (woken on the other thread's loop).
    threads = 4
    rounds = 5
    together = threading.Barrier(threads)
    results: list[str | None] = []

    async def first_query_together(sessions: async_sessionmaker[AsyncSession]) -> str | None:
        together.wait(timeout=30)
        return await current_database(sessions)

    def jobs() -> None:
        for _ in range(rounds):
            results.append(workers.runtime.run(first_query_together))

    running = [threading.Thread(target=jobs, daemon=True) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in running), "a job hung"
    assert results == [make_url(database_url).database] * (threads * rounds)
