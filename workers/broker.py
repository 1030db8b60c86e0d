"""The Dramatiq broker on Redis, built by a function: importing this module connects to nothing.

`build_broker` is the one place a broker is made, for the worker processes and for the
processes that only send (the API and the CLI, through adapters.job_queue); middleware that
must run on both sides (e.g. carrying context into messages) is added there.
`worker_broker` is the worker's own: built once, set as Dramatiq's global broker, which the
actor modules declare their actors on (`dramatiq workers.actors` imports them).
"""

import functools

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from adapters.embedded_servers import resolve_redis_url
from adapters.job_queue import broker_namespace
from adapters.queued_jobs import DeadLetterErrors
from kernel.settings import Settings, get_settings
from workers.job_metrics import JobMetrics
from workers.tracing import SignalsAtBoot, TraceContextMiddleware

DAY_MS = 24 * 3600 * 1000


def build_broker(settings: Settings) -> RedisBroker:
    """A broker on the configured Redis, its keys under REDIS_KEY_PREFIX (resolving the URL
    may start the embedded Redis in development)."""
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=resolve_redis_url(settings),
        namespace=broker_namespace(settings.redis_key_prefix),
        dead_message_ttl=settings.job_dead_letter_ttl_days * DAY_MS,
    )
    # Every message carries the trace and request id of whatever queued it, whoever enqueues it.
    for middleware in (DeadLetterErrors(), SignalsAtBoot(), TraceContextMiddleware(), JobMetrics()):
        broker.add_middleware(middleware)
    return broker


@functools.cache
def worker_broker() -> RedisBroker:
    """The worker process's broker, set as Dramatiq's global one before any actor is declared."""
    broker = build_broker(get_settings())
    dramatiq.set_broker(broker)
    return broker
