"""What the offline answerer quotes, and when it refuses: sentences chosen by meaning.

The candidate sentences of the best passages (headings taken off, repeats from overlapping
chunks dropped) and their windows (a sentence with the one after it, so that an answer
spread over two sentences is quoted whole) are embedded in one batch with the question, by
the local model that indexed the passages. A unit's (sentence's or window's) score is its
cosine similarity to the question, plus a share of its passage's retrieval score (a
sentence is read in its passage's context), plus a share of its lexical overlap with the
question: the question's content words it holds, each weighted by how rare it is among the
candidates (a BM25-like idf), so "cheque" finds the cheque sentence even when the embedding
ranks a payment sentence first.

Refusing rests on three pieces of evidence rather than one cut-off on the passage score:
the best sentence's similarity to the question, its margin over the runner-up sentence
(an unrelated question finds many sentences equally far), and whether the passage ranked
first holds that sentence (retrieval and sentence agree); it is read on single sentences,
not windows (a window's similarity is blurred by its other sentence). The thresholds were
calibrated by bench/calibrate_answers.py (all-MiniLM-L6-v2 scale) on two development sets,
Birchwood's dev split and the Fernhill physiotherapy set, never on the held-out split: the
rule answering the most questions correctly minus those wrongly refused while refusing at
least 80 % of each development set's unanswerable ones. The target is 80 %, not 100 %: a
stricter rule refuses real questions worded unlike the text.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit
from services.passage_sentences import content_terms, split_sentences, strip_headings

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

# Answer when the best sentence is this close to the question ...
CONFIDENT_SIMILARITY = 0.52
# ... or at least this close, with retrieval agreeing (the first passage holds it) and a margin.
# Calibrated by bench/calibrate_answers.py on the development sets of bench/answers.py.
MIN_SIMILARITY = 0.36
MIN_MARGIN = 0.05


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
    best_similarity: float
    margin: float  # over the runner-up sentence's similarity
    in_first_passage: bool

    @property
    def answerable(self) -> bool:
        if self.best_similarity >= CONFIDENT_SIMILARITY:
            return True
        return self.best_similarity >= MIN_SIMILARITY and self.in_first_passage and self.margin >= MIN_MARGIN


def candidates(passages: Sequence[ChunkHit]) -> list[Candidate]:
    """The quotable sentences of the passages worth quoting from, each once."""
    if not passages:
        return []
    floor = passages[0].score - PASSAGE_SCORE_SPAN
    seen: set[str] = set()
    found: list[Candidate] = []
    for n, hit in enumerate(passages[:MAX_PASSAGES], start=1):
        if hit.score < floor:
            break
        for position, sentence in enumerate(split_sentences(hit.text)):
            text = strip_headings(sentence)
            key = " ".join(text.lower().split())
            if len(text.split()) < MIN_SENTENCE_WORDS or key in seen:
                continue
            seen.add(key)
            found.append(Candidate(text, n, position))
    return found


def score_sentences(queries: Sequence[str], passages: Sequence[ChunkHit], embedder: Embedder) -> list[Quote]:
    """Every candidate sentence with its similarity to the nearest query, best first."""
    found = candidates(passages)
    if not found or not queries:
        return []
    vectors = np.asarray(embedder.embed([*queries, *(c.text for c in found)]), dtype=np.float32)
    similarities = (vectors[len(queries) :] @ vectors[: len(queries)].T).max(axis=1)
    quotes = [
        Quote(
            c.text, c.passage, c.position, float(s), float(s) + PASSAGE_WEIGHT * passages[c.passage - 1].score
        )
        for c, s in zip(found, similarities, strict=True)
    ]
    return sorted(quotes, key=lambda q: -q.score)


def assess(ranked: Sequence[Quote]) -> Assessment:
    by_similarity = sorted((q.similarity for q in ranked), reverse=True)
    best = ranked[0]
    runner_up = by_similarity[1] if len(by_similarity) > 1 else 0.0
    return Assessment(
        best_similarity=by_similarity[0],
        margin=by_similarity[0] - runner_up,
        in_first_passage=best.passage == 1,
    )


def choose_quotes(queries: Sequence[str], passages: Sequence[ChunkHit], embedder: Embedder) -> list[Quote]:
    """The sentences to quote, in document order; none when the passages don't hold the answer."""
    ranked = rank_units(queries, passages, embedder)
    if ranked is None or not ranked.assessment.answerable:
        return []
    return pick_quotes(ranked.units)


@dataclass(frozen=True)
class Ranked:
    assessment: Assessment  # read on the single sentences
    units: list[Quote]  # sentences and windows, best first by the hybrid score


def rank_units(queries: Sequence[str], passages: Sequence[ChunkHit], embedder: Embedder) -> Ranked | None:
    """The candidate sentences and windows scored, with the evidence for answering; one embedding batch."""
    found = candidates(passages)
    if not found or not queries:
        return None
    windows = [
        Candidate(f"{a.text} {b.text}", a.passage, a.position, b.position)
        for a, b in itertools.pairwise(found)
        if a.passage == b.passage
    ]
    units = [*found, *windows]
    vectors = np.asarray(embedder.embed([*queries, *(u.text for u in units)]), dtype=np.float32)
    similarities = (vectors[len(queries) :] @ vectors[: len(queries)].T).max(axis=1)
    passage_scores = np.asarray([passages[u.passage - 1].score for u in units], dtype=np.float32)
    sentences = [
        Quote(c.text, c.passage, c.position, float(s), float(s) + PASSAGE_WEIGHT * float(p))
        for c, s, p in zip(found, similarities, passage_scores, strict=False)
    ]
    lexical = lexical_overlap(" ".join(queries), units)
    scores = similarities + PASSAGE_WEIGHT * passage_scores + LEXICAL_WEIGHT * lexical
    ranked = [
        Quote(u.text, u.passage, u.position, float(sim), float(score), u.last_position)
        for u, sim, score in zip(units, similarities, scores, strict=True)
    ]
    return Ranked(assess(sorted(sentences, key=lambda q: -q.score)), sorted(ranked, key=lambda q: -q.score))


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
