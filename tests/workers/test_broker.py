"""The broker: built by a function (importing it connects nowhere), its Redis keys under REDIS_KEY_PREFIX."""

import functools
import subprocess
import sys
import uuid

import redis

from adapters.job_queue import DramatiqJobSender
from kernel.settings import Settings
from services.jobs import ACTOR_QUEUES, INGEST_DOCUMENT
from services.worker_health import DOCUMENTS_QUEUE
from workers.broker import build_broker


def _deployment(redis_url: str) -> tuple[Settings, DramatiqJobSender]:
    settings = Settings(redis_url=redis_url, redis_key_prefix=f"test-{uuid.uuid4().hex[:8]}:")
    return settings, DramatiqJobSender(functools.partial(build_broker, settings), ACTOR_QUEUES)


def test_two_deployments_on_one_redis_keep_their_jobs_apart(redis_url: str) -> None:
    (first_settings, first), (second_settings, second) = _deployment(redis_url), _deployment(redis_url)
    first.enqueue(INGEST_DOCUMENT, "first-deployments-document")
    with redis.Redis.from_url(redis_url) as client:
        assert client.exists(f"{first_settings.redis_key_prefix}dramatiq:{DOCUMENTS_QUEUE}")
        assert not client.keys(f"{second_settings.redis_key_prefix}*")
        assert not client.exists(f"dramatiq:{DOCUMENTS_QUEUE}")

    nothing = second.broker.consume(DOCUMENTS_QUEUE, prefetch=1, timeout=100)
    assert next(nothing) is None
    consumer = first.broker.consume(DOCUMENTS_QUEUE, prefetch=1, timeout=100)
    message = next(consumer)
    assert message is not None
    assert (message.actor_name, message.args) == (INGEST_DOCUMENT, ("first-deployments-document",))
    consumer.ack(message)


def test_the_dead_letter_ttl_follows_its_setting(redis_url: str) -> None:
    broker = build_broker(Settings(redis_url=redis_url, job_dead_letter_ttl_days=3))
    assert broker.dead_message_ttl == 3 * 24 * 3600 * 1000


def test_importing_the_broker_and_the_api_starts_no_broker() -> None:
    # A fresh interpreter: were a broker built on import, Dramatiq's global one would be set.
    code = (
        "import dramatiq.broker, workers.broker, silverstar.app, silverstar.cli; "
        "assert dramatiq.broker.global_broker is None, dramatiq.broker.global_broker; "
        "import sys; assert not {'workers.actors', 'workers.documents', 'workers.calls'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
