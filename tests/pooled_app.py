"""An app under test over its own connection pool, for what a shared test transaction can't show:
concurrent requests, an exhausted pool, connections killed under the app.

Rows it needs are committed (the app's sessions can't see the test's transaction) and
deleted again on leaving.
"""

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.context import Runtime
from persistence.db import create_engine, create_read_session_factory, create_session_factory
from persistence.models import User
from silverstar.app import create_app
from tests.factories import make_user


@dataclasses.dataclass
class PooledApp:
    engine: AsyncEngine
    runtime: Runtime
    client: httpx.AsyncClient
    _user_ids: list[uuid.UUID] = dataclasses.field(default_factory=list)

    async def committed_user(self, role: str = "patient") -> User:
        async with create_session_factory(self.engine).begin() as session:
            user = await make_user(session, role)
        self._user_ids.append(user.id)
        return user


@asynccontextmanager
async def pooled_app(runtime: Runtime, database_url: str, **pool: Any) -> AsyncIterator[PooledApp]:
    """`runtime` with its session factories replaced by ones over a pool of `pool` options,
    as silverstar/bootstrap.py makes them (GET requests read in read-only sessions)."""
    engine = create_engine(database_url, **pool)
    pooled = dataclasses.replace(
        runtime,
        session_factory=create_session_factory(engine),
        read_session_factory=create_read_session_factory(engine),
    )
    app = create_app(pooled.settings, pooled)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        state = PooledApp(engine, pooled, client)
        try:
            yield state
        finally:
            if state._user_ids:
                async with create_session_factory(engine).begin() as session:
                    await session.execute(delete(User).where(User.id.in_(state._user_ids)))
            await engine.dispose()
