"""The request context sends the jobs a request queued only after its commit, and drops them on rollback."""

from types import SimpleNamespace

import pytest
from fastapi import Request

from adapters.job_queue import DramatiqJobSender
from adapters.queued_jobs import QueuedJob, list_jobs
from handlers.context import RequestContext, Runtime
from services.jobs import INGEST_DOCUMENT
from services.worker_health import DOCUMENTS_QUEUE
from silverstar.context import request_context
from tests.handlers.conftest import runtime

__all__ = ["runtime"]


def _request(runtime: Runtime) -> Request:
    app = SimpleNamespace(state=SimpleNamespace(runtime=runtime))
    return Request({"type": "http", "method": "POST", "path": "/", "headers": [], "app": app})


def _queued(runtime: Runtime) -> list[QueuedJob]:
    sender = runtime.job_sender
    assert isinstance(sender, DramatiqJobSender)
    return list_jobs(sender.broker, DOCUMENTS_QUEUE)


async def test_a_requests_jobs_reach_redis_only_after_its_commit(runtime: Runtime) -> None:
    steps = request_context(scheme=None, roles=())(_request(runtime))
    ctx: RequestContext = await anext(steps)
    ctx.jobs.enqueue(INGEST_DOCUMENT, "a-document-id")
    assert _queued(runtime) == []

    with pytest.raises(StopAsyncIteration):
        await anext(steps)  # the handler returned: commit, then send

    assert [(job.actor_name, job.args) for job in _queued(runtime)] == [(INGEST_DOCUMENT, ("a-document-id",))]


async def test_a_failed_requests_jobs_are_dropped_with_its_transaction(runtime: Runtime) -> None:
    steps = request_context(scheme=None, roles=())(_request(runtime))
    ctx: RequestContext = await anext(steps)
    ctx.jobs.enqueue(INGEST_DOCUMENT, "a-document-id")

    with pytest.raises(RuntimeError, match="the handler failed"):
        await steps.athrow(RuntimeError("the handler failed"))

    assert _queued(runtime) == []
    assert ctx.jobs.pending == ()
