import asyncio
import logging

from sqlalchemy import text

from generated import models as api
from handlers.context import RequestContext
from kernel.errors import ServiceUnavailable
from services.worker_health import queues_without_workers

log = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0


async def _database_answers(ctx: RequestContext) -> bool:
    try:
        await asyncio.wait_for(ctx.session.execute(text("SELECT 1")), CHECK_TIMEOUT_SECONDS)
        return True
    except Exception:
        log.warning("readiness: the database does not answer", exc_info=True)
        return False


async def _redis_answers(ctx: RequestContext) -> bool:
    try:
        return bool(await asyncio.wait_for(ctx.runtime.redis.ping(), CHECK_TIMEOUT_SECONDS))
    except Exception:
        log.warning("readiness: Redis does not answer", exc_info=True)
        return False


async def _workers_alive(ctx: RequestContext) -> bool:
    """Every queue has a worker whose heartbeat is fresh (a dead or stalled one stops sending it)."""
    try:
        missing = await asyncio.wait_for(
            queues_without_workers(ctx.runtime.redis, ctx.runtime.settings.redis_key_prefix),
            CHECK_TIMEOUT_SECONDS,
        )
    except Exception:
        log.warning("readiness: could not read the worker heartbeats", exc_info=True)
        return False
    if missing:
        log.warning("readiness: no live worker on the queues %s", ", ".join(missing))
    return not missing


def _status(ok: bool) -> api.CheckStatus:
    return api.CheckStatus.ok if ok else api.CheckStatus.unavailable


class HealthHandlers:
    async def get_health(self, ctx: RequestContext) -> api.Health:
        return api.Health(status=api.Status.ok)

    async def get_readiness(self, ctx: RequestContext) -> api.Readiness:
        database, redis = await _database_answers(ctx), await _redis_answers(ctx)
        workers = redis and await _workers_alive(ctx)
        checks = api.ReadinessChecks(
            database=_status(database), redis=_status(redis), workers=_status(workers)
        )
        if not (database and redis and workers):
            raise ServiceUnavailable("A dependency is unavailable.", checks=checks.model_dump(mode="json"))
        return api.Readiness(status=api.CheckStatus.ok, checks=checks)
