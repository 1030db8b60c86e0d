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
# A message asking more than this many questions has the rest searched with its last one.
MAX_QUESTIONS = 3
# A shorter question ("Really?", "Sundays?") is no question of its own: it goes with the next one.
MIN_QUESTION_WORDS = 3

_WORD = re.compile(r"[\w'-]+")
_AFTER_QUESTION_MARK = re.compile(r"(?<=\?)\s+")
_CONTINUATION = re.compile(r"^\W*(and|or|but|also|so|what about|how about|same|then)\b", re.IGNORECASE)
_ANAPHOR = re.compile(r"\b(it|its|that|those|these|they|them|their|then|one|ones|same|else)\b", re.IGNORECASE)


def is_follow_up(message: str) -> bool:
    """Whether a message only makes sense after the one before it (short, "and ...", "it")."""
    return len(_WORD.findall(message)) <= FOLLOW_UP_MAX_WORDS or leans_on_earlier(message)


def leans_on_earlier(question: str) -> bool:
    """Whether a question goes on from an earlier one ("and ...", "it"), whatever its length."""
    return bool(_CONTINUATION.match(question) or _ANAPHOR.search(question))


def questions_in(message: str) -> list[str]:
    """The questions a message asks, in order, each searched on its own ("When do you open on
    Saturdays? Is there parking?"). A message is cut after its question marks only: what comes
    before a question ("My son is 14. Can he come alone?") stays with it."""
    questions: list[str] = []
    pending = ""
    for piece in _AFTER_QUESTION_MARK.split(message.strip()):
        pending = f"{pending} {piece}".strip()
        if len(_WORD.findall(pending)) >= MIN_QUESTION_WORDS:
            questions.append(pending)
            pending = ""
    if pending:
        questions[-1:] = [" ".join([*questions[-1:], pending])]
    if len(questions) > MAX_QUESTIONS:
        questions[MAX_QUESTIONS - 1 :] = [" ".join(questions[MAX_QUESTIONS - 1 :])]
    return questions


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
) -> list[ChunkHit]:
    """The k chunks nearest to `query` among the knowledge base and, if given, the patient's own.

    `patient_id` must be the caller's own id (or None for staff and the phone line): the
    scope is the whole of the visibility rule.
    """
    if not query.strip() or k <= 0:
        return []
    [vector] = await asyncio.to_thread(embedder.embed, [query])
    return await store.search(session, SearchScope(patient_id=patient_id), vector, k)


def search_texts(questions: Sequence[str], earlier_questions: Sequence[str]) -> list[str]:
    """What to search for each question of one message (`questions_in`), after the conversation's
    `earlier_questions`. The first follows the conversation as any message does; a later one
    follows the conversation and the message's earlier questions only when it leans on them
    ("Can my son come alone? And what does it cost?"): written in one go, a short question
    ("Is there parking?") is a new one."""
    texts = []
    for n, question in enumerate(questions):
        if n == 0:
            texts.append(standalone_query(question, earlier_questions))
        elif leans_on_earlier(question):
            texts.append(standalone_query(question, [*earlier_questions, *questions[:n]]))
        else:
            texts.append(question)
    return texts
