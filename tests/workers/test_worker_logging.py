"""A worker process started as in production logs JSON lines only, its jobs' with the request id."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Queue

from kernel.observability import request_id_var
from workers.broker import worker_broker
from workers.documents import ingest_document

QUEUE = "documents"
broker = worker_broker()
# Booting loads the embedding model; on a shared 2-core machine that can take a while.
BOOT_TIMEOUT_SECONDS = 300.0


def _lines_of(stream: object, into: "Queue[str]") -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        into.put(raw.decode())


def test_a_worker_process_logs_json_and_its_jobs_carry_the_queueing_request_id(
    database_url: str, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "workers", "workers.actors", "--queues", QUEUE, "--processes", "1"]
    command += ["--threads", "1"]
    env = {**os.environ, "LOG_LEVEL": "INFO", "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path)}
    broker.flush(QUEUE)
    worker = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    lines: Queue[str] = Queue()
    threading.Thread(target=_lines_of, args=(worker.stderr, lines), daemon=True).start()
    token = request_id_var.set("request-from-the-api")
    try:
        ingest_document.send("not-a-document-id")
    finally:
        request_id_var.reset(token)
    seen: list[str] = []
    try:
        deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
        while not any("not a document id" in line for line in seen):
            assert time.monotonic() < deadline, f"the job's line never came: {seen}"
            try:
                seen.append(lines.get(timeout=1))
            except Empty:
                assert worker.poll() is None, f"the worker exited: {seen}"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        broker.flush(QUEUE)

    entries = [json.loads(line) for line in seen if line.strip()]  # every line is one JSON object
    job_line = next(entry for entry in entries if "not a document id" in entry["message"])
    assert job_line["level"] == "error"
    assert job_line["logger"] == "workers.documents"
    assert job_line["requestId"] == "request-from-the-api"
