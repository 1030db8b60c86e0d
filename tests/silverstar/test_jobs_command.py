"""`silverstar jobs` and `requeue-jobs` on a real broker and worker: a job that died, its error, its retry."""

import argparse
import uuid

import dramatiq
import pytest

from adapters.job_queue import DramatiqJobSender
from adapters.queued_jobs import list_jobs
from kernel.settings import Settings
from services.jobs import ACTOR_QUEUES, ANSWER_CALL_TURN
from services.worker_health import CALLS_QUEUE
from silverstar.jobs_command import cmd_list, cmd_requeue
from workers.broker import build_broker

# Waits for the worker, not a measure of anything.
JOIN_TIMEOUT_MS = 60_000


def test_a_job_out_of_retries_is_listed_dead_with_its_error_and_requeued_afresh(
    redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    broker = build_broker(Settings(redis_url=redis_url, redis_key_prefix=f"test-{uuid.uuid4().hex[:8]}:"))
    attempts: list[str] = []

    def answer_turn(turn_id: str) -> None:  # stands in for the phone actor, whose recording is gone
        attempts.append(turn_id)
        raise RuntimeError("the recording is gone")

    dramatiq.actor(
        answer_turn, broker=broker, actor_name=ANSWER_CALL_TURN, queue_name=CALLS_QUEUE, max_retries=0
    )
    sender = DramatiqJobSender(lambda: broker, ACTOR_QUEUES)
    sender.enqueue(ANSWER_CALL_TURN, "turn-1")
    assert [(job.state, job.args) for job in list_jobs(broker, CALLS_QUEUE)] == [("queued", ("turn-1",))]

    worker = dramatiq.Worker(broker, queues={CALLS_QUEUE}, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        broker.join(CALLS_QUEUE, timeout=JOIN_TIMEOUT_MS)
    finally:
        worker.stop()
    assert attempts == ["turn-1"]

    [dead] = list_jobs(broker, CALLS_QUEUE)
    assert (dead.state, dead.actor_name, dead.args, dead.retries) == (
        "dead",
        ANSWER_CALL_TURN,
        ("turn-1",),
        1,
    )
    assert dead.error is not None and dead.error.rstrip().endswith("RuntimeError: the recording is gone")
    assert dead.at is not None

    cmd_list(argparse.Namespace(queue=CALLS_QUEUE, state=None, tracebacks=False), broker)
    listing = capsys.readouterr().out
    assert "dead     calls.answer_turn('turn-1')" in listing
    assert "    RuntimeError: the recording is gone" in listing
    assert "dead letters are kept 7 days" in listing

    cmd_requeue(argparse.Namespace(queue=CALLS_QUEUE, ids=[dead.redis_id]), broker)
    assert "1 dead job(s) re-queued." in capsys.readouterr().out
    [again] = list_jobs(broker, CALLS_QUEUE)
    assert (again.state, again.args, again.retries, again.error) == ("queued", ("turn-1",), 0, None)
    assert again.message_id == dead.message_id
    broker.client.close()
