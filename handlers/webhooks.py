"""Twilio's webhooks: map each onto the telephony service and render its step as TwiML.

The signature was checked by the request context (scheme twilioSignature). Every URL handed
to Twilio is absolute and public (PUBLIC_BASE_URL), since Twilio signs the URL it calls.
"""

from uuid import UUID

from fastapi import Response

from adapters import twiml
from generated import models as api
from handlers.context import RequestContext
from handlers.request_origin import public_base_url
from services.telephony import (
    CallerInfo,
    Goodbye,
    HandOver,
    Hold,
    Listen,
    Step,
    TelephonyService,
)

VOICE_PATH = "/webhooks/twilio/voice"
RECORDING_PATH = "/webhooks/twilio/recording"
# A duration beyond a day is not Twilio's; it is not stored (the column is an int).
MAX_CALL_SECONDS = 24 * 3600


def _telephony(ctx: RequestContext) -> TelephonyService:
    return TelephonyService(ctx.session, ctx.runtime.settings, ctx.jobs)


def _render(ctx: RequestContext, step: Step) -> Response:
    base = public_base_url(ctx.request, ctx.runtime.settings)
    settings = ctx.runtime.settings
    urls = twiml.ListenUrls(recording=base + RECORDING_PATH, no_input=base + VOICE_PATH)
    phrases = _telephony(ctx).phrases
    match step:
        case Listen(texts):
            body = twiml.speak_then_listen(
                list(texts),
                urls,
                max_seconds=settings.phone_recording_max_seconds,
                after_silence=phrases.nothing_heard,
            )
        case Hold(text, pause_seconds, turn_id, attempt):
            body = twiml.hold(
                text,
                pause_seconds=pause_seconds,
                next_url=f"{base}/webhooks/twilio/turns/{turn_id}?attempt={attempt}",
            )
        case Goodbye(text):
            body = twiml.goodbye(text)
        case HandOver(text, number):
            body = twiml.hand_over(text, number=number)
    return Response(body, media_type=twiml.TWIML_MEDIA_TYPE)


class WebhooksHandlers:
    async def handle_incoming_call(self, ctx: RequestContext, *, body: api.TwilioCallForm) -> Response:
        caller = CallerInfo(body.call_sid, body.from_, body.to, body.call_status)
        return _render(ctx, await _telephony(ctx).call_reached(caller))

    async def handle_recording(self, ctx: RequestContext, *, body: api.TwilioRecordingForm) -> Response:
        telephony = _telephony(ctx)
        recording = await telephony.recording_received(
            CallerInfo(body.call_sid, status="in-progress"),
            recording_sid=body.recording_sid,
            recording_url=str(body.recording_url),
        )
        return _render(ctx, telephony.hold_for(recording.turn_id))

    async def get_turn_result(
        self, ctx: RequestContext, *, turn_id: UUID, attempt: int, body: api.TwilioCallForm
    ) -> Response:
        step = await _telephony(ctx).turn_result(turn_id, call_sid=body.call_sid, attempt=attempt)
        return _render(ctx, step)

    async def handle_call_status(self, ctx: RequestContext, *, body: api.TwilioStatusForm) -> None:
        duration = int(body.call_duration) if body.call_duration else None
        await _telephony(ctx).call_status(
            CallerInfo(body.call_sid, status=body.call_status),
            duration_seconds=duration if duration is not None and duration <= MAX_CALL_SECONDS else None,
        )
