"""Finding the passages of the clinic's documents that answer a question (for the assistant)."""

import asyncio
import re
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.embeddings import Embedder
from adapters.vector_store import ChunkHit, SearchScope, VectorStore

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
    """The text to search for `message`: with a follow-up, the questions it follows come first.

    A message that asks nothing (once its courtesies are set aside: "Thanks!") searches nothing.
    """
    if not message.strip():
        return ""
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
) -> list[ChunkHit]:
    """The k chunks nearest to `query` among the knowledge base and, if given, the patient's own.

    `patient_id` must be the caller's own id (or None for staff and the phone line): the
    scope is the whole of the visibility rule.
    """
    if not query.strip() or k <= 0:
        return []
    [vector] = await asyncio.to_thread(embedder.embed, [query])
    return await store.search(session, SearchScope(patient_id=patient_id), vector, k)
