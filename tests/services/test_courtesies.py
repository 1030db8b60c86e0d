"""A message's question with its courtesies set aside, and the replies to small talk."""

import pytest

from services.courtesies import SmallTalk, question_of, set_aside, small_talk_reply


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("Hi! Do you offer MRI scans?", "Do you offer MRI scans?"),
        ("hi do you open on sundays", "do you open on sundays"),
        (
            "Good morning. I have a question: What should I bring? Thank you very much!",
            "What should I bring?",
        ),
        ("Hi! On which day? Thanks in advance :)", "On which day?"),
        ("Hello there. I was wondering, where do I park? Thanks a lot.", "where do I park?"),
        ("Hi Anna, do you open on Sundays?", "do you open on Sundays?"),
        ("Hello Dr. Patel! When are you in?", "When are you in?"),
        ("Dear clinic, is there parking? Kind regards, John Smith", "is there parking?"),
        ("Excuse me, where is the practice? Cheers", "where is the practice?"),
        ("Hi, I hope you can help. Where is it?", "Where is it?"),
        ("Sorry to bother you, but can I pay by card? Much appreciated.", "can I pay by card?"),
        ("Could you tell me if you do home visits?", "you do home visits?"),
        ("Quick question - is the lift working? 🙂", "is the lift working?"),
        ("Is it open today? :-) Thanks!", "Is it open today?"),
        ("Thanks! And on Sundays?", "And on Sundays?"),
        ("do you open sundays thanks", "do you open sundays"),
        ("Do you accept Visa? Thanks, Maria", "Do you accept Visa?"),
    ],
)
def test_greetings_preambles_and_thanks_are_set_aside(message: str, question: str) -> None:
    assert question_of(message) == question


@pytest.mark.parametrize(
    "message",
    [
        "How should I take care",  # "take care" closes a message only after a full stop
        "How do I take care of my braces?",
        "Morning appointments: when are they?",
        "Is there a discount for regulars?",
        "What does the hygienist do?",
        "Can I see Dr Hill?",
    ],
)
def test_a_question_without_courtesies_is_left_as_typed(message: str) -> None:
    assert question_of(message) == message


def test_a_message_of_courtesies_only_is_small_talk_of_its_kind() -> None:
    assert set_aside("Hello!") == ("", {SmallTalk.greeting})
    assert set_aside("Thank you, bye") == ("", {SmallTalk.thanks, SmallTalk.farewell})
    assert small_talk_reply({SmallTalk.greeting}, "Birchwood") == (
        "Hello! I answer questions about Birchwood from its documents. What would you like to know?"
    )
    assert small_talk_reply(set_aside("Thanks :)")[1], "Birchwood") == (
        "You're welcome. Is there anything else I can help with?"
    )
    assert small_talk_reply(set_aside("thanks, goodbye")[1], "Birchwood") == "You're welcome. Goodbye."
    assert small_talk_reply(set_aside("Bye!")[1], "Birchwood") == "Goodbye, and take care."


def test_a_message_holding_no_courtesy_gets_no_small_talk() -> None:
    assert set_aside("???") == ("???", set())
    assert small_talk_reply(set(), "Birchwood") is None
