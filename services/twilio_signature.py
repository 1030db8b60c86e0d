"""Twilio's webhook signature: only Twilio, with the clinic's auth token, may call the phone webhooks."""

import logging
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from kernel.errors import Forbidden
from kernel.settings import Settings
from services.integrations import effective_twilio_credentials

log = logging.getLogger(__name__)


async def verify_twilio_signature(
    session: AsyncSession, settings: Settings, *, url: str, params: Mapping[str, object], signature: str
) -> None:
    """Refuses (403) a request whose X-Twilio-Signature is missing or not Twilio's for `url` and `params`."""
    if not signature:
        raise Forbidden("Missing X-Twilio-Signature.")
    credentials = await effective_twilio_credentials(session, settings)
    if credentials is None:
        log.error(
            "refusing a Twilio webhook: no Twilio auth token is configured "
            "(set TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN or save them under /integrations/twilio)"
        )
        raise Forbidden("The phone line is not configured.")
    if not RequestValidator(credentials.auth_token).validate(url, params, signature):
        log.warning("refusing a Twilio webhook with an invalid signature for %s", url)
        raise Forbidden("Invalid X-Twilio-Signature.")
