"""Third-party integrations configured by admins: the clinic's Twilio account.

The auth token is stored encrypted (kernel.secret_box) and leaves this module in
clear only through `effective_twilio_credentials`, for the code that calls Twilio.
Everything shown to a client carries the masked form.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.secret_box import SecretBox
from kernel.settings import Settings
from persistence.models import TwilioConfig
from persistence.repositories.integrations import TwilioConfigRepository

TwilioSource = Literal["database", "environment", "none"]

MASK_CHAR = "•"
MASK_LENGTH = 32
SHOWN_TAIL = 4
# A shorter secret is masked whole: its last 4 characters would give too much of it away.
MIN_LENGTH_TO_SHOW_TAIL = 16


@dataclass(frozen=True)
class TwilioCredentials:
    account_sid: str
    auth_token: str = field(repr=False)
    phone_number: str | None = None


@dataclass(frozen=True)
class TwilioSettingsView:
    """What an admin may see of the active configuration: never the token in clear."""

    source: TwilioSource
    account_sid: str | None = None
    masked_auth_token: str | None = None
    phone_number: str | None = None
    updated_at: datetime | None = None

    @property
    def configured(self) -> bool:
        return self.source != "none"


@dataclass(frozen=True)
class TwilioSettingsInput:
    account_sid: str
    auth_token: str = field(repr=False)
    phone_number: str


def mask_secret(secret: str) -> str:
    """Fixed-length bullets then the last 4 characters, so the mask does not tell the length."""
    if len(secret) < MIN_LENGTH_TO_SHOW_TAIL:
        return MASK_CHAR * MASK_LENGTH
    return MASK_CHAR * (MASK_LENGTH - SHOWN_TAIL) + secret[-SHOWN_TAIL:]


def _environment_credentials(settings: Settings) -> TwilioCredentials | None:
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    if not settings.twilio_account_sid or not token:
        return None
    return TwilioCredentials(account_sid=settings.twilio_account_sid, auth_token=token)


class IntegrationService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self._twilio = TwilioConfigRepository(session)
        self._settings = settings

    async def twilio_settings(self) -> TwilioSettingsView:
        """The database row first, then the environment, else nothing."""
        row = await self._twilio.get()
        if row is not None:
            return self._stored_view(row)
        from_env = _environment_credentials(self._settings)
        if from_env is not None:
            return TwilioSettingsView(
                source="environment",
                account_sid=from_env.account_sid,
                masked_auth_token=mask_secret(from_env.auth_token),
            )
        return TwilioSettingsView(source="none")

    async def save_twilio_settings(self, new: TwilioSettingsInput) -> TwilioSettingsView:
        # The box is built per call so that a production without keys fails here, loudly,
        # rather than at start-up for every deployment that does not use Twilio.
        box = SecretBox.from_settings(self._settings)
        row = await self._twilio.save(
            account_sid=new.account_sid,
            auth_token_encrypted=box.encrypt(new.auth_token),
            phone_number=new.phone_number,
        )
        return TwilioSettingsView(
            source="database",
            account_sid=row.account_sid,
            masked_auth_token=mask_secret(new.auth_token),
            phone_number=row.phone_number,
            updated_at=row.updated_at,
        )

    def _stored_view(self, row: TwilioConfig) -> TwilioSettingsView:
        token = SecretBox.from_settings(self._settings).decrypt(row.auth_token_encrypted)
        return TwilioSettingsView(
            source="database",
            account_sid=row.account_sid,
            masked_auth_token=mask_secret(token),
            phone_number=row.phone_number,
            updated_at=row.updated_at,
        )


async def effective_twilio_credentials(session: AsyncSession, settings: Settings) -> TwilioCredentials | None:
    """The credentials to call Twilio with: the stored ones first, then the environment's."""
    row = await TwilioConfigRepository(session).get()
    if row is not None:
        token = SecretBox.from_settings(settings).decrypt(row.auth_token_encrypted)
        return TwilioCredentials(account_sid=row.account_sid, auth_token=token, phone_number=row.phone_number)
    return _environment_credentials(settings)
