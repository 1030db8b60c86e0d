"""Text PostgreSQL cannot store (NUL, lone surrogates) is the client's error, never a 500."""

import json

import pytest
from httpx import AsyncClient

from persistence.models import User
from tests.handlers.conftest import AuthHeaders


@pytest.mark.parametrize("name", ["nul\u0000inside", "lone \ud800 surrogate"])
async def test_a_service_name_the_database_cannot_store_is_unprocessable(
    client: AsyncClient, admin: User, auth_headers: AuthHeaders, name: str
) -> None:
    body = json.dumps({"name": name, "durationMinutes": 20, "price": "1"})

    response = await client.post(
        "/services", headers=auth_headers(admin) | {"Content-Type": "application/json"}, content=body
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_login_with_a_nul_in_the_email_is_just_a_failed_login(client: AsyncClient) -> None:
    response = await client.post("/auth/token", data={"username": "a\u0000b", "password": "x"})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_filter_the_database_cannot_compare_is_unprocessable(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    # The doctors' list runs its SQL through asyncpg itself (persistence/driver.py).
    response = await client.get(
        "/doctors", params={"specialty": "nul\u0000inside"}, headers=auth_headers(patient)
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
