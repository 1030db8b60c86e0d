"""`silverstar run`'s supervisor restarts a worker process that dies, backing off while it keeps dying."""

import logging
import sys
import time

import pytest

from workers.processes import Supervisor

# Bounds the wait for the restarts; it measures nothing.
WAIT_SECONDS = 60.0


def test_a_worker_that_keeps_dying_is_restarted_with_a_doubling_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workers.processes")
    supervisor = Supervisor({"documents": [sys.executable, "-c", "raise SystemExit(3)"]}, min_backoff=0.1)
    supervisor.start()
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while supervisor.restarts < 4:
            assert time.monotonic() < deadline, f"{supervisor.restarts} restarts in {WAIT_SECONDS} s"
            time.sleep(0.05)
    finally:
        supervisor.stop()

    # The log line's arguments: name, exit code, seconds it ran, backoff before the restart.
    exits = [tuple(record.args or ()) for record in caplog.records if "restarting in" in record.getMessage()]
    assert [(e[0], e[1], e[3]) for e in exits[:4]] == [("documents", 3, b) for b in (0.1, 0.2, 0.4, 0.8)]
    started = [record for record in caplog.records if "started (pid" in record.getMessage()]
    assert len(started) >= 4  # the first start and a restart after each of the first three exits
