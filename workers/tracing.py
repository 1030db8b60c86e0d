"""A job continues the trace, and keeps the request id, of whatever queued it.

On enqueue (in the API, or in a job queueing another) the current W3C trace context and
request id go into the message's options; the worker that processes the message runs it
inside a span that is a child of that context, with the request id set for its log lines.
It works for every message, whoever calls `broker.enqueue`.
"""

import logging
import threading
from typing import Any
from wsgiref.simple_server import WSGIServer

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import start_http_server

from kernel.metrics import exposition_registry, forget_this_process
from kernel.observability import configure_logging, request_id_var
from kernel.settings import get_settings
from kernel.telemetry import configure_tracing

TRACE_OPTION = "trace_context"
REQUEST_ID_OPTION = "request_id"

_tracer = trace.get_tracer("silverstar.jobs")
logger = logging.getLogger(__name__)


class TraceContextMiddleware(Middleware):
    def __init__(self) -> None:
        self._running = threading.local()

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int) -> None:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        if carrier:
            message.options[TRACE_OPTION] = carrier
        if (request_id := request_id_var.get()) is not None:
            message.options[REQUEST_ID_OPTION] = request_id

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        parent = propagate.extract(message.options.get(TRACE_OPTION) or {})
        span = _tracer.start_span(
            f"job {message.actor_name}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "dramatiq",
                "messaging.destination.name": message.queue_name,
                "messaging.message.id": message.message_id,
                "silverstar.job.actor": message.actor_name,
                "silverstar.job.retries": int(message.options.get("retries", 0)),
            },
        )
        context_token = otel_context.attach(trace.set_span_in_context(span, parent))
        request_id = message.options.get(REQUEST_ID_OPTION)
        request_token = request_id_var.set(request_id if isinstance(request_id, str) else None)
        self._running.job = (span, context_token, request_token)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        job = getattr(self._running, "job", None)
        if job is None:
            return
        self._running.job = None
        span, context_token, request_token = job
        if exception is not None:
            span.record_exception(exception)
            span.set_status(StatusCode.ERROR, type(exception).__name__)
        span.end()
        otel_context.detach(context_token)
        request_id_var.reset(request_token)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self.after_process_message(broker, message)


class SignalsAtBoot(Middleware):
    """Each worker process logs in the app's JSON format at LOG_LEVEL and traces when configured.

    Dramatiq's CLI sets up its own text logging in each worker process before importing the
    broker; this runs after that (process boot), so it wins.
    """

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        settings = get_settings()
        configure_logging(settings.log_level)
        configure_tracing(settings)
        if settings.worker_metrics_port is not None:
            serve_worker_metrics(settings.worker_metrics_host, settings.worker_metrics_port)

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        forget_this_process()


def serve_worker_metrics(host: str, port: int) -> WSGIServer | None:
    """The worker's metrics (all its processes' with PROMETHEUS_MULTIPROC_DIR) on http://host:port/."""
    try:
        server, _ = start_http_server(port, addr=host, registry=exposition_registry())
    except OSError:
        # Several processes of one worker: the first serves them all (with the shared folder).
        logger.debug("worker metrics already served on %s:%d", host, port)
        return None
    return server
