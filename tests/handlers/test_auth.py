import asyncio
import base64
import dataclasses
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import delete

from handlers.context import Runtime
from persistence.models import User
from services.login_throttle import LoginThrottle
from silverstar.app import create_app
from tests.factories import PASSWORD
from tests.handlers.conftest import TEST_JWT_SECRET, AuthHeaders
from tests.pooled_app import pooled_app

PROBLEM = "application/problem+json"


def _registration(**overrides: object) -> dict[str, object]:
    return {
        "email": "new.patient@example.com",
        "password": "quiet-harbour-lantern",
        "name": "New Patient",
    } | overrides


async def test_register_returns_a_token_for_a_new_patient(client: AsyncClient) -> None:
    response = await client.post("/auth/register", json=_registration(phone="+4915112345678"))

    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_token"]
    assert body["user"]["role"] == "patient"
    assert body["user"]["isActive"] is True
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == "new.patient@example.com"


async def test_register_ignores_a_role_and_id_sent_by_the_client(client: AsyncClient) -> None:
    sent_id = "00000000-0000-4000-8000-000000000001"
    response = await client.post("/auth/register", json=_registration(role="admin", id=sent_id))

    assert response.status_code == 201
    assert response.json()["user"]["role"] == "patient"
    assert response.json()["user"]["id"] != sent_id


async def test_register_with_a_taken_email_in_other_case_is_a_conflict(client: AsyncClient) -> None:
    await client.post("/auth/register", json=_registration())
    response = await client.post("/auth/register", json=_registration(email="NEW.Patient@Example.com"))

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 409


async def test_register_with_a_short_password_lists_the_field(client: AsyncClient) -> None:
    response = await client.post("/auth/register", json=_registration(password="short"))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert ["body", "password"] in [error["loc"] for error in response.json()["errors"]]


async def test_a_body_that_is_not_json_is_a_bad_request(client: AsyncClient) -> None:
    response = await client.post(
        "/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM


async def test_login_with_the_right_password_returns_a_token(client: AsyncClient, patient: User) -> None:
    response = await client.post("/auth/login", json={"email": patient.email.upper(), "password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(patient.id)


async def test_login_failures_look_the_same_for_known_and_unknown_emails(
    client: AsyncClient, patient: User
) -> None:
    wrong = await client.post("/auth/login", json={"email": patient.email, "password": "not-the-password"})
    unknown = await client.post("/auth/login", json={"email": "nobody@example.com", "password": "whatever"})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["www-authenticate"] == 'Bearer realm="silverstar"'


async def test_repeated_login_failures_are_throttled_per_email(
    client: AsyncClient, patient: User, runtime: Runtime
) -> None:
    for _ in range(runtime.settings.login_max_failures):
        await client.post("/auth/login", json={"email": patient.email, "password": "guess-again"})

    response = await client.post("/auth/login", json={"email": patient.email, "password": PASSWORD})

    assert response.status_code == 429
    assert response.headers["content-type"] == PROBLEM
    assert int(response.headers["retry-after"]) > 0


async def test_the_oauth2_token_form_issues_a_token(client: AsyncClient, patient: User) -> None:
    response = await client.post(
        "/auth/token", data={"grant_type": "password", "username": patient.email, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert response.json()["access_token"]


async def test_me_without_a_token_is_unauthorized(client: AsyncClient) -> None:
    response = await client.get("/auth/me")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def _claims(user: User, **overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": str(user.id),
        "role": user.role,
        "iss": "silverstar",
        "aud": "silverstar-app",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    return claims | overrides


async def test_a_token_signed_with_another_secret_is_unauthorized(client: AsyncClient, patient: User) -> None:
    forged = jwt.encode(_claims(patient), "another-secret-" + "y" * 40, algorithm="HS256")

    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {forged}"})

    assert response.status_code == 401


async def test_an_expired_token_is_unauthorized(client: AsyncClient, patient: User) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    expired = jwt.encode(
        _claims(patient, iat=past, exp=past + timedelta(minutes=5)), TEST_JWT_SECRET, algorithm="HS256"
    )

    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {expired}"})

    assert response.status_code == 401


async def test_an_unsigned_alg_none_token_is_unauthorized(client: AsyncClient, patient: User) -> None:
    def segment(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data, default=str).encode()).rstrip(b"=").decode()

    claims = _claims(patient, role="admin")
    claims["iat"], claims["exp"] = (
        int(datetime.now(UTC).timestamp()),
        int(datetime.now(UTC).timestamp()) + 300,
    )
    unsigned = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims)}."

    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {unsigned}"})

    assert response.status_code == 401


async def test_a_token_for_another_audience_is_unauthorized(client: AsyncClient, patient: User) -> None:
    token = jwt.encode(_claims(patient, aud="someone-else"), TEST_JWT_SECRET, algorithm="HS256")

    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


async def test_a_patient_is_forbidden_from_admin_operations(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.get("/users", headers=auth_headers(patient))

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM


# ---------------------------------------------------------------- throttles, bursts, policy


@asynccontextmanager
async def _client_with(runtime: Runtime, **settings: Any) -> AsyncIterator[AsyncClient]:
    changed = runtime.with_settings(runtime.settings.model_copy(update=settings))
    transport = ASGITransport(app=create_app(changed.settings, changed))
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def _login(client: AsyncClient, email: str, password: str, **headers: str) -> Any:
    return client.post("/auth/login", json={"email": email, "password": password}, headers=headers)


@pytest.mark.parametrize("rotating_addresses", [False, True])
async def test_a_burst_of_wrong_passwords_checks_no_more_than_the_email_limit(
    runtime: Runtime, database_url: str, rotating_addresses: bool
) -> None:
    # Rotating X-Forwarded-For through a trusted proxy: the per-email limit still holds.
    trusted = ["127.0.0.1"] if rotating_addresses else []
    runtime = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"trusted_proxies": trusted})
    )
    async with pooled_app(runtime, database_url, pool_size=2, max_overflow=0) as app:
        victim = await app.committed_user()
        burst = [
            _login(app.client, victim.email, f"guess-{i}", **{"X-Forwarded-For": f"203.0.113.{i}"})
            for i in range(40)
        ]
        statuses = Counter(r.status_code for r in await asyncio.gather(*burst))
        throttle = LoginThrottle(app.runtime.redis, app.runtime.settings)
        checked = int(await app.runtime.redis.get(throttle.email_key(victim.email)) or 0)

    limit = runtime.settings.login_max_failures
    assert statuses == {401: limit, 429: 40 - limit}
    assert checked == limit


async def test_a_burst_over_many_emails_checks_no_more_than_the_address_limit(
    runtime: Runtime, database_url: str
) -> None:
    runtime = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"login_max_failures": 2})
    )
    async with pooled_app(runtime, database_url, pool_size=2, max_overflow=0) as app:
        burst = [_login(app.client, f"nobody-{i}@example.com", "whatever-it-is") for i in range(20)]
        statuses = Counter(r.status_code for r in await asyncio.gather(*burst))

    assert statuses == {401: 2 * 4, 429: 20 - 2 * 4}


async def test_logins_hold_no_database_connection_while_the_password_is_checked(
    runtime: Runtime, database_url: str
) -> None:
    # One connection for eight concurrent logins, each waiting at most 1 s for it: holding it
    # through argon2 (a good part of a second each, one at a time) would time the last ones out.
    async with pooled_app(runtime, database_url, pool_size=1, max_overflow=0, pool_timeout=1) as app:
        users = [await app.committed_user() for _ in range(8)]
        responses = await asyncio.gather(*(_login(app.client, u.email, PASSWORD) for u in users))

    assert [r.status_code for r in responses] == [200] * 8


async def test_registrations_hold_no_database_connection_while_the_password_is_hashed(
    runtime: Runtime, database_url: str
) -> None:
    emails = [f"pool-{uuid.uuid4().hex[:8]}@example.com" for _ in range(8)]
    async with pooled_app(runtime, database_url, pool_size=1, max_overflow=0, pool_timeout=1) as app:
        try:
            responses = await asyncio.gather(
                *(app.client.post("/auth/register", json=_registration(email=email)) for email in emails)
            )
        finally:
            async with app.engine.begin() as connection:
                await connection.execute(delete(User).where(User.email.in_(emails)))

    assert [r.status_code for r in responses] == [201] * 8


async def test_a_successful_login_gives_the_address_its_attempt_back(
    runtime: Runtime, database_url: str
) -> None:
    async with pooled_app(runtime, database_url, pool_size=2, max_overflow=0) as app:
        user = await app.committed_user()
        for _ in range(3):
            assert (await _login(app.client, user.email, PASSWORD)).status_code == 200
        throttle = LoginThrottle(app.runtime.redis, app.runtime.settings)
        counted = await app.runtime.redis.mget(throttle.email_key(user.email), throttle.ip_key("127.0.0.1"))

    assert counted == [None, b"0"]


@pytest.mark.parametrize("email", ["pat\x00ient@example.com", "\x00"])
async def test_a_login_email_no_account_can_have_is_401_and_counted(
    client: AsyncClient, runtime: Runtime, email: str
) -> None:
    # As a JSON escape (\u0000): the way a client can send it.
    body = json.dumps({"email": email, "password": "whatever-it-is"})
    headers = {"Content-Type": "application/json"}
    statuses = [
        (await client.post("/auth/login", content=body, headers=headers)).status_code
        for _ in range(runtime.settings.login_max_failures + 1)
    ]

    assert statuses == [401] * runtime.settings.login_max_failures + [429]


async def test_a_nul_in_the_token_form_username_is_counted_with_the_login_attempts(
    client: AsyncClient, runtime: Runtime
) -> None:
    form = {"username": "a\x00b@example.com", "password": "whatever-it-is"}
    statuses = [
        (await client.post("/auth/token", data=form)).status_code
        for _ in range(runtime.settings.login_max_failures + 1)
    ]

    assert statuses == [401] * runtime.settings.login_max_failures + [429]


async def test_registrations_from_one_address_are_throttled(runtime: Runtime) -> None:
    async with _client_with(runtime, registration_max_per_ip=2) as client:
        statuses = [
            (await client.post("/auth/register", json=_registration(email=f"p{i}@example.com"))).status_code
            for i in range(3)
        ]
        refused = await client.post("/auth/register", json=_registration(email="late@example.com"))

    assert statuses == [201, 201, 429]
    assert refused.headers["content-type"] == PROBLEM
    assert int(refused.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaa", "password12", "1234567890", "qwertyuiop", "iloveyou123", "P@ssw0rd123"]
)
async def test_register_with_a_common_or_guessable_password_lists_the_field(
    client: AsyncClient, password: str
) -> None:
    response = await client.post("/auth/register", json=_registration(password=password))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [["body", "password"]] == [error["loc"] for error in response.json()["errors"]]


async def test_the_demo_password_is_strong_enough_to_register(client: AsyncClient) -> None:
    response = await client.post("/auth/register", json=_registration(password="silverstar-demo"))

    assert response.status_code == 201


async def test_forwarded_for_is_ignored_unless_a_trusted_proxy_sent_it(runtime: Runtime) -> None:
    async def statuses(trusted: list[str]) -> list[int]:
        async with _client_with(runtime, login_max_failures=1, trusted_proxies=trusted) as client:
            return [
                (
                    await _login(
                        client,
                        f"nobody-{len(trusted)}-{i}@example.com",
                        "whatever-it-is",
                        **{"X-Forwarded-For": f"198.51.100.{i}"},
                    )
                ).status_code
                for i in range(5)
            ]

    assert await statuses([]) == [401, 401, 401, 401, 429]
    assert await statuses(["127.0.0.0/8"]) == [401] * 5
