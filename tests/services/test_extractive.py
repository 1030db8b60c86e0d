"""The offline answerer's sentence choice: windows, the lexical overlap, no sentence quoted twice."""

import uuid

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit
from services.extractive import Candidate, Quote, choose_quotes, lexical_overlap, pick_quotes
from services.passage_sentences import content_terms


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

    quotes = choose_quotes([question], [passage], local_embedder)
    quoted = " ".join(q.text for q in quotes)

    assert "travel nurse" in quoted and "six weeks" in quoted
    assert "Repeat prescriptions" not in quoted
