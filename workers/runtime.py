"""What every actor shares: this process's session factory, and running a coroutine on it.

Each actor runs its coroutine with `asyncio.run`, so each job brings a new event loop. The
engine uses NullPool: asyncpg connections belong to the loop that opened them, so none may
be kept for the next job.
"""

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.embedded_servers import resolve_database_url
from persistence.db import create_session_factory
from silverstar.settings import get_settings

T = TypeVar("T")

_session_factory: async_sessionmaker[AsyncSession] | None = None
_session_factory_lock = threading.Lock()


def sessions() -> async_sessionmaker[AsyncSession]:
    """This process's session factory, made on first use."""
    global _session_factory
    with _session_factory_lock:
        if _session_factory is None:
            # Not persistence.db.create_engine: its pool sizes are refused with NullPool.
            engine = create_async_engine(resolve_database_url(get_settings()), poolclass=NullPool)
            _session_factory = create_session_factory(engine)
        return _session_factory


def run(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """`work` on this process's sessions, in an event loop of its own."""

    async def main() -> T:
        return await work(sessions())

    return asyncio.run(main())
