import dataclasses

import httpx
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Runtime
from persistence.models import User
from silverstar.app import create_app
from tests.handlers.conftest import AuthHeaders


async def test_health_answers_ok(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.json() == {"status": "ok"}


async def test_only_operations_that_touch_the_database_make_a_session(
    runtime: Runtime, patient: User, auth_headers: AuthHeaders
) -> None:
    made: list[AsyncSession] = []

    def counting_factory() -> AsyncSession:
        made.append(runtime.session_factory())
        return made[-1]

    counted = dataclasses.replace(runtime, session_factory=counting_factory, read_session_factory=None)
    transport = httpx.ASGITransport(app=create_app(counted.settings, counted))
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        health = await client.get("/health")
        sessions_for_health = len(made)
        services = await client.get("/services", headers=auth_headers(patient))

    assert (health.status_code, sessions_for_health) == (200, 0)
    assert (services.status_code, len(made)) == (200, 1)


async def test_the_served_schema_is_the_contract_file(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    assert schema["paths"]["/appointments"]["get"]["operationId"] == "listAppointments"
    assert "bearerAuth" in schema["components"]["securitySchemes"]


async def test_docs_pages_use_local_assets(client: AsyncClient) -> None:
    docs = await client.get("/docs")

    assert docs.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert (await client.get("/docs-assets/swagger-ui-bundle.js")).status_code == 200
    assert "cdn" not in (await client.get("/redoc")).text.lower()


async def test_every_response_carries_a_request_id(client: AsyncClient) -> None:
    echoed = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    generated = await client.get("/nowhere")

    assert echoed.headers["x-request-id"] == "abc-123"
    assert len(generated.headers["x-request-id"]) == 32
    assert generated.status_code == 404
    assert generated.headers["content-type"] == "application/problem+json"


async def test_a_wrong_method_is_a_problem_with_allow(client: AsyncClient) -> None:
    response = await client.delete("/health")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert "GET" in response.headers["allow"]


async def test_the_assistant_requires_a_token(client: AsyncClient) -> None:
    response = await client.post("/ai/chat", json={"message": "hi"})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
