"""Metrics recorded by several processes add up in one exposition (PROMETHEUS_MULTIPROC_DIR)."""

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from kernel import metrics
from workers.tracing import serve_worker_metrics

RECORD = "from kernel import metrics; metrics.jobs_processed.labels('documents', 'documents.ingest').inc()"
EXPOSE = "import sys; from kernel import metrics; sys.stdout.write(metrics.latest().decode())"
SAMPLE = 'silverstar_jobs_processed_total{actor="documents.ingest",queue="documents"} 2.0'


def _python(code: str, folder: Path) -> str:
    env = {**os.environ, metrics.MULTIPROC_DIR_VARIABLE: str(folder)}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout


def test_two_processes_counts_are_added_up_by_a_third(tmp_path: Path) -> None:
    _python(RECORD, tmp_path)
    _python(RECORD, tmp_path)

    assert SAMPLE in _python(EXPOSE, tmp_path).splitlines()


def test_a_worker_serves_its_metrics_on_its_own_port() -> None:
    metrics.jobs_failed.labels("calls", "calls.answer_turn").inc(0)
    server = serve_worker_metrics("127.0.0.1", 0)
    assert server is not None
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            text = response.read().decode()
    finally:
        server.shutdown()

    assert "# TYPE silverstar_jobs_failed_total counter" in text
