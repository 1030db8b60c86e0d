"""Job metrics (processed, failed, retried, dead-lettered, durations, in progress) for Prometheus.

The same counts Dramatiq's own Prometheus middleware keeps, in the app's metrics (kernel/metrics.py):
one registry and one /metrics for everything, instead of a second HTTP server in each worker.
"""

import threading
import time
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware

from kernel import metrics


class JobMetrics(Middleware):
    def __init__(self) -> None:
        self._started = threading.local()

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        metrics.jobs_in_progress.labels(message.queue_name, message.actor_name).inc()
        self._started.at = time.perf_counter()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        labels = (message.queue_name, message.actor_name)
        metrics.jobs_in_progress.labels(*labels).dec()
        started = getattr(self._started, "at", None)
        if started is not None:
            metrics.job_duration.labels(*labels).observe(time.perf_counter() - started)
            self._started.at = None
        (metrics.jobs_failed if exception is not None else metrics.jobs_processed).labels(*labels).inc()

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        metrics.jobs_in_progress.labels(message.queue_name, message.actor_name).dec()
        self._started.at = None

    def after_enqueue(
        self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int | None
    ) -> None:
        # Dramatiq's Retries middleware queues a failed message again with its `retries` count.
        if message.options.get("retries"):
            metrics.jobs_retried.labels(message.queue_name, message.actor_name).inc()

    def after_nack(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        metrics.jobs_dead.labels(message.queue_name, message.actor_name).inc()
