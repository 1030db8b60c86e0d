import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
from httpx import AsyncClient

from persistence.models import User
from silverstar.runtime import Runtime
from tests.factories import PASSWORD
from tests.handlers.conftest import TEST_JWT_SECRET, AuthHeaders

PROBLEM = "application/problem+json"


def _registration(**overrides: object) -> dict[str, object]:
    return {
        "email": "new.patient@example.com",
        "password": "a-long-password",
        "name": "New Patient",
    } | overrides


async def test_register_returns_a_token_for_a_new_patient(client: AsyncClient) -> None:
    response = await client.post("/auth/register", json=_registration(phone="+4915112345678"))

    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 60
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
    assert wrong.headers["www-authenticate"] == "Bearer"


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
