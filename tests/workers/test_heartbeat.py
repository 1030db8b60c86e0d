"""A worker's heartbeat (`workers.heartbeat`) and the check compose runs on it (`silverstar worker-health`):
a live worker is seen, a stalled or dead one is not."""

import socket
import time
import uuid
from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from redis import Redis

from kernel.settings import get_settings
from services.worker_health import DOCUMENTS_QUEUE, HEARTBEAT_FRESH_SECONDS, fresh_workers, heartbeat_key
from silverstar.cli import main
from workers.heartbeat import STALL_MARGIN_SECONDS, WorkerHeartbeat, worker_name

TIME_LIMIT_MS = 10_000
# Bounds a wait for the heartbeat thread; it measures nothing.
WAIT_SECONDS = 30.0


@pytest.fixture
def prefix(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The key prefix of this test's worker settings (REDIS_URL is the test Redis already)."""
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    monkeypatch.setenv("REDIS_KEY_PREFIX", prefix)
    get_settings.cache_clear()
    yield prefix
    get_settings.cache_clear()


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    with Redis.from_url(redis_url) as client:
        yield client


def _wait_until(condition: object, what: str) -> None:
    assert callable(condition)
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"not within {WAIT_SECONDS} s: {what}"
        time.sleep(0.02)


def test_a_thread_stuck_past_its_time_limit_withholds_the_heartbeat_until_it_moves_on(
    prefix: str, redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    broker = StubBroker()
    broker.declare_queue(DOCUMENTS_QUEUE)

    def ingest(document_id: str) -> None:
        pass

    actor = dramatiq.actor(
        ingest,
        broker=broker,
        actor_name="documents.ingest",
        queue_name=DOCUMENTS_QUEUE,
        time_limit=TIME_LIMIT_MS,
    )
    message = dramatiq.broker.MessageProxy(actor.message("d-1"))
    now = [1000.0]
    heartbeat = WorkerHeartbeat(interval=0.02, clock=lambda: now[0])
    worker = dramatiq.Worker(broker, queues={DOCUMENTS_QUEUE}, worker_threads=1)
    me = worker_name()

    def live() -> bool:
        return me in fresh_workers(redis, prefix, DOCUMENTS_QUEUE)

    def withheld() -> int:
        return sum("heartbeat withheld" in record.getMessage() for record in caplog.records)

    heartbeat.after_worker_boot(broker, worker)
    try:
        _wait_until(live, "a first heartbeat")

        heartbeat.before_process_message(broker, message)
        now[0] += TIME_LIMIT_MS / 1000  # working, within the time limit
        assert not heartbeat.stalled()
        now[0] += STALL_MARGIN_SECONDS + 1  # past the limit and the margin: stuck
        assert heartbeat.stalled()
        _wait_until(lambda: withheld() >= 1, "the stall noticed")
        redis.delete(heartbeat_key(prefix, DOCUMENTS_QUEUE))
        seen = withheld()
        _wait_until(lambda: withheld() >= seen + 2, "two more rounds of the heartbeat thread")
        assert not live()

        heartbeat.after_process_message(broker, message)
        assert not heartbeat.stalled()
        _wait_until(live, "the heartbeat back once the thread moved on")
    finally:
        heartbeat.before_worker_shutdown(broker, worker)
    assert not live()  # a clean shutdown withdraws it at once


def _worker_health(queue: str) -> int:
    """The command's exit status (it returns normally when healthy)."""
    try:
        main(["worker-health", queue])
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_worker_health_passes_only_for_a_fresh_heartbeat_of_this_host(prefix: str, redis: Redis) -> None:
    key = heartbeat_key(prefix, DOCUMENTS_QUEUE)
    seconds, _ = redis.time()
    host = socket.gethostname()

    assert _worker_health(DOCUMENTS_QUEUE) == 1  # no worker at all

    redis.zadd(key, {f"{host}:101": seconds - HEARTBEAT_FRESH_SECONDS - 5, "another-host:102": seconds})
    assert _worker_health(DOCUMENTS_QUEUE) == 1  # this host's went stale; another host's is not ours

    redis.zadd(key, {f"{host}:103": seconds})
    assert _worker_health(DOCUMENTS_QUEUE) == 0
    assert _worker_health("calls") == 1
    redis.delete(key)
