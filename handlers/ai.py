import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from fastapi import Response
from fastapi.sse import KEEPALIVE_COMMENT, EventSourceResponse, format_sse_event
from pydantic import AwareDatetime

from generated import models as api
from handlers.context import RequestContext, Runtime
from handlers.representations import ai_log_out, source_out
from kernel import metrics
from kernel.observability import request_id_var
from persistence.models import AIChannel
from services.assistant import Answer, AssistantService, Prepared, problem_for, stream_answer
from services.audit import AuditAction, patient_of
from services.audit_log import patients_among
from services.chat_quota import ChatQuota

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
# A comment line (": ping") after this long without an event, so proxies keep the stream open.
KEEPALIVE_SECONDS = 15.0


def _assistant(ctx: RequestContext) -> AssistantService:
    return AssistantService(ctx.session, ctx.runtime.world)


def _event(name: str, data: dict[str, Any]) -> bytes:
    return format_sse_event(event=name, data_str=json.dumps(data, ensure_ascii=False))


async def _with_keepalive(events: AsyncIterator[bytes], interval: float) -> AsyncIterator[bytes]:
    """FastAPI's ping between events that are slow to come (its own pinging is only for path
    operations that are generators; ours are generated from the contract and return a response).
    A client that goes away cancels the response (Starlette), and with it the pending event."""
    pending: asyncio.Task[bytes] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            done, _ = await asyncio.wait({pending}, timeout=interval)
            if not done:
                yield KEEPALIVE_COMMENT
                continue
            finished, pending = pending, None
            try:
                yield finished.result()
            except StopAsyncIteration:
                return
    finally:
        if pending is not None:
            pending.cancel()


async def _sse(runtime: Runtime, service: AssistantService, prepared: Prepared) -> AsyncIterator[bytes]:
    started = time.perf_counter()
    async for item in stream_answer(
        prepared,
        world=runtime.world,
        answerer=service.answerer,
        session_factory=runtime.session_factory,
    ):
        if isinstance(item, str):
            yield _event("token", api.ChatStreamToken(text=item).model_dump(mode="json"))
        elif item.error is not None:
            problem = problem_for(item.error).to_problem()
            if (request_id := request_id_var.get()) is not None:
                problem["requestId"] = request_id
            yield _event("error", problem)
        else:
            done = api.ChatStreamDone(
                conversation_id=_conversation_of(item),
                sources=[source_out(hit) for hit in item.sources_shown],
                log_id=item.log_id,
                model=item.model,
            )
            metrics.chat_seconds.labels("stream").observe(time.perf_counter() - started)
            yield _event("done", done.model_dump(mode="json", by_alias=True))


def _conversation_of(answer: Answer) -> UUID:
    assert answer.conversation_id is not None  # a chat answer always belongs to one
    return answer.conversation_id


class AiHandlers:
    async def chat(self, ctx: RequestContext, *, body: api.ChatRequest) -> api.ChatResponse:
        started = time.perf_counter()
        await ChatQuota(ctx.runtime.redis, ctx.runtime.settings).take(ctx.user.id)
        service = _assistant(ctx)
        prepared = await service.prepare_chat(ctx.user, body.message, body.conversation_id)
        # Preparing only read: no connection is held while the model answers (seconds).
        await ctx.release_connection()
        answer = await service.complete(prepared)
        if answer.error is not None:
            # The failed exchange's log row is kept: the AI log records failures too.
            raise problem_for(answer.error).keeping_changes()
        metrics.chat_seconds.labels("chat").observe(time.perf_counter() - started)
        ctx.audit.record(
            AuditAction.CONVERSATION_MESSAGE,
            "conversation",
            answer.conversation_id,
            patient_id=patient_of(ctx.user),
        )
        return api.ChatResponse(
            reply=answer.text,
            conversation_id=_conversation_of(answer),
            sources=[source_out(hit) for hit in answer.sources_shown],
            log_id=answer.log_id,
            model=answer.model,
        )

    async def chat_stream(self, ctx: RequestContext, *, body: api.ChatRequest) -> Response:
        # Everything that can fail as a plain problem response (an unknown conversation, the
        # retrieval) happens here, before the stream starts.
        await ChatQuota(ctx.runtime.redis, ctx.runtime.settings).take(ctx.user.id)
        service = _assistant(ctx)
        prepared = await service.prepare_chat(ctx.user, body.message, body.conversation_id)
        ctx.audit.record(
            AuditAction.CONVERSATION_MESSAGE,
            "conversation",
            prepared.conversation_id,
            patient_id=patient_of(ctx.user),
        )
        return EventSourceResponse(
            _with_keepalive(_sse(ctx.runtime, service, prepared), KEEPALIVE_SECONDS), headers=SSE_HEADERS
        )

    async def list_ai_logs(
        self,
        ctx: RequestContext,
        *,
        user_id: UUID | None,
        channel: api.AiChannel | None,
        from_: AwareDatetime | None,
        to: AwareDatetime | None,
        limit: int,
        offset: int,
    ) -> api.AiLogPage:
        entries, total = await _assistant(ctx).page_logs(
            user_id=user_id,
            channel=AIChannel(channel) if channel else None,
            start=from_,
            end=to,
            limit=limit,
            offset=offset,
        )
        ctx.audit.listed(
            AuditAction.AI_LOG_LIST, "ai_log", await patients_among(ctx.session, {e.user_id for e in entries})
        )
        return api.AiLogPage(items=[ai_log_out(e) for e in entries], total=total, limit=limit, offset=offset)
