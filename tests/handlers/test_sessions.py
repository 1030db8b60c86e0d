"""Sessions over HTTP: refresh-token rotation and reuse, logout, password change, deactivation,
and RFC 6750 challenges."""

import uuid
from datetime import UTC, datetime, timedelta

import jwt
from httpx import AsyncClient, Response

from persistence.models import User
from tests.factories import PASSWORD
from tests.handlers.conftest import TEST_JWT_SECRET, AuthHeaders

INVALID_TOKEN = 'Bearer realm="silverstar", error="invalid_token"'
NEW_PASSWORD = "quiet-lantern-orchard-42"


async def _login(client: AsyncClient, user: User, password: str = PASSWORD) -> dict[str, object]:
    response = await client.post("/auth/login", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def _refresh(client: AsyncClient, refresh_token: object) -> Response:
    return await client.post("/auth/refresh", json={"refresh_token": refresh_token})


def _bearer(tokens: dict[str, object]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_login_returns_a_short_access_token_of_a_session_and_a_refresh_token(
    client: AsyncClient, patient: User
) -> None:
    tokens = await _login(client, patient)

    claims = jwt.decode(str(tokens["access_token"]), options={"verify_signature": False})
    assert tokens["expires_in"] == 900
    assert tokens["refresh_expires_in"] == 30 * 24 * 3600
    assert len(str(tokens["refresh_token"])) >= 40
    assert uuid.UUID(claims["sid"])


async def test_a_refresh_answers_a_new_pair_of_the_same_session(client: AsyncClient, patient: User) -> None:
    first = await _login(client, patient)

    renewed = await _refresh(client, first["refresh_token"])

    assert renewed.status_code == 200
    second = renewed.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["user"]["id"] == str(patient.id)
    sid = [
        jwt.decode(str(t["access_token"]), options={"verify_signature": False})["sid"]
        for t in (first, second)
    ]
    assert sid[0] == sid[1]
    assert (await client.get("/auth/me", headers=_bearer(second))).status_code == 200


async def test_a_refresh_token_is_valid_once(client: AsyncClient, patient: User) -> None:
    first = await _login(client, patient)
    await _refresh(client, first["refresh_token"])

    again = await _refresh(client, first["refresh_token"])

    assert again.status_code == 401
    assert again.headers["www-authenticate"] == INVALID_TOKEN
    assert again.headers["content-type"] == "application/problem+json"


async def test_reusing_a_spent_refresh_token_ends_its_whole_session(
    client: AsyncClient, patient: User
) -> None:
    first = await _login(client, patient)
    second = (await _refresh(client, first["refresh_token"])).json()
    assert (await client.get("/auth/me", headers=_bearer(second))).status_code == 200

    await _refresh(client, first["refresh_token"])  # replayed: a copy is in someone else's hands

    assert (await _refresh(client, second["refresh_token"])).status_code == 401
    me = await client.get("/auth/me", headers=_bearer(second))
    assert me.status_code == 401
    assert me.headers["www-authenticate"] == INVALID_TOKEN


async def test_reuse_ends_only_the_session_it_belongs_to(client: AsyncClient, patient: User) -> None:
    other = await _login(client, patient)
    first = await _login(client, patient)
    await _refresh(client, first["refresh_token"])

    await _refresh(client, first["refresh_token"])

    assert (await client.get("/auth/me", headers=_bearer(other))).status_code == 200
    assert (await _refresh(client, other["refresh_token"])).status_code == 200


async def test_an_unknown_refresh_token_is_invalid(client: AsyncClient) -> None:
    response = await _refresh(client, "not-a-token-we-issued")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID_TOKEN


async def test_logout_refuses_the_session_access_and_refresh_tokens(
    client: AsyncClient, patient: User
) -> None:
    tokens = await _login(client, patient)

    logout = await client.post("/auth/logout", headers=_bearer(tokens))

    assert logout.status_code == 204
    me = await client.get("/auth/me", headers=_bearer(tokens))
    assert me.status_code == 401
    assert me.headers["www-authenticate"] == INVALID_TOKEN
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 401


async def test_logout_leaves_the_users_other_sessions_alone(client: AsyncClient, patient: User) -> None:
    phone, laptop = await _login(client, patient), await _login(client, patient)

    await client.post("/auth/logout", headers=_bearer(phone))

    assert (await client.get("/auth/me", headers=_bearer(laptop))).status_code == 200
    assert (await _refresh(client, laptop["refresh_token"])).status_code == 200


async def test_changing_the_password_ends_every_session_and_opens_a_new_one(
    client: AsyncClient, patient: User
) -> None:
    phone, laptop = await _login(client, patient), await _login(client, patient)

    assert (await client.get("/auth/me", headers=_bearer(phone))).status_code == 200
    changed = await client.post(
        "/auth/password",
        headers=_bearer(laptop),
        json={"currentPassword": PASSWORD, "password": NEW_PASSWORD},
    )

    assert changed.status_code == 200
    for old in (phone, laptop):
        assert (await client.get("/auth/me", headers=_bearer(old))).status_code == 401
        assert (await _refresh(client, old["refresh_token"])).status_code == 401
    assert (await client.get("/auth/me", headers=_bearer(changed.json()))).status_code == 200
    assert (await _refresh(client, changed.json()["refresh_token"])).status_code == 200
    await _login(client, patient, NEW_PASSWORD)


async def test_a_wrong_current_password_is_forbidden_and_changes_nothing(
    client: AsyncClient, patient: User
) -> None:
    tokens = await _login(client, patient)

    refused = await client.post(
        "/auth/password",
        headers=_bearer(tokens),
        json={"currentPassword": "not-the-password", "password": NEW_PASSWORD},
    )

    assert refused.status_code == 403
    assert (await client.get("/auth/me", headers=_bearer(tokens))).status_code == 200
    await _login(client, patient)


async def test_a_guessable_new_password_is_unprocessable(client: AsyncClient, patient: User) -> None:
    tokens = await _login(client, patient)

    refused = await client.post(
        "/auth/password",
        headers=_bearer(tokens),
        json={"currentPassword": PASSWORD, "password": "password123"},
    )

    assert refused.status_code == 422


async def test_deactivating_a_user_ends_their_sessions(
    client: AsyncClient, patient: User, admin: User, auth_headers: AuthHeaders
) -> None:
    tokens = await _login(client, patient)
    # Checked a moment ago: this worker now trusts the caller for CALLER_CACHE_SECONDS, unless told.
    assert (await client.get("/auth/me", headers=_bearer(tokens))).status_code == 200

    deactivated = await client.patch(
        f"/users/{patient.id}", headers=auth_headers(admin), json={"isActive": False}
    )

    assert deactivated.status_code == 200
    assert (await client.get("/auth/me", headers=_bearer(tokens))).status_code == 401
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 401


async def test_no_credentials_get_a_bare_bearer_challenge(client: AsyncClient) -> None:
    response = await client.get("/auth/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="silverstar"'


async def test_a_garbage_token_is_an_invalid_token(client: AsyncClient) -> None:
    response = await client.get("/auth/me", headers={"Authorization": "Bearer not.a.jwt"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID_TOKEN


async def test_an_expired_token_is_an_invalid_token(client: AsyncClient, patient: User) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    claims = {
        "sub": str(patient.id),
        "role": "patient",
        "iss": "silverstar",
        "aud": "silverstar-app",
        "iat": past,
        "exp": past + timedelta(minutes=15),
        "jti": "0123456789abcdef",
    }
    expired = jwt.encode(claims, TEST_JWT_SECRET, algorithm="HS256")

    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {expired}"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID_TOKEN
