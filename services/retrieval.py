"""Finding the passages of the clinic's documents that answer a question (for the assistant)."""

import asyncio
import re
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit, SearchScope, VectorStore
from services.extractive import score_sentences

# A message this short, or leaning on what was said before, is searched with the question it follows.
FOLLOW_UP_MAX_WORDS = 5
# How many earlier questions a chain of follow-ups ("And on Sundays?" "And holidays?") reaches back.
FOLLOW_UP_MAX_QUESTIONS = 3

_WORD = re.compile(r"[\w'-]+")
_CONTINUATION = re.compile(r"^\W*(and|or|but|also|so|what about|how about|same|then)\b", re.IGNORECASE)
_ANAPHOR = re.compile(r"\b(it|its|that|those|these|they|them|their|then|one|ones|same|else)\b", re.IGNORECASE)


def is_follow_up(message: str) -> bool:
    """Whether a message only makes sense after the one before it (short, "and ...", "it")."""
    words = _WORD.findall(message)
    return len(words) <= FOLLOW_UP_MAX_WORDS or bool(_CONTINUATION.match(message) or _ANAPHOR.search(message))


def standalone_query(message: str, earlier_questions: Sequence[str]) -> str:
    """The text to search for `message`: with a follow-up, the questions it follows come first."""
    if not earlier_questions or not is_follow_up(message):
        return message
    context: list[str] = []
    for question in reversed(earlier_questions[-FOLLOW_UP_MAX_QUESTIONS:]):
        context.insert(0, question)
        if not is_follow_up(question):
            break
    return " ".join([*context, message])


async def retrieve(
    session: AsyncSession,
    *,
    embedder: Embedder,
    store: VectorStore,
    patient_id: uuid.UUID | None,
    query: str,
    k: int,
    rerank_by_sentence: bool = False,
) -> list[ChunkHit]:
    """The k chunks nearest to `query` among the knowledge base and, if given, the patient's own.

    With `rerank_by_sentence` (the offline answerer, which embeds the sentences anyway) they
    come ordered by their sentence nearest the query (`rerank`).

    `patient_id` must be the caller's own id (or None for staff and the phone line): the
    scope is the whole of the visibility rule.
    """
    if not query.strip() or k <= 0:
        return []
    [vector] = await asyncio.to_thread(embedder.embed, [query])
    hits = await store.search(session, SearchScope(patient_id=patient_id), vector, k)
    if rerank_by_sentence:
        return await asyncio.to_thread(rerank, [query], hits, embedder)
    return hits


def rerank(queries: Sequence[str], passages: Sequence[ChunkHit], embedder: Embedder) -> list[ChunkHit]:
    """The passages, best first by their sentence nearest the queries (then by retrieval score).

    A whole chunk's vector blurs the one sentence that answers; on bench/answers.py's dev set
    the right page comes first for 30 of 31 questions this way against 24 by chunk score.
    Passages too far below the best to be quoted from keep their order after the others.
    """
    best: dict[int, float] = {}
    for quote in score_sentences(queries, passages, embedder):
        best[quote.passage] = max(best.get(quote.passage, -1.0), quote.similarity)
    order = sorted(range(len(passages)), key=lambda i: (-best.get(i + 1, -1.0), -passages[i].score))
    return [passages[i] for i in order]
