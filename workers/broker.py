"""The Dramatiq broker on Redis; imported before any actor is declared."""

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from adapters.embedded_servers import resolve_redis_url
from kernel.settings import get_settings
from workers.job_metrics import JobMetrics
from workers.tracing import SignalsAtBoot, TraceContextMiddleware

broker = RedisBroker(url=resolve_redis_url(get_settings()))  # type: ignore[no-untyped-call]
# Every message carries the trace and request id of whatever queued it, whoever enqueues it.
for middleware in (SignalsAtBoot(), TraceContextMiddleware(), JobMetrics()):
    broker.add_middleware(middleware)
dramatiq.set_broker(broker)
