"""What the offline answerer quotes, and when it refuses: sentences chosen by meaning.

The candidate sentences of the best passages (headings taken off, repeats from overlapping
chunks dropped) are embedded in one batch with the question, by the local model that
indexed the passages. A sentence's score is its cosine similarity to the question plus a
share of its passage's retrieval score (a sentence is read in its passage's context).

Refusing rests on three pieces of evidence rather than one cut-off on the passage score:
the best sentence's similarity to the question, its margin over the runner-up sentence
(an unrelated question finds many sentences equally far), and whether the passage ranked
first holds that sentence (retrieval and sentence agree). The thresholds were calibrated by
bench/calibrate_answers.py on the development part of bench/answers.py only
(all-MiniLM-L6-v2 scale): the rule answering the most dev questions correctly minus those
wrongly refused while refusing at least 80 % of the unanswerable ones, the strictest of
equally good rules.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit
from services.passage_sentences import split_sentences, strip_headings

MAX_PASSAGES = 4
# Passages scoring this far below the best one are not quoted from.
PASSAGE_SCORE_SPAN = 0.2
PASSAGE_WEIGHT = 0.3
MIN_SENTENCE_WORDS = 3
MAX_QUOTE_SENTENCES = 3
MAX_QUOTE_CHARS = 450
# Sentences scoring within this of the best are quoted with it.
QUOTE_SCORE_SPAN = 0.15

# Answer when the best sentence is this close to the question ...
CONFIDENT_SIMILARITY = 0.48
# ... or at least this close, with retrieval agreeing (the first passage holds it) and a margin.
# Calibrated by bench/calibrate_answers.py on the dev part of bench/answers.py.
MIN_SIMILARITY = 0.28
MIN_MARGIN = 0.15


@dataclass(frozen=True)
class Candidate:
    text: str
    passage: int  # 1-based, the [n] of the passage
    position: int  # in the passage


@dataclass(frozen=True)
class Quote:
    text: str
    passage: int
    position: int
    similarity: float
    score: float


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
    ranked = score_sentences(queries, passages, embedder)
    if not ranked or not assess(ranked).answerable:
        return []
    return pick_quotes(ranked)


def pick_quotes(ranked: Sequence[Quote]) -> list[Quote]:
    """The best sentence and those scoring close to it, within the quote's size, in document order."""
    chosen = [ranked[0]]
    size = len(ranked[0].text)
    for quote in ranked[1:]:
        if len(chosen) >= MAX_QUOTE_SENTENCES or quote.score < ranked[0].score - QUOTE_SCORE_SPAN:
            break
        if size + len(quote.text) <= MAX_QUOTE_CHARS:
            chosen.append(quote)
            size += len(quote.text)
    return sorted(chosen, key=lambda q: (q.passage, q.position))
