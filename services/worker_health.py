"""Worker heartbeats in Redis: which queues have a live worker right now.

Each worker process records every few seconds, per queue it consumes, that it is alive and
not stalled (a sorted set per queue: member `host:pid`, score the Redis server's clock, so
the clocks of API and worker machines never disagree). `/ready` answers 503 while a queue
has no fresh heartbeat; `silverstar worker-health` checks this host's own.
"""

from redis import Redis
from redis.asyncio import Redis as AsyncRedis

# The worker queues: phone turns never wait behind document ingestion.
CALLS_QUEUE = "calls"
DOCUMENTS_QUEUE = "documents"
WORKER_QUEUES = (CALLS_QUEUE, DOCUMENTS_QUEUE)

HEARTBEAT_INTERVAL_SECONDS = 5.0
# A heartbeat older than this is a dead or stalled worker.
HEARTBEAT_FRESH_SECONDS = 30.0
# Members this old are forgotten (a worker that died long ago).
_FORGET_AFTER_SECONDS = 3600.0


def heartbeat_key(prefix: str, queue: str) -> str:
    return f"{prefix}worker-heartbeats:{queue}"


def _seconds(server_time: tuple[int, int]) -> float:
    return server_time[0] + server_time[1] / 1_000_000


def record_heartbeat(redis: Redis, prefix: str, queues: tuple[str, ...], worker: str) -> None:
    now = _seconds(redis.time())
    with redis.pipeline(transaction=True) as pipe:
        for queue in queues:
            pipe.zadd(heartbeat_key(prefix, queue), {worker: now})
            pipe.zremrangebyscore(heartbeat_key(prefix, queue), "-inf", now - _FORGET_AFTER_SECONDS)
        pipe.execute()


def withdraw_heartbeat(redis: Redis, prefix: str, queues: tuple[str, ...], worker: str) -> None:
    """A worker shutting down cleanly is gone at once, not after the heartbeat goes stale."""
    with redis.pipeline(transaction=True) as pipe:
        for queue in queues:
            pipe.zrem(heartbeat_key(prefix, queue), worker)
        pipe.execute()


def fresh_workers(redis: Redis, prefix: str, queue: str) -> list[str]:
    """The workers (`host:pid`) with a fresh heartbeat on `queue`."""
    now = _seconds(redis.time())
    members = redis.zrangebyscore(heartbeat_key(prefix, queue), now - HEARTBEAT_FRESH_SECONDS, "+inf")
    return [member.decode() if isinstance(member, bytes) else str(member) for member in members]


async def queues_without_workers(redis: AsyncRedis, prefix: str) -> list[str]:
    """The queues no worker has sent a fresh heartbeat for."""
    now = _seconds(await redis.time())
    async with redis.pipeline(transaction=False) as pipe:
        for queue in WORKER_QUEUES:
            pipe.zcount(heartbeat_key(prefix, queue), now - HEARTBEAT_FRESH_SECONDS, "+inf")
        counts = await pipe.execute()
    return [queue for queue, count in zip(WORKER_QUEUES, counts, strict=True) if not count]
