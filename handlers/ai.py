from uuid import UUID

from fastapi import Response
from pydantic import AwareDatetime

from generated import models as api
from handlers.pending import not_implemented_yet
from silverstar.context import RequestContext


class AiHandlers:
    async def chat(self, ctx: RequestContext, *, body: api.ChatRequest) -> api.ChatResponse:
        not_implemented_yet("chat")

    async def chat_stream(self, ctx: RequestContext, *, body: api.ChatRequest) -> Response:
        not_implemented_yet("chatStream")

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
        not_implemented_yet("listAiLogs")
