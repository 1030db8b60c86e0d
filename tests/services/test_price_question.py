"""A price question answered only by the price of what it asks about."""

import uuid

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit
from services.answerers import ExtractiveAnswerer, Part, Question
from services.price_question import asked_item, priced_items, prices_asked_item
from services.prompts import AnswerStyle, not_found

PRICE_LIST = (
    "Fees An initial assessment costs $90 and a follow-up treatment costs $60. "
    "A block of six follow-up treatments booked together costs $330. "
    "Home visits within 10 km of the clinic cost $110. Payment is due at the end of each session."
)


def test_the_item_a_price_question_asks_about_is_read_off_it() -> None:
    assert asked_item("How much is a hydrotherapy pool session?") == "hydrotherapy pool session"
    assert asked_item("What does a scale and polish cost?") == "scale polish"
    assert asked_item("What's the price of a filling?") == "filling"
    assert asked_item("How much for a home visit?") == "home visit"


def test_a_question_asking_no_price_or_the_price_of_a_clause_or_a_pronoun_has_no_item() -> None:
    assert asked_item("How much notice do I need to give?") is None
    assert asked_item("What is the charge if I don't turn up?") is None
    assert asked_item("What does it cost to speak to a doctor?") is None
    assert asked_item("How much do they cost?") is None
    assert asked_item("When do you open?") is None


def test_the_items_a_sentence_prices_are_the_words_before_each_amount_and_the_whole() -> None:
    assert priced_items("An initial assessment costs $90 and a follow-up treatment costs $60.") == [
        "initial assessment",
        "follow-up treatment",
        "initial assessment follow-up treatment",
    ]
    assert priced_items("Check-up 45 euros.") == ["Check-up"]
    assert priced_items("Children's glasses are free of charge.") == ["Children's glasses"]
    assert priced_items("Payment is due at the end of each session.") == []


def test_an_item_is_priced_by_its_own_name_or_another_for_the_same_thing(local_embedder: Embedder) -> None:
    sentences = PRICE_LIST.split(". ")
    travel = ["Travel consultations cost $35, plus the cost of each vaccine."]

    assert prices_asked_item("initial assessment", sentences, local_embedder)
    assert prices_asked_item("first visit", ["An initial assessment costs $90."], local_embedder)
    assert prices_asked_item("jab travelling abroad", travel, local_embedder)
    assert not prices_asked_item("hydrotherapy pool session", sentences, local_embedder)
    assert not prices_asked_item("initial assessment", ["We assess you first."], local_embedder)


def test_the_offline_answerer_refuses_a_price_the_documents_do_not_list(local_embedder: Embedder) -> None:
    answerer = ExtractiveAnswerer("Fernhill", lambda: local_embedder)
    price_list = ChunkHit(uuid.uuid4(), "fees.pdf", 2, PRICE_LIST, 0.55)

    def reply(text: str) -> str:
        return answerer.reply(Question(text, [price_list], (), AnswerStyle.chat, [Part(text, text)]))

    assert "$90" in reply("How much is an initial assessment?")
    assert reply("How much is a hydrotherapy pool session?") == not_found("Fernhill")
