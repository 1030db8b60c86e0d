"""The job buffer: held until sent, sent once, dropped on demand; unknown actors refused at once."""

import re

import pytest

from services.jobs import ANSWER_CALL_TURN, INGEST_DOCUMENT, JobBuffer


class Refusing:
    """A sender whose queue is down for one actor."""

    def __init__(self, down_for: str) -> None:
        self.down_for = down_for
        self.sent: list[tuple[str, tuple[str, ...]]] = []

    def enqueue(self, actor_name: str, *args: str) -> None:
        if actor_name == self.down_for:
            raise ConnectionError("Redis is down")
        self.sent.append((actor_name, args))


def test_an_unknown_actor_is_refused_when_queued() -> None:
    with pytest.raises(ValueError, match=re.escape("no actor named 'documents.shred'")):
        JobBuffer().enqueue("documents.shred", "x")


def test_a_job_that_cannot_be_sent_is_logged_and_the_others_still_go(
    caplog: pytest.LogCaptureFixture,
) -> None:
    jobs = JobBuffer()
    jobs.enqueue(INGEST_DOCUMENT, "d1")
    jobs.enqueue(ANSWER_CALL_TURN, "t1")
    sender = Refusing(down_for=INGEST_DOCUMENT)

    assert jobs.send_to(sender) == 1
    assert sender.sent == [(ANSWER_CALL_TURN, ("t1",))]
    assert "could not enqueue documents.ingest('d1',)" in caplog.text
    assert jobs.pending == ()


def test_dropped_jobs_are_never_sent() -> None:
    jobs = JobBuffer()
    jobs.enqueue(INGEST_DOCUMENT, "d1")
    jobs.drop()
    sender = Refusing(down_for="")
    assert jobs.send_to(sender) == 0
    assert sender.sent == []
