"""GET /metrics: for the operator's scraper only (bearer METRICS_TOKEN), every signal by name."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from pydantic import SecretStr

from handlers.context import Runtime
from silverstar.app import create_app

TOKEN = "metrics-token-for-tests"
NAMES = [
    "silverstar_http_requests_total",
    "silverstar_http_request_duration_seconds",
    "silverstar_jobs_processed_total",
    "silverstar_jobs_failed_total",
    "silverstar_jobs_retried_total",
    "silverstar_jobs_dead_lettered_total",
    "silverstar_job_duration_seconds",
    "silverstar_jobs_in_progress",
    "silverstar_job_queue_depth",
    "silverstar_documents",
    "silverstar_ingestion_pages_total",
    "silverstar_ingestion_pages_per_second",
    "silverstar_transcription_seconds",
    "silverstar_phone_turn_latency_seconds",
    "silverstar_chat_latency_seconds",
    "silverstar_gemini_errors_total",
]


@pytest_asyncio.fixture(loop_scope="session")
async def scraped(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with METRICS_TOKEN set."""
    settings = runtime.settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    app = create_app(settings, runtime.with_settings(settings))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


def _sample(text: str, name: str, labels: str) -> float:
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(labels)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_metrics_are_off_without_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_metrics_refuse_a_missing_or_wrong_bearer(scraped: httpx.AsyncClient) -> None:
    missing = await scraped.get("/metrics")
    wrong = await scraped.get("/metrics", headers={"Authorization": "Bearer not-the-token"})

    assert missing.status_code == wrong.status_code == 401
    assert wrong.json()["requestId"] == wrong.headers["x-request-id"]


async def test_metrics_name_every_signal(scraped: httpx.AsyncClient) -> None:
    response = await scraped.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    declared = set(re.findall(r"^# TYPE (\S+) ", response.text, re.MULTILINE))
    assert [name for name in NAMES if name not in declared] == []
    assert re.search(r'^silverstar_documents\{status="ready"\} \d', response.text, re.MULTILINE)
    assert re.search(r'^silverstar_job_queue_depth\{queue="documents",state="dead"\} \d', response.text, re.M)


async def test_the_request_counter_moves_by_route_template_and_status(scraped: httpx.AsyncClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    labels = 'method="GET",route="/documents/{documentId}",status="401"'
    before = _sample(
        (await scraped.get("/metrics", headers=auth)).text, "silverstar_http_requests_total", labels
    )

    for _ in range(3):
        assert (await scraped.get("/documents/00000000-0000-0000-0000-000000000000")).status_code == 401

    scrape = (await scraped.get("/metrics", headers=auth)).text
    after = _sample(scrape, "silverstar_http_requests_total", labels)
    assert after - before == 3
    assert (
        _sample(scrape, "silverstar_http_requests_total", 'method="GET",route="/metrics",status="200"') >= 1
    )


async def test_an_empty_token_keeps_metrics_off_even_for_an_empty_bearer(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"metrics_token": SecretStr("")})
    app = create_app(settings, runtime.with_settings(settings))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.get("/metrics", headers={"Authorization": "Bearer "})

    assert response.status_code == 404
