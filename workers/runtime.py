"""What every actor shares: running its coroutine, in an event loop of its own, on the database.

Each job runs with `asyncio.run`, so each brings a new event loop, and each loop gets an
engine of its own (NullPool, disposed at the end). Nothing asynchronous may outlive its
loop or be shared between two: SQLAlchemy guards an engine's first connection with an
asyncio.Lock, and when two worker threads made the first connections of one shared engine
at once, the thread that waited was woken on the other thread's loop, never on its own:
its job hung for good (a document stayed pending until the sweep re-sent it).
"""

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.embedded_servers import resolve_database_url
from kernel.settings import get_settings
from kernel.telemetry import instrument_engine
from persistence.db import create_session_factory
from services.outside_world import OutsideWorld

T = TypeVar("T")

_world: OutsideWorld | None = None
_world_lock = threading.Lock()


def world() -> OutsideWorld:
    """This worker process's outside world, opened on first use and shared by its threads."""
    global _world
    with _world_lock:
        if _world is None:
            _world = OutsideWorld(get_settings())
        return _world


def use_world(opened: OutsideWorld) -> None:
    """Hands this process the world its actors use (tests and benchmarks bring their own)."""
    global _world
    with _world_lock:
        _world = opened


def run(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """`work` on sessions of an engine of its own, in an event loop of its own."""

    async def main() -> T:
        # Not persistence.db.create_engine: its pool sizes are refused with NullPool.
        url = resolve_database_url(get_settings())
        engine = instrument_engine(create_async_engine(url, poolclass=NullPool))
        try:
            return await work(create_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())
