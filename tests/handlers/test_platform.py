from httpx import AsyncClient


async def test_health_answers_ok(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.json() == {"status": "ok"}


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
