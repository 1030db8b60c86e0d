"""Sending jobs to Dramatiq on Redis by actor name: no actor module is imported to send one.

A Dramatiq message names its actor and its queue; that is all a worker needs to run it. The
sender builds the message from the name and the actor → queue table it was given, and puts
it on a broker built on first use (from the factory the composition root hands in), so
constructing a sender, or importing this module, connects to nothing.
"""

import threading
from collections.abc import Callable, Mapping

import dramatiq


def broker_namespace(redis_key_prefix: str) -> str:
    """Dramatiq's key prefix under ours: deployments sharing one Redis never take each other's jobs."""
    return f"{redis_key_prefix}dramatiq"


class DramatiqJobSender:
    """The `services.jobs.Jobs` port, sending at once (callers hold jobs until their commit)."""

    def __init__(self, broker_factory: Callable[[], dramatiq.Broker], queues: Mapping[str, str]) -> None:
        self._broker_factory = broker_factory
        self._queues = dict(queues)
        self._broker: dramatiq.Broker | None = None
        self._lock = threading.Lock()

    @property
    def broker(self) -> dramatiq.Broker:
        with self._lock:
            if self._broker is None:
                self._broker = self._broker_factory()
            return self._broker

    def message(self, actor_name: str, *args: str) -> dramatiq.Message[None]:
        queue = self._queues.get(actor_name)
        if queue is None:
            raise ValueError(f"no actor named {actor_name!r}")
        return dramatiq.Message(queue_name=queue, actor_name=actor_name, args=args, kwargs={}, options={})

    def enqueue(self, actor_name: str, *args: str) -> None:
        """Puts the message on its queue in Redis (blocking I/O); raises when Redis can't take it."""
        self.broker.enqueue(self.message(actor_name, *args))
