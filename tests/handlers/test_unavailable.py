"""Infrastructure failures answer problem+json 503 with Retry-After, never 500; then recover."""

import dataclasses
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
import pytest_asyncio
from redis.asyncio import Redis
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection

from handlers.context import Runtime
from persistence.models import User
from silverstar.app import create_app
from tests.factories import PASSWORD
from tests.handlers.conftest import AuthHeaders
from tests.pooled_app import pooled_app

# Nothing listens on port 1: connections are refused at once, as with a stopped server.
REFUSED_REDIS_URL = "redis://127.0.0.1:1/0"
REDIS_SERVER = "redis-server"


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 503
    assert int(response.headers["retry-after"]) > 0


@pytest_asyncio.fixture(loop_scope="session")
async def redis_down_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    dead = Redis.from_url(REFUSED_REDIS_URL)
    down = dataclasses.replace(runtime, redis=dead)
    transport = httpx.ASGITransport(app=create_app(down.settings, down))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await dead.aclose()


async def test_with_redis_down_sign_in_fails_closed_with_503(
    redis_down_client: httpx.AsyncClient, patient: User
) -> None:
    login = await redis_down_client.post("/auth/login", json={"email": patient.email, "password": PASSWORD})
    token = await redis_down_client.post(
        "/auth/token", data={"username": patient.email, "password": PASSWORD}
    )
    register = await redis_down_client.post(
        "/auth/register",
        json={"email": "new@example.com", "password": "quiet-harbour-lantern", "name": "New"},
    )

    for response in (login, token, register):
        assert_unavailable(response)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _redis_server(port: int) -> Iterator[None]:
    """A redis-server of this test's own on `port`, stopped on leaving."""
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


async def test_redis_stopped_then_started_again_answers_503_then_recovers(
    runtime: Runtime, patient: User, auth_headers: AuthHeaders
) -> None:
    port = _free_port()
    redis = Redis.from_url(f"redis://127.0.0.1:{port}/0")  # as the app opens it (bootstrap)
    app = create_app(runtime.settings, dataclasses.replace(runtime, redis=redis))
    login = {"email": patient.email, "password": PASSWORD}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with _redis_server(port):
            before = await client.post("/auth/login", json=login)
        stopped_login = await client.post("/auth/login", json=login)
        stopped_chat = await client.post("/ai/chat", json={"message": "Hi"}, headers=auth_headers(patient))
        with _redis_server(port):
            after = await client.post("/auth/login", json=login)
    await redis.aclose()

    assert before.status_code == 200, before.text
    assert_unavailable(stopped_login)
    assert_unavailable(stopped_chat)
    assert after.status_code == 200, after.text


async def test_with_redis_down_the_assistant_answers_503(
    redis_down_client: httpx.AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    chat = await redis_down_client.post("/ai/chat", json={"message": "Hi"}, headers=auth_headers(patient))
    stream = await redis_down_client.post(
        "/ai/chat/stream", json={"message": "Hi"}, headers=auth_headers(patient)
    )

    assert_unavailable(chat)
    assert_unavailable(stream)


async def test_an_exhausted_connection_pool_answers_503_then_recovers(
    runtime: Runtime, database_url: str, auth_headers: AuthHeaders
) -> None:
    async with pooled_app(runtime, database_url, pool_size=1, max_overflow=0, pool_timeout=0.2) as app:
        user = await app.committed_user()
        async with app.engine.connect() as held:
            await held.execute(text("SELECT 1"))
            starved = await app.client.get("/auth/me", headers=auth_headers(user))
        served = await app.client.get("/auth/me", headers=auth_headers(user))

    assert_unavailable(starved)
    assert served.status_code == 200


# The caller is remembered after the first request, so the killed one's first statement is the
# operation's own: an ORM read (the account) and one run by asyncpg itself (a page of appointments).
@pytest.mark.parametrize("path", ["/auth/me", "/appointments"])
async def test_a_database_connection_killed_under_the_app_answers_503_then_recovers(
    runtime: Runtime, database_url: str, auth_headers: AuthHeaders, connection: AsyncConnection, path: str
) -> None:
    name = f"killed-{uuid.uuid4().hex[:12]}"
    options = {"connect_args": {"server_settings": {"application_name": name}}}
    async with pooled_app(runtime, database_url, pool_size=1, max_overflow=0, **options) as app:
        user = await app.committed_user()
        before = await app.client.get(path, headers=auth_headers(user))
        # What a PostgreSQL restart does to every pooled connection.
        await connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": name},
        )
        killed = await app.client.get(path, headers=auth_headers(user))
        after = await app.client.get(path, headers=auth_headers(user))

    assert before.status_code == 200
    assert_unavailable(killed)
    assert after.status_code == 200


async def test_a_database_refusing_connections_answers_503(runtime: Runtime, database_url: str) -> None:
    refused = make_url(database_url).set(host="127.0.0.1", port=1, query={})
    url = refused.render_as_string(hide_password=False)
    async with pooled_app(runtime, url, pool_size=1, max_overflow=0) as app:
        login = await app.client.post("/auth/login", json={"email": "a@example.com", "password": PASSWORD})
        token = runtime.tokens.issue(uuid.uuid4(), "patient")
        catalog = await app.client.get("/services", headers={"Authorization": f"Bearer {token}"})

    assert_unavailable(login)
    assert_unavailable(catalog)
