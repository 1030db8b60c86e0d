"""The worker process's heartbeat: written while its threads make progress (`services.worker_health`).

A thread stuck on one message for longer than its actor's time limit (plus a margin) is a
stall: Dramatiq's time limit should have interrupted it, so something below Python (a
lock, a C library) holds it. The heartbeat then stops, and `/ready` and the compose health
check see the worker as down.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware
from redis import Redis

from adapters.embedded_servers import resolve_redis_url
from kernel.settings import get_settings
from services.worker_health import HEARTBEAT_INTERVAL_SECONDS, record_heartbeat, withdraw_heartbeat

logger = logging.getLogger(__name__)

# Dramatiq's own default when an actor sets no time_limit.
DEFAULT_TIME_LIMIT_MS = 600_000
STALL_MARGIN_SECONDS = 60.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def consumed_queues(broker: dramatiq.Broker, worker: dramatiq.Worker) -> set[str]:
    """The queues this worker consumes (`--queues`, else every declared one)."""
    return set(worker.consumer_whitelist or broker.get_declared_queues())


class WorkerHeartbeat(Middleware):
    def __init__(
        self, interval: float = HEARTBEAT_INTERVAL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._stop = threading.Event()
        self._lock = threading.Lock()
        # Thread id → (when its message started, the longest it may take), for threads at work.
        self._busy: dict[int, tuple[float, float]] = {}
        self._queues: tuple[str, ...] = ()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._queues = tuple(sorted(consumed_queues(broker, worker)))
        self._stop.clear()
        threading.Thread(target=self._loop, name="worker-heartbeat", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()
        try:
            with self._redis() as redis:
                withdraw_heartbeat(redis, get_settings().redis_key_prefix, self._queues, worker_name())
        except Exception:
            logger.warning("could not withdraw the worker heartbeat", exc_info=True)

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        limit_ms = broker.get_actor(message.actor_name).options.get("time_limit", DEFAULT_TIME_LIMIT_MS)
        with self._lock:
            self._busy[threading.get_ident()] = (self._clock(), limit_ms / 1000 + STALL_MARGIN_SECONDS)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any | None = None,
        exception: BaseException | None = None,
    ) -> None:
        self._done()

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._done()

    def _done(self) -> None:
        with self._lock:
            self._busy.pop(threading.get_ident(), None)

    def stalled(self) -> bool:
        now = self._clock()
        with self._lock:
            return any(now - started > allowed for started, allowed in self._busy.values())

    @staticmethod
    def _redis() -> Redis:
        return Redis.from_url(resolve_redis_url(get_settings()), socket_timeout=5, socket_connect_timeout=5)

    def _loop(self) -> None:
        prefix = get_settings().redis_key_prefix
        with self._redis() as redis:
            while not self._stop.is_set():
                if self.stalled():
                    logger.error("a worker thread is stuck past its time limit; heartbeat withheld")
                else:
                    try:
                        record_heartbeat(redis, prefix, self._queues, worker_name())
                    except Exception:
                        logger.warning("could not record the worker heartbeat", exc_info=True)
                self._stop.wait(self._interval)
