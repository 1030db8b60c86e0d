"""The app under uvicorn as `silverstar run` and the image start it: forwarded headers and the access log."""

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
import uvicorn

from handlers.context import Runtime
from kernel.observability import drop_query_strings_from_access_log
from silverstar.app import create_app
from silverstar.serving import UVICORN_OPTIONS


@pytest_asyncio.fixture(loop_scope="session")
async def served(runtime: Runtime) -> AsyncIterator[str]:
    """The base URL of uvicorn serving the app on a free loopback port (one failed login per
    email, four per address before 429)."""
    limited = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"login_max_failures": 1})
    )
    config = uvicorn.Config(
        create_app(limited.settings, limited), host="127.0.0.1", port=0, log_config=None, **UVICORN_OPTIONS
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_forwarded_for_from_loopback_does_not_escape_the_address_limit(served: str) -> None:
    async with httpx.AsyncClient(base_url=served) as client:
        statuses = [
            (
                await client.post(
                    "/auth/login",
                    json={"email": f"nobody-{i}@example.com", "password": "whatever-it-is"},
                    headers={"X-Forwarded-For": f"198.51.100.{i}"},
                )
            ).status_code
            for i in range(5)
        ]

    assert statuses == [401, 401, 401, 401, 429]


async def test_the_access_log_keeps_no_query_string(served: str, caplog: pytest.LogCaptureFixture) -> None:
    drop_query_strings_from_access_log()
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        async with httpx.AsyncClient(base_url=served) as client:
            response = await client.get("/health", params={"q": "Jane Doe"})

    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert response.status_code == 200
    assert any("GET /health HTTP/1.1" in line for line in lines), lines
    assert not any("Jane" in line or "?" in line for line in lines)
