"""GET /metrics for Prometheus (bearer METRICS_TOKEN; off when unset), and the HTTP request metrics.

Outside the public contract on purpose: it is for the operator's scraper, not for clients.
Counters and histograms live in kernel/metrics.py; what is read at scrape time (documents
by status, the job queues' depths) is computed here on each scrape.
"""

import hmac

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.asyncio import Redis
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from adapters.job_queue import broker_namespace
from handlers.context import Runtime
from kernel import metrics
from kernel.errors import NotFound, Unauthorized
from kernel.observability import route_template
from persistence.models import Document, DocumentStatus
from services.worker_health import WORKER_QUEUES

METRICS_PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Paths that matched no route share one label, so scanners can't grow the series without bound.
UNMATCHED_ROUTE = "unmatched"


def record_request(scope: Scope, status: int, seconds: float) -> None:
    """Requests by method, route template and status, and their durations."""
    route = route_template(scope) or UNMATCHED_ROUTE
    metrics.http_requests.labels(scope["method"], route, str(status)).inc()
    metrics.http_request_duration.labels(scope["method"], route).observe(seconds)


class _Snapshot(Collector):
    def __init__(self, documents: dict[str, int], queues: dict[tuple[str, str], int]) -> None:
        self._documents = documents
        self._queues = queues

    def collect(self) -> list[GaugeMetricFamily]:
        documents = GaugeMetricFamily("silverstar_documents", "Documents by status.", labels=["status"])
        for status, count in self._documents.items():
            documents.add_metric([status], count)
        depth = GaugeMetricFamily(
            "silverstar_job_queue_depth",
            "Messages in each job queue: ready to run, delayed (retries waiting), dead-lettered.",
            labels=["queue", "state"],
        )
        for (queue, state), count in self._queues.items():
            depth.add_metric([queue, state], count)
        return [documents, depth]


async def _documents_by_status(runtime: Runtime) -> dict[str, int]:
    factory = runtime.read_session_factory or runtime.session_factory
    async with factory() as session:
        rows = (await session.execute(select(Document.status, func.count()).group_by(Document.status))).all()
    counts = {status.value: 0 for status in DocumentStatus}
    counts.update({status.value: count for status, count in rows})
    return counts


async def _queue_depths(redis: Redis, namespace: str) -> dict[tuple[str, str], int]:
    """Dramatiq's Redis layout: a list of ready ids per queue, hashes of delayed and dead messages."""
    async with redis.pipeline(transaction=False) as pipe:
        for queue in WORKER_QUEUES:
            pipe.llen(f"{namespace}:{queue}")
            pipe.hlen(f"{namespace}:{queue}.DQ.msgs")
            pipe.hlen(f"{namespace}:{queue}.XQ.msgs")
        counts = await pipe.execute()
    states = ("ready", "delayed", "dead")
    keys = [(queue, state) for queue in WORKER_QUEUES for state in states]
    return dict(zip(keys, (int(count) for count in counts), strict=True))


def _authorize(request: Request, runtime: Runtime) -> None:
    token = runtime.settings.metrics_token
    if token is None or not token.get_secret_value():  # an empty METRICS_TOKEN is no token
        raise NotFound("No such resource.")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.get_secret_value().encode()
    ):
        raise Unauthorized()


async def metrics_endpoint(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    _authorize(request, runtime)
    snapshot = CollectorRegistry()
    snapshot.register(
        _Snapshot(
            await _documents_by_status(runtime),
            await _queue_depths(runtime.redis, broker_namespace(runtime.settings.redis_key_prefix)),
        )
    )
    return Response(metrics.latest() + generate_latest(snapshot), media_type=CONTENT_TYPE)
