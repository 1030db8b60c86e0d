"""A question about one thing (its price, whether the clinic offers it) answered only by sentences
about that thing."""

import uuid

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit
from services.answerers import ExtractiveAnswerer, Part, Question
from services.asked_item import (
    answers_asked_item,
    mentions_item,
    offered_item_asked,
    priced_item_asked,
    priced_items,
    prices_item,
)
from services.prompts import AnswerStyle, not_found

PRICE_LIST = (
    "Fees An initial assessment costs $90 and a follow-up treatment costs $60. "
    "A block of six follow-up treatments booked together costs $330. "
    "Home visits within 10 km of the clinic cost $110. Payment is due at the end of each session."
)
DENTISTS = (
    "Our team Dr. Anna Kowalski and Dr. James Reid are our dentists. "
    "Dr. Reid also treats nervous patients and offers longer appointments for them. "
    "Our hygienist works on Tuesdays and Thursdays."
)


def test_the_thing_a_price_question_asks_about_is_read_off_it() -> None:
    assert priced_item_asked("How much is a hydrotherapy pool session?") == "hydrotherapy pool session"
    assert priced_item_asked("What does a scale and polish cost?") == "scale polish"
    assert priced_item_asked("What's the price of a filling?") == "filling"
    assert priced_item_asked("How much for a home visit?") == "home visit"
    assert priced_item_asked("Also, how much is a crown?") == "crown"


def test_the_thing_an_offer_question_asks_about_ends_at_a_place_a_purpose_or_a_clause() -> None:
    assert offered_item_asked("Do you offer sedation for nervous patients?") == "sedation"
    assert offered_item_asked("Do you do laser eye surgery?") == "laser eye surgery"
    assert offered_item_asked("Can I buy hearing aids at the practice?") == "hearing aids"
    assert offered_item_asked("Is there a cafe in the building?") == "cafe"
    assert offered_item_asked("And do you offer dental implants?") == "dental implants"
    assert offered_item_asked("Can I get vaccinated against yellow fever here?") == "vaccinated yellow fever"


def test_a_question_about_no_one_thing_has_none() -> None:
    assert priced_item_asked("How much notice do I need to give?") is None
    assert priced_item_asked("What is the charge if I don't turn up?") is None
    assert priced_item_asked("What does it cost to speak to a doctor?") is None
    assert priced_item_asked("How much do they cost?") is None
    assert priced_item_asked("When do you open?") is None
    assert offered_item_asked("Is there somewhere to breastfeed?") is None
    assert offered_item_asked("Is there someone who specialises in children's eyes?") is None
    assert offered_item_asked("When do you open?") is None


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

    assert prices_item("initial assessment", sentences, local_embedder)
    assert prices_item("first visit", ["An initial assessment costs $90."], local_embedder)
    assert prices_item("jab travelling abroad", travel, local_embedder)
    assert not prices_item("hydrotherapy pool session", sentences, local_embedder)
    assert not prices_item("initial assessment", ["We assess you first."], local_embedder)


def test_an_offered_thing_is_mentioned_by_its_words_or_a_phrase_near_it(local_embedder: Embedder) -> None:
    flu = ["The flu vaccine is offered every autumn from October."]

    assert mentions_item("flu vaccine", flu, local_embedder)
    assert mentions_item("flu jabs", flu, local_embedder)
    assert not mentions_item("sedation", [DENTISTS], local_embedder)
    assert not mentions_item("ear piercing", flu, local_embedder)


def _reply(answerer: ExtractiveAnswerer, text: str, passage: ChunkHit) -> str:
    return answerer.reply(Question(text, [passage], (), AnswerStyle.chat, [Part(text, text)]))


def test_the_offline_answerer_refuses_a_price_the_documents_do_not_list(local_embedder: Embedder) -> None:
    answerer = ExtractiveAnswerer("Fernhill", lambda: local_embedder)
    price_list = ChunkHit(uuid.uuid4(), "fees.pdf", 2, PRICE_LIST, 0.55)

    assert "$90" in _reply(answerer, "How much is an initial assessment?", price_list)
    assert _reply(answerer, "How much is a hydrotherapy pool session?", price_list) == not_found("Fernhill")


def test_the_offline_answerer_quotes_no_neighbour_of_what_is_offered(local_embedder: Embedder) -> None:
    answerer = ExtractiveAnswerer("Oakridge", lambda: local_embedder)
    dentists = ChunkHit(uuid.uuid4(), "guide.pdf", 3, DENTISTS, 0.55)

    assert "nervous patients" in _reply(answerer, "Do you treat nervous patients?", dentists)
    assert _reply(answerer, "Do you offer sedation for nervous patients?", dentists) == not_found("Oakridge")


def test_a_question_asking_for_a_phone_number_is_answered_only_by_a_quote_holding_one(
    local_embedder: Embedder,
) -> None:
    def answered(question: str, quote: str) -> bool:
        return answers_asked_item(question, [quote], [quote], local_embedder)

    assert answered("What number do I call to book?", "To book, call 0392 441 7070 from 8:30.")
    assert answered("What is the number of the urgent eye line?", "Ring the eye line on 0207 556 3199.")
    assert answered("What number do I dial for chest pain?", "Call 911 for chest pain.")
    assert not answered("What is Dr. Kowalski's mobile number?", "Dr. Anna Kowalski is one of our dentists.")
    assert not answered("What number do I call to book?", "Book from 8:30 to 17:00; a visit costs $120.")
    # A count is no phone number.
    assert answered("What is the number of free sessions?", "You get six free sessions a year.")
