from generated import models as api
from handlers.context import RequestContext
from services.audit import AuditAction
from services.integrations import IntegrationService, TwilioSettingsInput, TwilioSettingsView


def _integrations(ctx: RequestContext) -> IntegrationService:
    return IntegrationService(ctx.session, ctx.runtime.settings)


def _twilio_config_out(view: TwilioSettingsView) -> api.TwilioConfig:
    return api.TwilioConfig(
        configured=view.configured,
        source=api.TwilioConfigSource(view.source),
        account_sid=view.account_sid,
        auth_token=view.masked_auth_token,
        phone_number=view.phone_number,
        updated_at=view.updated_at,
    )


class IntegrationsHandlers:
    async def get_twilio_config(self, ctx: RequestContext) -> api.TwilioConfig:
        return _twilio_config_out(await _integrations(ctx).twilio_settings())

    async def save_twilio_config(
        self, ctx: RequestContext, *, body: api.TwilioConfigInput
    ) -> api.TwilioConfig:
        view = await _integrations(ctx).save_twilio_settings(
            TwilioSettingsInput(
                account_sid=body.account_sid, auth_token=body.auth_token, phone_number=body.phone_number
            )
        )
        ctx.audit.record(
            AuditAction.TWILIO_SETTINGS_CHANGE, "twilio_config", 1, detail={"accountSid": body.account_sid}
        )
        return _twilio_config_out(view)
