"""The offline answerer's sentence choice: windows, the lexical overlap, no sentence quoted twice,
one embedding batch per question, headings never quoted, follow-ups quoted for the message."""

import uuid
from collections.abc import Sequence

import numpy as np
import pytest

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit
from services.answerers import ExtractiveAnswerer, Part, Question
from services.extractive import (
    MIN_MARGIN,
    MIN_SCORE,
    PASSAGE_WEIGHT,
    Candidate,
    Quote,
    _passage_order,
    assess,
    candidates,
    choose_quotes,
    lexical_overlap,
    pick_quotes,
    rank_sentences,
    with_answers,
)
from services.passage_sentences import content_terms, split_sentences
from services.prompts import AnswerStyle


def _hit(text: str, score: float = 0.5) -> ChunkHit:
    return ChunkHit(document_id=uuid.uuid4(), filename="a.pdf", page=1, text=text, score=score)


def test_content_terms_drop_question_words_and_match_plural_and_singular() -> None:
    assert content_terms("What do the cheques cost?") == content_terms("cheque costs")
    assert "how" not in content_terms("How do I pay?") and content_terms("How do I pay?") == {"pay"}


def test_the_lexical_overlap_weighs_a_word_rare_among_the_candidates_above_a_common_one() -> None:
    units = [
        Candidate("Fees are paid by card or in cash; we do not accept cheques.", 1, 0),
        Candidate("Fees for certificates are listed at the reception.", 1, 1),
        Candidate("Fees are listed on our website.", 1, 2),
    ]

    overlap = lexical_overlap("Which fees can I pay by cheque?", units)

    assert overlap[0] > overlap[1] == overlap[2] > 0


def test_a_sentence_in_a_chosen_window_is_not_quoted_again() -> None:
    window = Quote("Walk-in clinics run on Wednesdays. They start at 14:00.", 1, 3, 0.7, 0.9, last_position=4)
    inside = Quote("They start at 14:00.", 1, 4, 0.6, 0.85)
    other = Quote("Flu vaccines are free.", 1, 0, 0.5, 0.8)

    assert pick_quotes([window, inside, other]) == [other, window]


def test_an_answer_spread_over_two_sentences_is_quoted_whole(local_embedder: Embedder) -> None:
    passage = _hit(
        "Repeat prescriptions can be ordered in the app. Travel vaccinations need an appointment with "
        "the travel nurse. It should be booked at least six weeks before you leave. Bring your "
        "vaccination record to every appointment."
    )
    question = "How long before my trip should I book travel vaccinations?"

    quotes = choose_quotes(rank_sentences(question, question, [passage], local_embedder))
    quoted = " ".join(q.text for q in quotes)

    assert "travel nurse" in quoted and "six weeks" in quoted
    assert "Repeat prescriptions" not in quoted


class CountingEmbedder:
    """The real local model, counting the batches it is given."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self.name = embedder.name
        self.dimensions = embedder.dimensions
        self.batches = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.batches += 1
        return self._embedder.embed(texts)


def test_reranking_and_quoting_share_one_embedding_batch(local_embedder: Embedder) -> None:
    counting = CountingEmbedder(local_embedder)
    hours = _hit("The clinic opens at 8 am and closes at 6 pm on weekdays. Parking is free.", 0.5)
    fees = _hit("A missed appointment costs 40 dollars. Cancel one day ahead to avoid the fee.", 0.45)
    question = "What if I miss my appointment?"

    ranking = rank_sentences(question, question, [hours, fees], counting)
    reply = ExtractiveAnswerer("Clinic", lambda: counting).reply(
        Question(question, ranking.passages, (), AnswerStyle.chat, [Part(question, question, ranking)])
    )

    assert counting.batches == 1
    assert ranking.passages == [fees, hours]
    assert "40 dollars" in reply and "[1]" in reply


def test_a_heading_on_its_own_line_is_never_a_sentence_even_when_it_opens_like_one() -> None:
    chunk = "Clinic - After Your Treatment\nWhen to get urgent help\nCall 911 for chest pain. Stay calm."

    assert split_sentences(chunk) == ["Call 911 for chest pain.", "Stay calm."]
    assert [c.text for c in candidates([_hit(chunk)])] == ["Call 911 for chest pain."]


def test_a_follow_up_quotes_what_the_message_asks_not_the_previous_answer(local_embedder: Embedder) -> None:
    passage = _hit(
        "Opening hours\nOn weekdays the clinic is open from 8:00 to 18:00. Parking is free behind the "
        "building. On Saturdays the clinic is open from 9:00 to 13:00 for urgent cases. Flu vaccines "
        "are given every October. Nobody works on Sundays, when the building is locked."
    )
    first = "When is the clinic open on Saturdays?"
    follow_up = "And on Sundays?"

    ranking = rank_sentences(follow_up, f"{first} {follow_up}", [passage], local_embedder)

    assert "Sundays" in ranking.units[0].text
    assert ranking.assessment is not None and ranking.assessment.answerable


def test_passages_are_ordered_by_their_nearest_sentence_read_with_the_passage_score() -> None:
    retrieved_first, retrieved_second = _hit("Clinic hours. Fees.", 0.70), _hit("Parking. Buses.", 0.40)
    sentences = [Candidate("Clinic hours.", 1, 0), Candidate("Parking.", 2, 0)]

    # A sentence a little nearer the question in a passage retrieval ranked far lower stays second;
    # one clearly nearer goes first.
    assert _passage_order([retrieved_first, retrieved_second], sentences, np.array([0.60, 0.65])) == [1, 2]
    assert _passage_order([retrieved_first, retrieved_second], sentences, np.array([0.60, 0.80])) == [2, 1]


def test_a_near_sentence_is_weaker_evidence_in_a_passage_retrieval_ranked_low() -> None:
    similarity = MIN_SCORE - 0.45 * PASSAGE_WEIGHT

    def ranked(passage_score: float) -> list[Quote]:
        best = Quote(
            "Dressings stay dry for two days.", 1, 0, similarity, similarity + PASSAGE_WEIGHT * passage_score
        )
        far = Quote("Parking is behind the building.", 2, 0, 0.05, 0.05)
        return [best, far]

    assert assess(ranked(passage_score=0.8)).answerable
    assert not assess(ranked(passage_score=0.1)).answerable


def test_the_margin_is_read_over_a_rival_not_over_the_best_sentences_own_window() -> None:
    """An answer spread over two sentences is not unsure: the next quotable sentence of its
    passage (position 5: the short one at 4 is no candidate) would be quoted with it."""
    best = Quote("Keep the dressing dry for two days.", 1, 3, 0.35, 0.50)
    its_window = Quote("After that, you may shower as usual.", 1, 5, 0.34, 0.49)
    rival_score = 0.50 - MIN_MARGIN - 0.05

    spread = assess([best, its_window, Quote("Parking is free.", 2, 0, 0.2, rival_score)])
    assert spread.margin == pytest.approx(MIN_MARGIN + 0.05) and spread.answerable

    beyond_window = Quote("Flu vaccines are given in October.", 1, 7, 0.34, 0.49)
    assert not assess([best, beyond_window, its_window]).answerable
    assert not assess([best, Quote("Dressings are sold at reception.", 2, 0, 0.34, 0.49)]).answerable


def test_the_refusal_evidence_carries_the_passage_score_as_ranked(local_embedder: Embedder) -> None:
    question = "How long should I keep the dressing dry?"
    text = "Keep the dressing dry for two days. Parking is behind the building."

    high = rank_sentences(question, question, [_hit(text, score=0.8)], local_embedder).assessment
    low = rank_sentences(question, question, [_hit(text, score=0.1)], local_embedder).assessment

    assert high is not None and low is not None
    assert high.best_score - low.best_score == pytest.approx(PASSAGE_WEIGHT * (0.8 - 0.1), abs=1e-4)


FAQ = (
    "Frequently asked questions\n"
    "Is there parking at the centre?\n"
    "Yes. There are 30 free parking spaces behind the building.\n"
    "Can I bring someone with me to my appointment?\n"
    "Yes, you are welcome to bring a relative, a friend or a carer.\n"
    "How do I book an appointment?\n"
    "You can book by phone on 0161 555 0199 from 8:00, or in person at the front desk.\n"
    "What happens if I am late?\n"
    "If you arrive more than 10 minutes late, you may be asked to book again.\n"
    "How do I register as a new patient?"
)


def test_a_question_in_a_passage_is_quoted_with_its_answer_and_never_alone() -> None:
    answered = dict(with_answers(split_sentences(FAQ)))

    assert list(answered) == [0, 3, 5, 7]  # the last question's answer is not in the passage
    assert (
        answered[0]
        == "Is there parking at the centre? Yes. There are 30 free parking spaces behind the building."
    )
    assert answered[5].startswith("How do I book an appointment? You can book by phone on 0161 555 0199")
    assert list(with_answers(["Feeling unwell?", "Call the surgery first.", "We open at 8."])) == [
        (0, "Feeling unwell? Call the surgery first."),
        (2, "We open at 8."),
    ]
    assert not [c.text for c in candidates([_hit(FAQ)]) if c.text.endswith("?")]


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Can I park at the clinic?", "30 free parking spaces"),
        ("Can my daughter come in with me?", "a relative"),
    ],
)
def test_a_faq_is_quoted_for_its_answers_not_for_its_questions(
    local_embedder: Embedder, question: str, answer: str
) -> None:
    reply = ExtractiveAnswerer("Clinic", lambda: local_embedder).reply(
        Question(question, [_hit(FAQ, 0.6)], (), AnswerStyle.chat, [Part(question, question)])
    )

    assert answer in reply
