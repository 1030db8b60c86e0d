"""What sits in Dramatiq's Redis queues: queued, running, delayed and dead-lettered jobs.

Dramatiq's Redis layout (its dispatch.lua), under the broker's namespace `ns`, per queue `q`:
`ns:q` lists the ids waiting, `ns:q.msgs` holds every message not yet acknowledged (so also
those a worker has fetched), `ns:q.DQ` / `ns:q.DQ.msgs` the same for delayed messages
(retries waiting for their backoff), and `ns:q.XQ` (a sorted set by time of death) with
`ns:q.XQ.msgs` the dead letters: jobs that failed with no retry left. Dead letters are
dropped after the broker's `dead_message_ttl` (7 days by default; JOB_DEAD_LETTER_TTL_DAYS).

A dead letter as Dramatiq stores it is the message as last queued, which holds the error of
the attempt before the last one, if any; `DeadLetterErrors` stores the final error with it.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import dq_name, q_name, xq_name

log = logging.getLogger(__name__)

JobState = Literal["queued", "running", "delayed", "dead"]
# Options Dramatiq's retries and delays leave on a message; a re-queued dead job starts afresh.
_ATTEMPT_OPTIONS = frozenset({"retries", "traceback", "requeue_timestamp", "eta", "redis_message_id"})


@dataclass(frozen=True)
class QueuedJob:
    queue: str
    state: JobState
    redis_id: str
    message_id: str
    actor_name: str
    args: tuple[Any, ...]
    enqueued_at: datetime
    retries: int
    # The last error's traceback, as Dramatiq's retries recorded it.
    error: str | None
    # Delayed: when it becomes due; dead: when it died.
    at: datetime | None


def _time(millis: float) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def _key(broker: RedisBroker, name: str) -> str:
    return f"{broker.namespace}:{name}"


def _job(queue: str, state: JobState, redis_id: str, data: bytes | str, at: datetime | None) -> QueuedJob:
    message = _decode(data)
    options = message.options
    if state == "delayed" and "eta" in options:
        at = _time(options["eta"])
    return QueuedJob(
        queue=queue,
        state=state,
        redis_id=redis_id,
        message_id=message.message_id,
        actor_name=message.actor_name,
        args=message.args,
        enqueued_at=_time(message.message_timestamp),
        retries=int(options.get("retries", 0)),
        error=options.get("traceback"),
        at=at,
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _decode(data: bytes | str) -> dramatiq.Message[Any]:
    return dramatiq.Message.decode(data.encode() if isinstance(data, str) else data)


def list_jobs(broker: RedisBroker, queue: str) -> list[QueuedJob]:
    """Every job of `queue` not yet done: running, queued (in queue order), delayed, then dead."""
    client = broker.client
    waiting = [_text(i) for i in client.lrange(_key(broker, queue), 0, -1)]
    messages = {_text(i): data for i, data in client.hgetall(_key(broker, f"{queue}.msgs")).items()}
    running = [_job(queue, "running", i, data, None) for i, data in messages.items() if i not in waiting]
    jobs = sorted(running, key=lambda job: job.enqueued_at)
    jobs += [_job(queue, "queued", i, messages[i], None) for i in waiting if i in messages]
    delayed = client.hgetall(_key(broker, f"{dq_name(queue)}.msgs")).items()
    jobs += sorted(
        (_job(queue, "delayed", _text(i), data, None) for i, data in delayed),
        key=lambda job: job.at or job.enqueued_at,
    )
    dead_key = _key(broker, xq_name(queue))
    dead: list[tuple[bytes, float]] = client.zrange(dead_key, 0, -1, withscores=True)  # type: ignore[assignment]
    stored = client.hmget(_key(broker, f"{xq_name(queue)}.msgs"), [i for i, _ in dead]) if dead else []
    for (redis_id, died), data in zip(dead, stored, strict=True):
        if data is not None:  # expired between the two reads
            jobs.append(_job(queue, "dead", _text(redis_id), data, _time(died)))
    return jobs


def requeue_dead(broker: RedisBroker, queue: str, redis_ids: list[str] | None = None) -> list[QueuedJob]:
    """Puts dead jobs (all of `queue`'s, or those named) back on their queue, as fresh attempts.

    Sent first, then removed from the dead letters: a crash in between leaves a copy in both,
    never in neither (actors are idempotent).
    """
    requeued = []
    for job in list_jobs(broker, queue):
        if job.state != "dead" or (redis_ids is not None and job.redis_id not in redis_ids):
            continue
        data = broker.client.hget(_key(broker, f"{xq_name(queue)}.msgs"), job.redis_id)
        if data is None:
            continue
        message = _decode(data)
        options = {k: v for k, v in message.options.items() if k not in _ATTEMPT_OPTIONS}
        broker.enqueue(
            dramatiq.Message(
                queue_name=q_name(message.queue_name),
                actor_name=message.actor_name,
                args=message.args,
                kwargs=message.kwargs,
                options=options,
                message_id=message.message_id,
            )
        )
        broker.client.zrem(_key(broker, xq_name(queue)), job.redis_id)
        broker.client.hdel(_key(broker, f"{xq_name(queue)}.msgs"), job.redis_id)
        requeued.append(job)
    return requeued


class DeadLetterErrors(dramatiq.Middleware):
    """Stores a dead job as it failed last (its retry count and final traceback), for `list_jobs`."""

    def after_nack(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        if not isinstance(broker, RedisBroker):
            return
        redis_id = message.options.get("redis_message_id")
        key = _key(broker, f"{xq_name(q_name(message.queue_name))}.msgs")
        try:
            if redis_id and broker.client.hexists(key, redis_id):
                broker.client.hset(key, redis_id, dramatiq.get_encoder().encode(message.asdict()))
        except Exception:
            log.warning("could not record why message %s died", message.message_id, exc_info=True)
