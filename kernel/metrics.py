"""Every Prometheus metric of the app, declared once (README "Signals: logs, metrics, traces").

Any process records into these (the API, each worker). With PROMETHEUS_MULTIPROC_DIR set
(before the process starts), prometheus_client keeps each process's values in files there
and the API's /metrics adds up every process on the host; without it, /metrics shows the
API process alone. Gauges read at scrape time (documents by status, queue depths) are not
here: silverstar/metrics.py computes them when /metrics is read.
"""

import os
import shutil
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, values
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_JOB_SECONDS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 1800.0)

# --- HTTP (labelled by the route template, never the raw path)
http_requests = Counter(
    "silverstar_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
http_request_duration = Histogram(
    "silverstar_http_request_duration_seconds",
    "Time from a request's arrival to its last response byte.",
    ["method", "route"],
    buckets=_SECONDS,
)

# --- jobs (Dramatiq), recorded by workers/job_metrics.py
jobs_processed = Counter("silverstar_jobs_processed_total", "Jobs that ran to the end.", ["queue", "actor"])
jobs_failed = Counter("silverstar_jobs_failed_total", "Job runs that raised.", ["queue", "actor"])
jobs_retried = Counter(
    "silverstar_jobs_retried_total", "Failed jobs queued again for a retry.", ["queue", "actor"]
)
jobs_dead = Counter(
    "silverstar_jobs_dead_lettered_total",
    "Jobs out of retries, moved to the dead-letter queue.",
    ["queue", "actor"],
)
job_duration = Histogram(
    "silverstar_job_duration_seconds", "Time a job run took.", ["queue", "actor"], buckets=_JOB_SECONDS
)
jobs_in_progress = Gauge(
    "silverstar_jobs_in_progress", "Jobs running now.", ["queue", "actor"], multiprocess_mode="livesum"
)

# --- documents
ingestion_pages = Counter("silverstar_ingestion_pages_total", "Pages of PDFs ingested.")
ingestion_pages_per_second = Histogram(
    "silverstar_ingestion_pages_per_second",
    "Pages per second of each ingested document (extraction, chunking and embedding).",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0),
)

# --- phone line
transcription_seconds = Histogram(
    "silverstar_transcription_seconds", "Speech-to-text time of one recorded question.", buckets=_SECONDS
)
phone_turn_seconds = Histogram(
    "silverstar_phone_turn_latency_seconds",
    "From a caller's recording reaching us to the stored answer (queue, download, transcription, answer).",
    buckets=_SECONDS,
)

# --- assistant
chat_seconds = Histogram(
    "silverstar_chat_latency_seconds",
    "Time to a complete assistant answer, by channel (chat, stream).",
    ["channel"],
    buckets=_SECONDS,
)
gemini_errors = Counter(
    "silverstar_gemini_errors_total",
    "Failed Gemini calls, by kind (unavailable, failed, unexpected, empty).",
    ["kind"],
)


def record_in_directory(directory: Path) -> None:
    """This process, and the processes it starts from now on, record into files under `directory`
    (emptied first: files of processes of an earlier run would count again)."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROC_DIR_VARIABLE] = str(directory)
    # Labelled series are made on first use, with the value class chosen here.
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]


def exposition_registry() -> CollectorRegistry:
    """Every process's values (PROMETHEUS_MULTIPROC_DIR), else this process's own."""
    if os.environ.get(MULTIPROC_DIR_VARIABLE):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def forget_this_process() -> None:
    """A process leaving: its "in progress" values stop counting (multiprocess mode only)."""
    if directory := os.environ.get(MULTIPROC_DIR_VARIABLE):
        mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]


def latest() -> bytes:
    return generate_latest(exposition_registry())
