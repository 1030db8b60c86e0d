"""/ready: the database, Redis, and a live worker on every queue (a fresh heartbeat)."""

from httpx import AsyncClient
from redis import Redis

from handlers.context import Runtime
from services.worker_health import (
    HEARTBEAT_FRESH_SECONDS,
    WORKER_QUEUES,
    heartbeat_key,
    record_heartbeat,
)


def _sync_redis(redis_url: str) -> Redis:
    return Redis.from_url(redis_url)


async def test_ready_when_every_queue_has_a_worker_with_a_fresh_heartbeat(
    client: AsyncClient, runtime: Runtime, redis_url: str
) -> None:
    with _sync_redis(redis_url) as redis:
        record_heartbeat(redis, runtime.settings.redis_key_prefix, WORKER_QUEUES, "host-a:100")

    response = await client.get("/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "workers": "ok"}}


async def test_no_worker_heartbeat_is_a_503_naming_the_workers(client: AsyncClient) -> None:
    response = await client.get("/ready")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "workers": "unavailable"}


async def test_a_dead_worker_whose_heartbeat_went_stale_is_a_503(
    client: AsyncClient, runtime: Runtime, redis_url: str
) -> None:
    prefix = runtime.settings.redis_key_prefix
    with _sync_redis(redis_url) as redis:
        seconds, _ = redis.time()
        for queue in WORKER_QUEUES:
            redis.zadd(heartbeat_key(prefix, queue), {"host-a:100": seconds - HEARTBEAT_FRESH_SECONDS - 1})

    response = await client.get("/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["workers"] == "unavailable"


async def test_a_queue_without_a_worker_is_a_503_even_when_another_has_one(
    client: AsyncClient, runtime: Runtime, redis_url: str
) -> None:
    with _sync_redis(redis_url) as redis:
        record_heartbeat(redis, runtime.settings.redis_key_prefix, ("documents",), "host-a:100")

    response = await client.get("/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["workers"] == "unavailable"
