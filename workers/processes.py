"""The worker layout: one Dramatiq worker process per queue, and a supervisor that keeps them up.

Phone turns (`calls`) and document ingestion (`documents`) run in separate processes, so a
caller never waits behind a long PDF. `silverstar run` supervises one process per queue;
docker-compose.yml runs the same command lines as one service per queue. Importing this
module starts nothing (the API and the CLI import it without loading any actor).
"""

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from services.worker_health import CALLS_QUEUE, DOCUMENTS_QUEUE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerProcess:
    queue: str
    threads: int

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "workers", "workers.actors",
            "--queues", self.queue, "--processes", "1", "--threads", str(self.threads),
        ]  # fmt: skip


# One thread for calls: a second transcription in the same process would only halve the speed of both.
WORKER_PROCESSES = (WorkerProcess(CALLS_QUEUE, threads=1), WorkerProcess(DOCUMENTS_QUEUE, threads=2))

# A process that ran this long before dying starts its next life with the shortest backoff.
HEALTHY_RUN_SECONDS = 60.0
MIN_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 60.0
POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 15.0


class _Supervised:
    def __init__(self, name: str, command: list[str], backoff: float) -> None:
        self.name = name
        self.command = command
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.backoff = backoff
        self.restart_at = 0.0  # monotonic time of the next start while no process runs


class Supervisor:
    """Starts each command, restarts any that exits (backoff doubling up to a minute), stops them all.

    The processes are started from the supervisor's own thread: `preexec_fn` (e.g. a
    parent-death signal, tied on Linux to the thread that forked) must stay valid while it runs.
    """

    def __init__(
        self,
        commands: Mapping[str, list[str]],
        *,
        env: Mapping[str, str] | None = None,
        preexec_fn: Callable[[], None] | None = None,
        min_backoff: float = MIN_BACKOFF_SECONDS,
    ) -> None:
        self._children = [_Supervised(name, command, min_backoff) for name, command in commands.items()]
        self._env = dict(env) if env is not None else None
        self._preexec_fn = preexec_fn
        self._min_backoff = min_backoff
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self.restarts = 0

    def start(self) -> None:
        self._thread.start()

    def pids(self) -> dict[str, int | None]:
        return {child.name: child.process.pid if child.process else None for child in self._children}

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=STOP_GRACE_SECONDS + 5)

    def _watch(self) -> None:
        try:
            while not self._stopping.is_set():
                for child in self._children:
                    self._tend(child)
                self._stopping.wait(POLL_SECONDS)
        finally:
            self._stop_all()

    def _tend(self, child: _Supervised) -> None:
        now = time.monotonic()
        if child.process is None:
            if now >= child.restart_at:
                self._launch(child)
            return
        code = child.process.poll()
        if code is None:
            return
        ran = now - child.started_at
        if ran >= HEALTHY_RUN_SECONDS:
            child.backoff = self._min_backoff
        child.restart_at = now + child.backoff
        child.process = None
        logger.error(
            "worker %s exited with code %s after %.0f s; restarting in %.0f s",
            child.name,
            code,
            ran,
            child.backoff,
        )
        child.backoff = min(child.backoff * 2, MAX_BACKOFF_SECONDS)
        self.restarts += 1

    def _launch(self, child: _Supervised) -> None:
        try:
            # Command lines of our own (WORKER_PROCESSES), never from outside.
            child.process = subprocess.Popen(  # noqa: S603
                child.command, env=self._env, preexec_fn=self._preexec_fn
            )
        except OSError:
            logger.exception("could not start worker %s", child.name)
            child.restart_at = time.monotonic() + child.backoff
            return
        child.started_at = time.monotonic()
        logger.info("worker %s started (pid %d)", child.name, child.process.pid)

    def _stop_all(self) -> None:
        running = [child.process for child in self._children if child.process is not None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def supervise_workers(
    *, env: Mapping[str, str] | None = None, preexec_fn: Callable[[], None] | None = None
) -> Supervisor:
    """A started supervisor of one worker process per queue."""
    supervisor = Supervisor(
        {spec.queue: spec.command() for spec in WORKER_PROCESSES}, env=env, preexec_fn=preexec_fn
    )
    supervisor.start()
    return supervisor
