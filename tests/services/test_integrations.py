from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.settings import Settings
from services.integrations import (
    IntegrationService,
    TwilioCredentials,
    TwilioSettingsInput,
    effective_twilio_credentials,
    mask_secret,
)

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "Tok3nSecretValue0123456789abWXYZ"
ENV_SID = "AC" + "f" * 32
ENV_TOKEN = "EnvironmentToken0000000000000000"


def _settings(tmp_path: Path, *, with_env: bool) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        encryption_keys=[SecretStr(Fernet.generate_key().decode())],
        twilio_account_sid=ENV_SID if with_env else None,
        twilio_auth_token=SecretStr(ENV_TOKEN) if with_env else None,
    )


async def test_effective_credentials_are_the_stored_ones_before_the_environments(
    session: AsyncSession, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, with_env=True)
    await IntegrationService(session, settings).save_twilio_settings(
        TwilioSettingsInput(account_sid=SID, auth_token=TOKEN, phone_number="+4930123456789")
    )

    credentials = await effective_twilio_credentials(session, settings)

    assert credentials == TwilioCredentials(account_sid=SID, auth_token=TOKEN, phone_number="+4930123456789")
    assert TOKEN not in repr(credentials)


async def test_effective_credentials_fall_back_to_the_environment_then_to_none(
    session: AsyncSession, tmp_path: Path
) -> None:
    from_env = await effective_twilio_credentials(session, _settings(tmp_path, with_env=True))
    nothing = await effective_twilio_credentials(session, _settings(tmp_path, with_env=False))

    assert from_env == TwilioCredentials(account_sid=ENV_SID, auth_token=ENV_TOKEN)
    assert nothing is None


def test_a_short_secret_is_masked_whole() -> None:
    assert mask_secret("abcd1234") == "•" * 32
    assert mask_secret(TOKEN) == "•" * 28 + "WXYZ"
