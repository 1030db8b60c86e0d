import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from fastapi import Response
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from generated import models as api
from handlers.representations import ai_log_out, source_out
from persistence.models import AIChannel
from services.assistant import Answer, AssistantService, Prepared, problem_for, stream_answer
from services.audit import AuditAction, patient_of
from services.audit_log import patients_among
from services.chat_quota import ChatQuota
from silverstar.context import RequestContext
from silverstar.runtime import Runtime

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _assistant(ctx: RequestContext) -> AssistantService:
    return AssistantService(ctx.session, ctx.runtime.settings)


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def _sse(runtime: Runtime, service: AssistantService, prepared: Prepared) -> AsyncIterator[bytes]:
    async for item in stream_answer(
        prepared,
        settings=runtime.settings,
        answerer=service.answerer,
        session_factory=runtime.session_factory,
    ):
        if isinstance(item, str):
            yield _event("token", api.ChatStreamToken(text=item).model_dump(mode="json"))
        elif item.error is not None:
            yield _event("error", problem_for(item.error).to_problem())
        else:
            done = api.ChatStreamDone(
                conversation_id=_conversation_of(item),
                sources=[source_out(hit) for hit in item.sources],
                log_id=item.log_id,
                model=item.model,
            )
            yield _event("done", done.model_dump(mode="json", by_alias=True))


def _conversation_of(answer: Answer) -> UUID:
    assert answer.conversation_id is not None  # a chat answer always belongs to one
    return answer.conversation_id


class AiHandlers:
    async def chat(self, ctx: RequestContext, *, body: api.ChatRequest) -> api.ChatResponse:
        await ChatQuota(ctx.runtime.redis, ctx.runtime.settings).take(ctx.user.id)
        service = _assistant(ctx)
        prepared = await service.prepare_chat(ctx.user, body.message, body.conversation_id)
        # Preparing only read: end that transaction so no connection is held while the model
        # answers (seconds); recording the exchange starts the one that commits.
        await ctx.session.commit()
        answer = await service.complete(prepared)
        if answer.error is not None:
            # The failed exchange's log row must outlive the rollback of the error response.
            await ctx.session.commit()
            raise problem_for(answer.error)
        ctx.audit.record(
            AuditAction.CONVERSATION_MESSAGE,
            "conversation",
            answer.conversation_id,
            patient_id=patient_of(ctx.user),
        )
        return api.ChatResponse(
            reply=answer.text,
            conversation_id=_conversation_of(answer),
            sources=[source_out(hit) for hit in answer.sources],
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
        return StreamingResponse(
            _sse(ctx.runtime, service, prepared), media_type="text/event-stream", headers=SSE_HEADERS
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
