import pytest

from workers.actors import broker
from workers.calls import answer_call_turn


def test_the_turn_actor_is_registered_and_never_retried() -> None:
    assert broker.get_actor("calls.answer_turn") is answer_call_turn
    assert answer_call_turn.options["max_retries"] == 0


def test_a_malformed_turn_id_is_logged_and_dropped(caplog: pytest.LogCaptureFixture) -> None:
    answer_call_turn.fn("not-a-uuid")
    assert "not a call turn id" in caplog.text
