import pytest
from dramatiq import Worker

from workers.actors import broker
from workers.calls import CALLS_POLL_MS, TurnModelsPreloader, answer_call_turn, serves_calls


def test_the_turn_actor_is_registered_on_its_own_queue_and_never_retried() -> None:
    assert broker.get_actor("calls.answer_turn") is answer_call_turn
    assert answer_call_turn.queue_name == "calls"
    assert answer_call_turn.options["max_retries"] == 0


def test_a_malformed_turn_id_is_logged_and_dropped(caplog: pytest.LogCaptureFixture) -> None:
    answer_call_turn.fn("not-a-uuid")
    assert "not a call turn id" in caplog.text


def test_only_a_worker_serving_the_calls_queue_preloads_the_models() -> None:
    assert serves_calls(Worker(broker, queues={"calls"}))
    assert serves_calls(Worker(broker))  # every queue
    assert not serves_calls(Worker(broker, queues={"default"}))


def test_a_calls_worker_polls_its_queue_often_a_documents_worker_as_dramatiq_does() -> None:
    preloader = next(m for m in broker.middleware if isinstance(m, TurnModelsPreloader))
    calls, documents = Worker(broker, queues={"calls"}), Worker(broker, queues={"documents"})
    idle_default = documents.worker_timeout
    for worker in (calls, documents):
        preloader.before_worker_boot(broker, worker)
    assert calls.worker_timeout == CALLS_POLL_MS < idle_default
    assert documents.worker_timeout == idle_default
