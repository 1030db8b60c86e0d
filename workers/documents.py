"""Document actors: `documents.ingest`, `documents.abandon`, `documents.sweep`, and the sweeper.

They all run on the `documents` queue, apart from the phone line's. Each actor runs its
coroutine on this process's sessions (`workers.runtime`). A daemon thread in each process
consuming that queue sweeps every minute for documents left pending (Redis was down at
upload) or processing without a heartbeat (their worker died), and purges audit events
past AUDIT_RETENTION_DAYS.
"""

import logging
import threading
import uuid
from datetime import timedelta
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from adapters.job_queue import DramatiqJobSender
from services.ingestion import ingest, mark_abandoned, sweep_stale
from services.jobs import ABANDON_DOCUMENT, ACTOR_QUEUES, INGEST_DOCUMENT, SWEEP_DOCUMENTS
from services.worker_health import DOCUMENTS_QUEUE
from workers.audit import purge_audit_trail
from workers.broker import worker_broker
from workers.heartbeat import consumed_queues
from workers.runtime import run, world

logger = logging.getLogger(__name__)

broker = worker_broker()

SWEEP_INTERVAL_SECONDS = 60
# Longer than any message waits in a healthy queue.
PENDING_AFTER = timedelta(minutes=5)
# Ample for 500 dense pages through pdfplumber; a run that takes longer is cut off and retried.
INGEST_TIME_LIMIT = timedelta(minutes=30)
# A job refreshes its document's heartbeat every 15 s (services.ingestion.HEARTBEAT_INTERVAL):
# one silent for this long has died. (The Redis broker also re-delivers a dead worker's messages.)
PROCESSING_AFTER = timedelta(minutes=2)


def _parse_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        logger.error("not a document id: %r", value)
        return None


@dramatiq.actor(
    actor_name=INGEST_DOCUMENT,
    queue_name=ACTOR_QUEUES[INGEST_DOCUMENT],
    max_retries=5,
    min_backoff=2_000,
    max_backoff=60_000,
    time_limit=int(INGEST_TIME_LIMIT.total_seconds() * 1000),
    on_retry_exhausted=ABANDON_DOCUMENT,
)
def ingest_document(document_id: str) -> None:
    """Extract, chunk and embed one uploaded document (idempotent; rejected files end `failed`)."""
    parsed = _parse_id(document_id)
    if parsed is None:
        return
    opened = world()
    run(
        lambda sessions: ingest(
            parsed,
            session_factory=sessions,
            storage=opened.storage,
            embedder=opened.embedder,
            store=opened.vector_store,
            settings=opened.settings,
        )
    )


@dramatiq.actor(
    actor_name=ABANDON_DOCUMENT, queue_name=ACTOR_QUEUES[ABANDON_DOCUMENT], max_retries=10, min_backoff=10_000
)
def abandon_document(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
    """Called by Dramatiq when `documents.ingest` ran out of retries: mark the document failed."""
    args = message.get("args") or [""]
    parsed = _parse_id(str(args[0]))
    if parsed is None:
        return
    logger.error("giving up on document %s after %s retries", parsed, retry_info.get("retries"))
    store = world().vector_store
    run(lambda sessions: mark_abandoned(sessions, store, parsed))


_jobs = DramatiqJobSender(worker_broker, ACTOR_QUEUES)


def _enqueue_ingest(document_id: uuid.UUID) -> None:
    # Sent at once, before the sweep's commit: the documents are committed already, and the
    # sweep stops at the first failure so it only touches those sent.
    _jobs.enqueue(INGEST_DOCUMENT, str(document_id))


def sweep() -> int:
    return run(
        lambda sessions: sweep_stale(
            sessions,
            enqueue=_enqueue_ingest,
            pending_after=PENDING_AFTER,
            processing_after=PROCESSING_AFTER,
        )
    )


@dramatiq.actor(actor_name=SWEEP_DOCUMENTS, queue_name=ACTOR_QUEUES[SWEEP_DOCUMENTS], max_retries=0)
def sweep_documents() -> None:
    """Re-enqueue documents stuck pending or processing (also run every minute by each worker)."""
    sweep()


class DocumentSweeper(Middleware):
    """Runs `sweep` every minute in a daemon thread of each worker process consuming documents."""

    def __init__(self, interval: float = SWEEP_INTERVAL_SECONDS) -> None:
        self._interval = interval
        self._stop = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if DOCUMENTS_QUEUE not in consumed_queues(broker, worker):
            return
        self._stop.clear()
        threading.Thread(target=self._loop, name="documents-sweeper", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                sweep()
                purge_audit_trail()
            except Exception:
                logger.exception("document sweep failed")


class EmbedderPreloader(Middleware):
    """Loads the embedding model before a documents worker takes its first message.

    At boot, before any worker thread runs, in one thread: the first documents don't wait
    for the model, and the worker's heartbeat (so `/ready`) starts only once it can work.
    """

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if DOCUMENTS_QUEUE in consumed_queues(broker, worker):
            world().embedder  # noqa: B018 (loads the model)


broker.add_middleware(DocumentSweeper())
broker.add_middleware(EmbedderPreloader())
