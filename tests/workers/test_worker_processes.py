"""The documents worker as production runs it: real `dramatiq` processes under the supervisor.

Each test bounds its waits (a worker boots and loads its model in tens of seconds on a
shared machine); none measures time. They commit for real and delete their rows.
"""

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from persistence.models import DocumentStatus
from services.ingestion import HEARTBEAT_INTERVAL, sweep_stale
from services.jobs import INGEST_DOCUMENT
from services.worker_health import DOCUMENTS_QUEUE
from tests.bomb_pdfs import text_operators_bomb_pdf, zeros_bomb_pdf
from tests.pdfs import text_pdf
from tests.workers.real_workers import (
    BOOT_TIMEOUT_SECONDS,
    Uploads,
    supervised_workers,
    wait_for_heartbeat,
    worker_environment,
)
from workers.processes import WORKER_PROCESSES

MIB = 1024 * 1024
GIB = 1024 * MIB
DOCUMENTS_WORKER = {spec.queue: spec.command() for spec in WORKER_PROCESSES if spec.queue == DOCUMENTS_QUEUE}
# The model is loaded before the heartbeat starts; this bounds the work itself, generously for a
# loaded machine, and far below the five minutes after which the sweep would re-send a document.
ALL_READY_WITHIN_SECONDS = 90.0


def leaflet(number: int) -> bytes:
    return text_pdf([f"Leaflet {number}.\nVaccinations are given on Wednesdays, room {number}."])


@pytest_asyncio.fixture(loop_scope="session")
async def uploads(database_url: str, tmp_path: Path) -> AsyncIterator[Uploads]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    committed: async_sessionmaker[AsyncSession] = async_sessionmaker(engine, expire_on_commit=False)
    made = Uploads(committed, tmp_path)
    yield made
    await made.delete_all()
    await engine.dispose()


async def test_decompression_bombs_end_failed_and_the_document_behind_them_ends_ready(
    database_url: str, tmp_path: Path, uploads: Uploads
) -> None:
    environment = worker_environment(
        database_url,
        tmp_path,
        pdf_max_page_decompressed_bytes=str(8 * MIB),
        pdf_max_document_decompressed_bytes=str(16 * MIB),
        pdf_page_timeout_seconds="30",
        pdf_document_timeout_seconds="60",
        pdf_extraction_memory_bytes=str(1024 * MIB),
    )
    # The two bombs of the report: ~1 MB files holding 1 GiB of zeros and 300 MB of text operators.
    zeros = await uploads.add(zeros_bomb_pdf(GIB), "zeros.pdf")
    operators = await uploads.add(text_operators_bomb_pdf(300 * MIB), "operators.pdf")
    normal = await uploads.add(leaflet(1))
    for document_id in (zeros, operators, normal):
        uploads.enqueue(environment, document_id)

    with supervised_workers(DOCUMENTS_WORKER, environment):
        final = await uploads.wait_until_final([zeros, operators, normal], BOOT_TIMEOUT_SECONDS + 60)

    assert final[normal] == (DocumentStatus.ready, None)
    for bomb in (zeros, operators):
        status, error = final[bomb]
        assert status == DocumentStatus.failed
        assert error is not None and error.startswith("Page 1 expands to more than 8 MB when decompressed")


async def test_documents_uploaded_as_the_worker_starts_all_become_ready_within_seconds(
    database_url: str, tmp_path: Path, uploads: Uploads
) -> None:
    # Every job opens its own engine: each round's jobs make their first connections together,
    # as the first jobs of a fresh worker did when one of its threads hung.
    environment = worker_environment(database_url, tmp_path)
    with supervised_workers(DOCUMENTS_WORKER, environment):
        wait_for_heartbeat(environment, DOCUMENTS_QUEUE)
        for _ in range(3):
            ids = [await uploads.add(leaflet(n)) for n in range(4)]
            for document_id in ids:
                uploads.enqueue(environment, document_id)

            final = await uploads.wait_until_final(ids, ALL_READY_WITHIN_SECONDS)

            assert list(final.values()) == [(DocumentStatus.ready, None)] * len(ids)


async def test_a_worker_killed_with_sigkill_is_restarted_and_ingests_the_next_upload(
    database_url: str, tmp_path: Path, uploads: Uploads
) -> None:
    environment = worker_environment(database_url, tmp_path)
    with supervised_workers(DOCUMENTS_WORKER, environment) as supervisor:
        first = wait_for_heartbeat(environment, DOCUMENTS_QUEUE)
        os.kill(int(first.rpartition(":")[2]), signal.SIGKILL)

        second = wait_for_heartbeat(environment, DOCUMENTS_QUEUE, not_from=frozenset({first}))
        document_id = await uploads.add(leaflet(1))
        uploads.enqueue(environment, document_id)
        final = await uploads.wait_until_final([document_id], BOOT_TIMEOUT_SECONDS)

    assert supervisor.restarts >= 1
    assert second != first
    assert final[document_id] == (DocumentStatus.ready, None)


def booklet(pages: int) -> bytes:
    """Enough text that its ingestion is still under way when the worker is killed."""
    lines = "\n".join(f"Line {n}: vaccinations, referrals, opening hours and parking." for n in range(40))
    return text_pdf([f"Page {page}.\n{lines}" for page in range(pages)])


async def test_a_worker_killed_while_ingesting_is_restarted_and_the_sweep_sees_the_document_through(
    database_url: str, tmp_path: Path, uploads: Uploads
) -> None:
    environment = worker_environment(database_url, tmp_path)
    # A heartbeat missed twice: the worker's own sweep waits longer (workers.documents.PROCESSING_AFTER).
    silent_for = 2 * HEARTBEAT_INTERVAL

    def resend(document_id: uuid.UUID) -> None:
        environment.job_sender().enqueue(INGEST_DOCUMENT, str(document_id))

    with supervised_workers(DOCUMENTS_WORKER, environment) as supervisor:
        first = wait_for_heartbeat(environment, DOCUMENTS_QUEUE)
        document_id = await uploads.add(booklet(40), "booklet.pdf")
        uploads.enqueue(environment, document_id)
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        while (await uploads.statuses())[document_id][0] == DocumentStatus.pending:
            assert time.monotonic() < deadline, "the worker never started the document"
            await asyncio.sleep(0.05)
        os.kill(int(first.rpartition(":")[2]), signal.SIGKILL)
        killed_while = (await uploads.statuses())[document_id]

        wait_for_heartbeat(environment, DOCUMENTS_QUEUE, not_from=frozenset({first}))
        resent = 0
        while not resent and (await uploads.statuses())[document_id][0] == DocumentStatus.processing:
            assert time.monotonic() < deadline, "the document's heartbeat never went stale"
            await asyncio.sleep(1)
            resent = await sweep_stale(
                uploads.sessions,
                enqueue=resend,
                pending_after=timedelta(hours=1),
                processing_after=silent_for,
            )
        final = await uploads.wait_until_final([document_id], BOOT_TIMEOUT_SECONDS)

    assert killed_while == (DocumentStatus.processing, None)
    assert supervisor.restarts >= 1
    assert final[document_id] == (DocumentStatus.ready, None)
