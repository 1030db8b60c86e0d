"""The Dramatiq broker on Redis; imported before any actor is declared."""

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from adapters.embedded_servers import resolve_redis_url
from kernel.settings import get_settings

broker = RedisBroker(url=resolve_redis_url(get_settings()))  # type: ignore[no-untyped-call]
dramatiq.set_broker(broker)
