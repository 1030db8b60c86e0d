from uuid import UUID

from fastapi import Response

from generated import models as api
from handlers.pending import not_implemented_yet
from silverstar.context import RequestContext


class WebhooksHandlers:
    async def handle_incoming_call(self, ctx: RequestContext, *, body: api.TwilioCallForm) -> Response:
        not_implemented_yet("handleIncomingCall")

    async def handle_recording(self, ctx: RequestContext, *, body: api.TwilioRecordingForm) -> Response:
        not_implemented_yet("handleRecording")

    async def get_turn_result(
        self, ctx: RequestContext, *, turn_id: UUID, attempt: int, body: api.TwilioCallForm
    ) -> Response:
        not_implemented_yet("getTurnResult")

    async def handle_call_status(self, ctx: RequestContext, *, body: api.TwilioStatusForm) -> None:
        not_implemented_yet("handleCallStatus")
