"""What the offline answerer quotes, and when it refuses: sentences chosen by meaning.

The sentences of the retrieved passages (headings left out) and their windows (a sentence
with the one after it, so that an answer spread over two sentences is quoted whole) are
embedded once per question, in one batch with the question, by the local model that
indexed the passages. That one batch serves twice: the passages are reordered by their
sentence nearest the question (a chunk's vector blurs the one sentence that answers), read
in its passage's context as a quote is (plus the same share of the passage's retrieval
score), and the quote is chosen from the best of them. A unit's (sentence's or window's) score is its
cosine similarity to the question, plus a share of its passage's retrieval score (a
sentence is read in its passage's context), plus a share of its lexical overlap with the
question: the question's content words it holds, each weighted by how rare it is among the
candidates (a BM25-like idf), so "cheque" finds the cheque sentence even when the embedding
ranks a payment sentence first.

A follow-up ("And on Sundays?") is searched together with the question it follows. Its
quote is chosen by the mean similarity of a sentence to the message and to that search
text (the search text alone would quote the previous answer again, the message alone lacks
the topic), and so is its lexical overlap: the mean of the message's and the search
text's; reranking and refusing read the nearer of the two similarities (is the topic in
the documents at all).

Refusing rests on three pieces of evidence rather than one cut-off on the passage score: the
best sentence's score, its margin over the best rival's (an unrelated question finds many
sentences equally far; the sentences next to the best one are no rivals, as the quote may take
them with it, and an answer spread over two sentences would otherwise look unsure), and whether
the passage ranked first holds that sentence (retrieval and sentence agree). A sentence's score
here is its similarity to the question read in its passage's context, as for ordering the
passages: plus PASSAGE_WEIGHT of the passage's retrieval score (a near sentence in a passage
retrieval ranks low is weaker evidence than one in a passage it ranks high). It is read on
single sentences, not windows (a window's similarity is blurred by its other sentence). The
thresholds were calibrated by bench/calibrate_answers.py (all-MiniLM-L6-v2 scale) on two
development sets, Birchwood's dev split and the Fernhill physiotherapy set, never on a held-out
split: the rule answering the most questions correctly minus those wrongly refused while
refusing at least 80 % of each development set's unanswerable ones. The target is 80 %, not
100 %: a stricter rule refuses real questions worded unlike the text. (On similarity alone, without
the passage's score, the calibrated rule refused 4 of 31 of Birchwood's held-out answerable
questions against 1 with it, with as many unanswerable ones refused.) A question asking the price
of one thing, or whether the clinic offers it, is refused, too, when the passages price, or the
quote names, another thing only (`services.asked_item`).
"""

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit
from services.asked_item import answers_asked_item
from services.passage_sentences import content_terms, join_sentences, split_sentences, strip_headings

MAX_PASSAGES = 4
# Passages scoring this far below the best one are not quoted from.
PASSAGE_SCORE_SPAN = 0.2
PASSAGE_WEIGHT = 0.3
# The weight of the idf-weighted share of the question's content words a unit holds.
LEXICAL_WEIGHT = 0.3
MIN_SENTENCE_WORDS = 3
MAX_QUOTE_SENTENCES = 3
MAX_QUOTE_CHARS = 450
# Sentences scoring within this of the best are quoted with it.
QUOTE_SCORE_SPAN = 0.15

# Answer when the best sentence scores this much (similarity + PASSAGE_WEIGHT x passage score) ...
CONFIDENT_SCORE = 0.60
# ... or at least this much, with retrieval agreeing (the first passage holds it) and a margin
# over the best rival. Calibrated by bench/calibrate_answers.py on the development sets of
# bench/answers.py.
MIN_SCORE = 0.32
MIN_MARGIN = 0.09


@dataclass(frozen=True)
class Candidate:
    text: str
    passage: int  # 1-based, the [n] of the passage
    position: int  # in the passage
    last_position: int | None = None


@dataclass(frozen=True)
class Quote:
    text: str
    passage: int
    position: int
    similarity: float
    score: float
    # A window ends on a later sentence of the passage: the next candidate after `position`.
    last_position: int | None = None


@dataclass(frozen=True)
class Assessment:
    best_score: float  # the best sentence's similarity + PASSAGE_WEIGHT x its passage's score
    margin: float  # over the best rival's score: the best sentence outside its windows
    in_first_passage: bool
    # A question about one thing whose passages speak of other things (`services.asked_item`).
    about_another_item: bool = False

    @property
    def answerable(self) -> bool:
        if self.about_another_item:
            return False
        if self.best_score >= CONFIDENT_SCORE:
            return True
        return self.best_score >= MIN_SCORE and self.in_first_passage and self.margin >= MIN_MARGIN


@dataclass(frozen=True)
class SentenceRanking:
    """The passages reordered by their nearest sentence, and what may be quoted from them."""

    passages: list[ChunkHit]  # best sentence first; the [n] of a Quote indexes this list
    assessment: Assessment | None  # read on the single sentences; None: nothing to quote
    units: list[Quote]  # sentences and windows of the passages worth quoting from, best first


def candidates(passages: Sequence[ChunkHit]) -> list[Candidate]:
    """Every passage's quotable sentences, in retrieval order (a sentence may recur in overlapping chunks)."""
    found: list[Candidate] = []
    for n, hit in enumerate(passages, start=1):
        flattened = "\n" not in hit.text  # stored before headings kept their own line
        sentences = [strip_headings(s) if flattened else s for s in split_sentences(hit.text)]
        for position, text in with_answers(sentences):
            if len(text.split()) >= MIN_SENTENCE_WORDS:
                found.append(Candidate(text, n, position))
    return found


def with_answers(sentences: Sequence[str]) -> Iterator[tuple[int, str]]:
    """A passage's sentences by position, each question joined to what answers it, as a FAQ
    writes them ("Is there parking? Yes. There are 30 free spaces behind the building."): the
    sentences after it until they hold MIN_SENTENCE_WORDS words or another question starts. A
    question alone answers nothing, yet it is worded like the patient's, so it was quoted as
    the answer; one the passage does not answer (its answer in the next chunk) is left out."""
    position = 0
    while position < len(sentences):
        sentence = sentences[position]
        asked_at = position
        position += 1
        if not _is_question(sentence):
            yield asked_at, sentence
            continue
        answer: list[str] = []
        while position < len(sentences) and not _is_question(sentences[position]):
            if sum(len(a.split()) for a in answer) >= MIN_SENTENCE_WORDS:
                break
            answer.append(sentences[position])
            position += 1
        if answer:
            yield asked_at, join_sentences([sentence, *answer])


def _is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?")


def rank_sentences(
    question: str, search_text: str, passages: Sequence[ChunkHit], embedder: Embedder
) -> SentenceRanking:
    """The passages reranked by sentence and their units scored: one embedding batch per question
    (and a small second one of short names for a question about one thing, `services.asked_item`)."""
    eligible = _worth_quoting(passages)  # the others are neither reranked nor quoted: not embedded
    sentences = [c for c in candidates(passages) if c.passage in eligible]
    if not sentences or not question.strip():
        return SentenceRanking(list(passages), None, [])
    windows = [
        Candidate(join_sentences((a.text, b.text)), a.passage, a.position, b.position)
        for a, b in itertools.pairwise(sentences)
        if a.passage == b.passage
    ]
    units = [*sentences, *windows]
    topic, choice = _similarities(question, search_text, [u.text for u in units], embedder)
    order = _passage_order(passages, sentences, topic)
    renumber = {old: new for new, old in enumerate(order, start=1)}
    reordered = [passages[i - 1] for i in order]
    kept = _quotable([replace(u, passage=renumber[u.passage]) for u in units], reordered)
    if not kept:
        return SentenceRanking(reordered, None, [])
    quotable = [replace(units[i], passage=renumber[units[i].passage]) for i in kept]
    passage_scores = np.asarray([reordered[u.passage - 1].score for u in quotable], dtype=np.float32)
    lexical = (lexical_overlap(question, quotable) + lexical_overlap(search_text or question, quotable)) / 2
    scores = choice[kept] + PASSAGE_WEIGHT * passage_scores + LEXICAL_WEIGHT * lexical
    ranked = [
        Quote(u.text, u.passage, u.position, float(sim), float(score), u.last_position)
        for u, sim, score in zip(quotable, choice[kept], scores, strict=True)
    ]
    single = [
        Quote(u.text, u.passage, u.position, float(sim), float(sim) + PASSAGE_WEIGHT * float(p))
        for u, sim, p in zip(quotable, topic[kept], passage_scores, strict=True)
        if u.last_position is None
    ]
    assessment = assess(sorted(single, key=lambda q: -q.score)) if single else None
    ranked.sort(key=lambda q: -q.score)
    if assessment is not None:
        quoted = [quote.text for quote in pick_quotes(ranked)]
        on_topic = answers_asked_item(question, [q.text for q in single], quoted, embedder)
        assessment = replace(assessment, about_another_item=not on_topic)
    return SentenceRanking(reordered, assessment, ranked)


def _similarities(
    question: str, search_text: str, texts: Sequence[str], embedder: Embedder
) -> tuple[np.ndarray, np.ndarray]:
    """Each text's cosine similarity to the question, for the topic and for the quote's choice.

    They differ for a follow-up only: the topic is the nearer of the message and its search
    text (what reranking and refusing read), the choice their mean (what picks the quote).
    """
    follow_up = bool(search_text) and search_text != question
    queries = [question, search_text] if follow_up else [question]
    unique = list(dict.fromkeys(texts))  # overlapping chunks repeat sentences: embedded once
    vectors = np.asarray(embedder.embed([*queries, *unique]), dtype=np.float32)
    per_query = vectors[len(queries) :] @ vectors[: len(queries)].T
    index = {text: i for i, text in enumerate(unique)}
    rows = per_query[[index[t] for t in texts]]
    return rows.max(axis=1), rows.mean(axis=1)


def _passage_order(
    passages: Sequence[ChunkHit], sentences: Sequence[Candidate], similarity: np.ndarray
) -> list[int]:
    """1-based passage numbers, best first by their nearest sentence read in the passage's context
    (its similarity plus PASSAGE_WEIGHT of the passage's retrieval score), then by retrieval score.

    Passages without sentences (too far below the best to be quoted from) keep their retrieval
    order after the others.
    """
    best: dict[int, float] = {}
    for sentence, sim in zip(sentences, similarity, strict=False):
        best[sentence.passage] = max(best.get(sentence.passage, -1.0), float(sim))

    def rank(n: int) -> tuple[float, float]:
        score = passages[n - 1].score
        return (-(best[n] + PASSAGE_WEIGHT * score) if n in best else math.inf, -score)

    return sorted(range(1, len(passages) + 1), key=rank)


def _worth_quoting(passages: Sequence[ChunkHit]) -> set[int]:
    """The 1-based numbers of the first passages scoring near the first one."""
    if not passages:
        return set()
    floor = passages[0].score - PASSAGE_SCORE_SPAN
    return {n for n, hit in enumerate(passages[:MAX_PASSAGES], start=1) if hit.score >= floor}


def _quotable(units: Sequence[Candidate], passages: Sequence[ChunkHit]) -> list[int]:
    """The indexes of the units of the first passages near the best one's score, each text once."""
    worth = _worth_quoting(passages)
    seen: set[str] = set()
    kept: list[int] = []
    for i in sorted(range(len(units)), key=lambda i: units[i].passage):
        key = " ".join(units[i].text.lower().split())
        if units[i].passage in worth and key not in seen:
            seen.add(key)
            kept.append(i)
    return kept


def assess(ranked: Sequence[Quote]) -> Assessment:
    """The evidence of single sentences ranked best first by score.

    The margin is read over the best rival: the best sentence outside the best one's windows.
    The sentences next to it in its passage may be quoted with it, as the rest of one answer.
    """
    best = ranked[0]
    window = _window_of(best, ranked)
    rivals = [q.score for q in ranked[1:] if (q.passage, q.position) not in window]
    rival = rivals[0] if rivals else 0.0
    return Assessment(best_score=best.score, margin=best.score - rival, in_first_passage=best.passage == 1)


def _window_of(sentence: Quote, sentences: Sequence[Quote]) -> set[tuple[int, int]]:
    """The sentence and its neighbours among the quotable sentences of its passage."""
    positions = sorted(q.position for q in sentences if q.passage == sentence.passage)
    at = positions.index(sentence.position)
    return {(sentence.passage, position) for position in positions[max(0, at - 1) : at + 2]}


def choose_quotes(ranking: SentenceRanking) -> list[Quote]:
    """The sentences to quote, in document order; none when the passages don't hold the answer."""
    if ranking.assessment is None or not ranking.assessment.answerable:
        return []
    return pick_quotes(ranking.units)


def lexical_overlap(question: str, units: Sequence[Candidate]) -> np.ndarray:
    """Per unit, the idf-weighted share of the question's content words it holds (0 to 1)."""
    wanted = content_terms(question)
    held = [content_terms(u.text) for u in units]
    if not wanted:
        return np.zeros(len(units), dtype=np.float32)
    idf = {t: math.log((len(units) + 1) / (sum(t in h for h in held) + 0.5)) for t in wanted}
    total = sum(idf.values())
    return np.asarray([sum(idf[t] for t in wanted & h) / total for h in held], dtype=np.float32)


def pick_quotes(ranked: Sequence[Quote]) -> list[Quote]:
    """The best unit and those scoring close to it, no sentence twice, within the quote's size, in order."""
    chosen = [ranked[0]]
    covered = _sentences(ranked[0])
    size = len(ranked[0].text)
    for quote in ranked[1:]:
        if len(covered) >= MAX_QUOTE_SENTENCES or quote.score < ranked[0].score - QUOTE_SCORE_SPAN:
            break
        if _sentences(quote) & covered or size + len(quote.text) > MAX_QUOTE_CHARS:
            continue
        chosen.append(quote)
        covered |= _sentences(quote)
        size += len(quote.text)
    return sorted(chosen, key=lambda q: (q.passage, q.position))


def _sentences(quote: Quote) -> set[tuple[int, int]]:
    last = quote.position if quote.last_position is None else quote.last_position
    return {(quote.passage, quote.position), (quote.passage, last)}
