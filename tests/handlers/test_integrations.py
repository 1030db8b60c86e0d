import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Runtime
from persistence.models import User
from silverstar.app import create_app
from tests.handlers.conftest import AuthHeaders

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "Tok3nSecretValue0123456789abWXYZ"
OTHER_TOKEN = "AnotherSecretToken0000000000Q9R8"
PHONE = "+4930123456789"
MASKED = "•" * 28 + TOKEN[-4:]

ClientWith = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest_asyncio.fixture(loop_scope="session")
async def client_with(runtime: Runtime, tmp_path: Path) -> AsyncIterator[ClientWith]:
    """An app whose settings differ from the runtime's by `changes`; no Twilio env by default."""
    async with AsyncExitStack() as stack:

        async def make(**changes: Any) -> httpx.AsyncClient:
            settings = runtime.settings.model_copy(
                update={"data_dir": tmp_path, "twilio_account_sid": None, "twilio_auth_token": None} | changes
            )
            app = create_app(settings, runtime.with_settings(settings))
            transport = httpx.ASGITransport(app=app)
            return await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://testserver")
            )

        yield make


def _keys(*keys: bytes) -> list[SecretStr]:
    return [SecretStr(key.decode()) for key in keys]


def _config(token: str = TOKEN, **overrides: str) -> dict[str, str]:
    return {"accountSid": SID, "authToken": token, "phoneNumber": PHONE} | overrides


async def _stored_token(session: AsyncSession) -> bytes:
    raw = await session.scalar(text("SELECT auth_token_encrypted FROM twilio_config WHERE id = 1"))
    assert isinstance(raw, bytes)
    return raw


async def test_a_saved_configuration_is_returned_masked_and_never_in_clear(
    client_with: ClientWith, admin: User, auth_headers: AuthHeaders
) -> None:
    client = await client_with(encryption_keys=_keys(Fernet.generate_key()))

    saved = await client.post("/integrations/twilio", headers=auth_headers(admin), json=_config())
    read = await client.get("/integrations/twilio", headers=auth_headers(admin))

    for response in (saved, read):
        assert response.status_code == 200
        body = response.json()
        assert (body["configured"], body["source"]) == (True, "database")
        assert (body["accountSid"], body["authToken"], body["phoneNumber"]) == (SID, MASKED, PHONE)
        assert body["updatedAt"] is not None
        assert TOKEN not in response.text


async def test_the_token_is_stored_encrypted_not_in_clear(
    client_with: ClientWith, admin: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    key = Fernet.generate_key()
    client = await client_with(encryption_keys=_keys(key))

    await client.post("/integrations/twilio", headers=auth_headers(admin), json=_config())

    row = (await session.execute(text("SELECT * FROM twilio_config"))).one()
    assert not any(TOKEN.encode() in (v if isinstance(v, bytes) else str(v).encode()) for v in row)
    assert Fernet(key).decrypt(row.auth_token_encrypted) == TOKEN.encode()


async def test_a_second_save_replaces_the_stored_configuration(
    client_with: ClientWith, admin: User, auth_headers: AuthHeaders
) -> None:
    client = await client_with(encryption_keys=_keys(Fernet.generate_key()))
    await client.post("/integrations/twilio", headers=auth_headers(admin), json=_config())

    await client.post(
        "/integrations/twilio",
        headers=auth_headers(admin),
        json=_config(OTHER_TOKEN, phoneNumber="+15550001111"),
    )

    body = (await client.get("/integrations/twilio", headers=auth_headers(admin))).json()
    assert (body["authToken"][-4:], body["phoneNumber"]) == (OTHER_TOKEN[-4:], "+15550001111")


async def test_after_key_rotation_old_values_read_and_new_saves_use_the_new_key(
    client_with: ClientWith, admin: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    before = await client_with(encryption_keys=_keys(old))
    await before.post("/integrations/twilio", headers=auth_headers(admin), json=_config())
    after = await client_with(encryption_keys=_keys(new, old))

    read = await after.get("/integrations/twilio", headers=auth_headers(admin))
    await after.post("/integrations/twilio", headers=auth_headers(admin), json=_config(OTHER_TOKEN))

    assert read.json()["authToken"] == MASKED
    stored = await _stored_token(session)
    assert MultiFernet([Fernet(new)]).decrypt(stored) == OTHER_TOKEN.encode()
    with pytest.raises(InvalidToken):
        Fernet(old).decrypt(stored)


async def test_without_a_stored_row_the_environment_credentials_are_shown_masked(
    client_with: ClientWith, admin: User, auth_headers: AuthHeaders
) -> None:
    client = await client_with(twilio_account_sid=SID, twilio_auth_token=SecretStr(TOKEN))

    response = await client.get("/integrations/twilio", headers=auth_headers(admin))

    assert response.status_code == 200
    assert response.json() == {
        "configured": True,
        "source": "environment",
        "accountSid": SID,
        "authToken": MASKED,
        "phoneNumber": None,
        "updatedAt": None,
    }


async def test_a_stored_row_takes_precedence_over_the_environment(
    client_with: ClientWith, admin: User, auth_headers: AuthHeaders
) -> None:
    client = await client_with(
        encryption_keys=_keys(Fernet.generate_key()),
        twilio_account_sid="AC" + "f" * 32,
        twilio_auth_token=SecretStr(OTHER_TOKEN),
    )
    await client.post("/integrations/twilio", headers=auth_headers(admin), json=_config())

    body = (await client.get("/integrations/twilio", headers=auth_headers(admin))).json()

    assert (body["source"], body["accountSid"], body["authToken"]) == ("database", SID, MASKED)


async def test_with_nothing_stored_and_no_environment_twilio_is_not_configured(
    client_with: ClientWith, admin: User, auth_headers: AuthHeaders
) -> None:
    client = await client_with()

    response = await client.get("/integrations/twilio", headers=auth_headers(admin))

    assert response.status_code == 200
    assert response.json() == {
        "configured": False,
        "source": "none",
        "accountSid": None,
        "authToken": None,
        "phoneNumber": None,
        "updatedAt": None,
    }


async def test_a_patient_may_neither_read_nor_save_the_configuration(
    client_with: ClientWith, patient: User, auth_headers: AuthHeaders
) -> None:
    client = await client_with(encryption_keys=_keys(Fernet.generate_key()))

    read = await client.get("/integrations/twilio", headers=auth_headers(patient))
    save = await client.post("/integrations/twilio", headers=auth_headers(patient), json=_config())

    assert (read.status_code, save.status_code) == (403, 403)


async def test_a_malformed_account_sid_is_a_422_problem(
    client_with: ClientWith, admin: User, auth_headers: AuthHeaders
) -> None:
    client = await client_with(encryption_keys=_keys(Fernet.generate_key()))

    response = await client.post(
        "/integrations/twilio", headers=auth_headers(admin), json=_config(accountSid="XX123")
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert ["body", "accountSid"] in [e["loc"] for e in response.json()["errors"]]
    assert TOKEN not in response.text
    after = (await client.get("/integrations/twilio", headers=auth_headers(admin))).json()
    assert after["source"] == "none"


async def test_the_token_never_appears_in_the_logs(
    client_with: ClientWith, admin: User, auth_headers: AuthHeaders, caplog: pytest.LogCaptureFixture
) -> None:
    client = await client_with(encryption_keys=_keys(Fernet.generate_key()))
    caplog.set_level(logging.DEBUG)

    await client.post("/integrations/twilio", headers=auth_headers(admin), json=_config())
    await client.post("/integrations/twilio", headers=auth_headers(admin), json=_config(accountSid="bad"))
    await client.get("/integrations/twilio", headers=auth_headers(admin))

    assert caplog.records, "nothing was logged at DEBUG: the check below would be vacuous"
    assert TOKEN not in caplog.text
    assert all(TOKEN not in str(record.args) for record in caplog.records)
