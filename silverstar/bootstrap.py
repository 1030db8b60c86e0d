"""Opening the runtime: servers (embedded when unconfigured), migrations, connections."""

import asyncio
import functools
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from adapters.embedded_servers import resolve_database_url, resolve_redis_url
from adapters.job_queue import DramatiqJobSender
from handlers.context import Runtime
from kernel.settings import Settings
from kernel.tokens import TokenService, load_jwt_secret
from persistence.db import create_engine, create_read_session_factory, create_session_factory
from persistence.migrate import run_migrations
from services.accounts import ensure_first_admin
from services.audit_reads import GroupedReadAudit
from services.caller_cache import CallerCache
from services.jobs import ACTOR_QUEUES
from services.outside_world import OutsideWorld
from workers.broker import build_broker

log = logging.getLogger(__name__)


def settle_collector(young_threshold: int) -> None:
    """Once the long-lived objects are loaded: take them out of the collector's view, and collect
    the young generation less often (GC_YOUNG_THRESHOLD)."""
    # The model brings millions of long-lived objects; rescanning them on every request cost
    # ~30 % of a list request's CPU. At CPython's default threshold the young generation was
    # still collected about once every 5 requests of a patient's page; at 20,000, once over
    # 300,000 requests, and the page cost 0.47 CPU ms instead of 0.56 (bench/scheduling.py,
    # runs K and L in bench/RESULTS.md).
    gc.freeze()
    gc.set_threshold(young_threshold, *gc.get_threshold()[1:])


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, migrate: bool = True, world: OutsideWorld | None = None
) -> AsyncIterator[Runtime]:
    """`world`: tests hand in theirs (a shared embedder); otherwise one is built from `settings`."""
    tokens = TokenService(settings, load_jwt_secret(settings))
    database_url = resolve_database_url(settings)
    if migrate:
        await run_migrations(database_url)
    engine = create_engine(
        database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    redis = Redis.from_url(resolve_redis_url(settings))
    session_factory = create_session_factory(engine)
    # The read audit's writer has a connection of its own: waiting for one behind the requests
    # whose reads it commits would hold all of them up.
    audit_engine = create_engine(database_url, pool_size=1, max_overflow=0)
    runtime = Runtime(
        settings=settings,
        session_factory=session_factory,
        read_session_factory=create_read_session_factory(engine),
        redis=redis,
        tokens=tokens,
        world=world or OutsideWorld(settings),
        # The broker is built on the first job sent: starting the API connects to no queue.
        job_sender=DramatiqJobSender(functools.partial(build_broker, settings), ACTOR_QUEUES),
        # Read-only sessions: each batch is one autocommit statement, no BEGIN and COMMIT around it.
        read_audit=GroupedReadAudit(create_read_session_factory(audit_engine)),
        callers=CallerCache(settings.caller_cache_seconds),
    )
    try:
        if settings.first_admin_email and settings.first_admin_password:
            async with runtime.session_factory.begin() as session:
                await ensure_first_admin(
                    session,
                    email=settings.first_admin_email,
                    password=settings.first_admin_password.get_secret_value(),
                )
        # Loading the embedding model takes seconds: start it now, off the event loop,
        # so the first question doesn't wait for it and readiness doesn't either.
        warm_up = asyncio.create_task(asyncio.to_thread(lambda: runtime.world.embedder))
        warm_up.add_done_callback(lambda _: settle_collector(settings.gc_young_threshold))
        yield runtime
        await warm_up
    finally:
        await redis.aclose()
        await engine.dispose()
        await audit_engine.dispose()
