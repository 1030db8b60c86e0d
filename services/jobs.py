"""The jobs port: services queue work by actor name; whoever owns the transaction sends it.

A service calls `jobs.enqueue("documents.ingest", str(document.id))` and never learns how
messages travel. The request context (and the CLI) hand services a `JobBuffer` and send
what it holds only after their commit succeeded, dropping it on rollback: a worker never
picks up a job for a row that was not committed. Messages carry ids (strings), not objects.

`ACTOR_QUEUES` is the one table of every actor and its queue: the sender routes messages
by it (so the API imports no actor module) and the workers declare their actors from it.
"""

import logging
from dataclasses import dataclass
from typing import Protocol

from services.worker_health import CALLS_QUEUE, DOCUMENTS_QUEUE

log = logging.getLogger(__name__)

INGEST_DOCUMENT = "documents.ingest"
ABANDON_DOCUMENT = "documents.abandon"
SWEEP_DOCUMENTS = "documents.sweep"
ANSWER_CALL_TURN = "calls.answer_turn"

# Phone turns never wait behind a PDF: each queue has worker processes of its own.
ACTOR_QUEUES: dict[str, str] = {
    INGEST_DOCUMENT: DOCUMENTS_QUEUE,
    ABANDON_DOCUMENT: DOCUMENTS_QUEUE,
    SWEEP_DOCUMENTS: DOCUMENTS_QUEUE,
    ANSWER_CALL_TURN: CALLS_QUEUE,
}


class Jobs(Protocol):
    """Somewhere to queue work: `enqueue` an actor by name with its (string) arguments."""

    def enqueue(self, actor_name: str, *args: str) -> None: ...


@dataclass(frozen=True)
class Job:
    actor_name: str
    args: tuple[str, ...]


class JobBuffer:
    """Jobs held until their transaction commits: `send_to` a sender after it, `drop` on rollback."""

    def __init__(self) -> None:
        self._jobs: list[Job] = []

    def enqueue(self, actor_name: str, *args: str) -> None:
        if actor_name not in ACTOR_QUEUES:
            raise ValueError(f"no actor named {actor_name!r}")
        self._jobs.append(Job(actor_name, args))

    @property
    def pending(self) -> tuple[Job, ...]:
        return tuple(self._jobs)

    def drop(self) -> None:
        self._jobs.clear()

    def send_to(self, sender: Jobs) -> int:
        """Sends every held job (blocking I/O: call it off the event loop); returns how many went.

        The transaction is committed: a job that can't be sent (Redis down) is logged, not
        raised. Each domain recovers its own: the document sweep re-sends pending documents,
        and a phone turn left pending ends in the apology.
        """
        jobs, self._jobs = self._jobs, []
        sent = 0
        for job in jobs:
            try:
                sender.enqueue(job.actor_name, *job.args)
                sent += 1
            except Exception:
                log.warning("could not enqueue %s%r", job.actor_name, job.args, exc_info=True)
        return sent
