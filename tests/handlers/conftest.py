"""An app under test over HTTP (ASGI), sharing the test's rolled-back transaction."""

import functools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest_asyncio
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.job_queue import DramatiqJobSender
from handlers.context import Runtime
from kernel.settings import Settings
from kernel.tokens import TokenService
from persistence.models import User
from services.audit_reads import GroupedReadAudit
from services.caller_cache import CallerCache
from services.jobs import ACTOR_QUEUES
from silverstar.app import create_app
from tests.factories import make_user
from tests.outside_world import SharedModelsWorld
from workers.broker import build_broker

TEST_JWT_SECRET = "test-secret-" + "x" * 40

AuthHeaders = Callable[[User], dict[str, str]]


@pytest_asyncio.fixture(loop_scope="session")
async def runtime(
    session_factory: async_sessionmaker[AsyncSession], redis_url: str, tmp_path: Path
) -> AsyncIterator[Runtime]:
    settings = Settings(
        environment="test",
        jwt_secret=TEST_JWT_SECRET,
        data_dir=tmp_path / "data",
        # Per test: counters and job queues in Redis never leak between tests, nor between runs.
        redis_key_prefix=f"test:{uuid.uuid4().hex}:",
    )
    redis = Redis.from_url(redis_url)
    yield Runtime(
        settings=settings,
        session_factory=session_factory,
        redis=redis,
        tokens=TokenService(settings, TEST_JWT_SECRET),
        world=SharedModelsWorld(settings),
        # The real sender, on the test Redis under the test's prefix: tests read what was queued.
        job_sender=DramatiqJobSender(functools.partial(build_broker, settings), ACTOR_QUEUES),
        read_audit=GroupedReadAudit(session_factory),
        callers=CallerCache(settings.caller_cache_seconds),
    )
    await redis.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.settings, runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
def auth_headers(runtime: Runtime) -> AuthHeaders:
    def headers(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {runtime.tokens.issue(user.id, user.role)}"}

    return headers


@pytest_asyncio.fixture(loop_scope="session")
async def admin(session: AsyncSession) -> User:
    return await make_user(session, "admin", name="Ada Admin")


@pytest_asyncio.fixture(loop_scope="session")
async def patient(session: AsyncSession) -> User:
    return await make_user(session, "patient", name="Pat Patient")


@pytest_asyncio.fixture(loop_scope="session")
async def doctor(session: AsyncSession) -> User:
    return await make_user(session, "doctor", name="Dr. Dora", specialty="Cardiology")


MakeUser = Callable[..., Awaitable[User]]
