"""The assistant: retrieval → prompt → model → log, for the chat and (later) the phone line.

One exchange runs in three steps. `prepare` reads (the conversation's history, the passages
the caller may see) and decides the scope; the model is then asked, whole or streamed; and
`record` writes the exchange: the AI log row always, the conversation's two messages when
there is an answer. A failed model call is an `Answer` with `error` set, not an exception,
so the caller decides what a failure means (a 502 on the API, an apology on the phone)
after the log row is safe.

Scope: a patient's questions search the knowledge base and their own documents; anyone
else (staff, an anonymous caller) searches the knowledge base only. Nobody's answer is ever
built from another patient's documents.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.gemini import AnswerBlocked, ModelError, ModelUnavailable
from adapters.vector_store import ChunkHit
from kernel.errors import BadGateway, Forbidden, NotFound, ProblemError, ServiceUnavailable
from kernel.typography import plain
from persistence.models import AIChannel, AILog, MessageRole, Principal, UserRole
from persistence.repositories.assistant import AILogRepository, ConversationRepository
from persistence.repositories.documents import DocumentRepository
from services.answerers import Answerer, ExtractiveAnswerer, Part, Question, Turn, same_passage
from services.courtesies import question_of, set_aside
from services.extractive import rank_sentences
from services.outside_world import OutsideWorld
from services.prompts import AnswerStyle, cited_passages
from services.retrieval import questions_in, retrieve, search_texts

SNIPPET_CHARS = 300


def retrieval_scope(user: Principal | None) -> uuid.UUID | None:
    """Whose private documents a user's question may search besides the knowledge base."""
    return user.id if user is not None and user.role == UserRole.patient else None


@dataclass(frozen=True)
class Prepared:
    """A question with everything needed to answer and record it."""

    question: Question
    user_id: uuid.UUID | None
    channel: AIChannel
    asked_at: datetime
    started: float  # perf_counter, for the latency
    # The conversation to continue, or the id a new one gets once answered; None: no conversation.
    conversation_id: uuid.UUID | None = None
    new_conversation: bool = False


@dataclass
class Answer:
    text: str
    sources: list[ChunkHit]  # the retrieved passages, in the order of their [n] ids
    cited: set[int]
    model: str
    log_id: uuid.UUID
    conversation_id: uuid.UUID | None
    error: ModelError | None = None

    @property
    def sources_shown(self) -> list[ChunkHit]:
        """The sources the caller is shown: none when the reply cites none (the documents did not
        hold the answer), else every passage, so that its [n] citations count them."""
        return self.sources if self.cited else []


@dataclass
class _Outcome:
    text: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    error: ModelError | None = None
    pieces: list[str] = field(default_factory=list)


def problem_for(error: ModelError) -> ProblemError:
    if isinstance(error, AnswerBlocked):
        return BadGateway(f"The AI model withheld its answer for safety reasons. {error}")
    if isinstance(error, ModelUnavailable):
        return ServiceUnavailable(f"The AI assistant is unavailable right now; try again later. {error}")
    return BadGateway(f"The AI assistant could not answer. {error}")


def source_document(n: int, hit: ChunkHit, *, cited: bool) -> dict[str, Any]:
    """A retrieved passage as the log stores it (plus whether the answer cited it)."""
    return {
        "id": n,
        "document_id": str(hit.document_id),
        "filename": hit.filename,
        "page": hit.page,
        "snippet": snippet(hit.text),
        "score": hit.score,
        "cited": cited,
    }


def snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1].rstrip() + "…"


class AssistantService:
    def __init__(
        self, session: AsyncSession, world: OutsideWorld, *, answerer: Answerer | None = None
    ) -> None:
        self._session = session
        self._world = world
        self._settings = world.settings
        self.answerer = answerer or world.answerer
        self._conversations = ConversationRepository(session)
        self._logs = AILogRepository(session)

    async def conversation_history(self, user: Principal, conversation_id: uuid.UUID) -> list[Turn]:
        """The last turns of one of the user's conversations; someone else's is not found."""
        if await self._conversations.get_own(user.id, conversation_id) is None:
            raise NotFound("No such conversation.")
        messages = await self._conversations.last_messages(
            conversation_id, 2 * self._settings.assistant_history_turns
        )
        return [Turn(role=m.role, text=m.content) for m in messages]

    async def prepare(
        self,
        question: str,
        *,
        user: Principal | None,
        patient_id: uuid.UUID | None,
        channel: AIChannel,
        history: Sequence[Turn] = (),
        style: AnswerStyle = AnswerStyle.chat,
    ) -> Prepared:
        if patient_id is not None and (user is None or retrieval_scope(user) != patient_id):
            raise Forbidden("Only a patient's own questions may search their documents.")
        started = time.perf_counter()
        # The first call loads the embedding model (seconds): never on the event loop.
        embedder = await asyncio.to_thread(lambda: self._world.embedder)
        # Searched as patients mean it: a phone keyboard's "doctor’s" finds the documents' "doctor's",
        # "opnening hours" their "opening hours".
        speller = await self._world.spelling.speller(DocumentRepository(self._session))
        # ... and without the courtesies around it ("Hi! Quick question: ... Thanks").
        searched, courtesies = set_aside(speller.correct(plain(question)))
        earlier = [question_of(speller.correct(plain(t.text))) for t in history if t.role == MessageRole.user]
        asked_before = [q for q in earlier if q]
        parts: list[Part] = []
        passages: list[ChunkHit] = []
        # Each question of the message is searched (and quoted from) on its own.
        questions = questions_in(searched)
        for text, search_text in zip(questions, search_texts(questions, asked_before), strict=True):
            found = await retrieve(
                self._session,
                embedder=embedder,
                store=self._world.vector_store,
                patient_id=patient_id,
                query=search_text,
                k=self._settings.assistant_top_k,
            )
            ranking = None
            if isinstance(self.answerer, ExtractiveAnswerer):
                # Its sentences, embedded once, rerank the passages (the sources shown) and choose the quote.
                ranking = await asyncio.to_thread(rank_sentences, text, search_text, found, embedder)
                found = ranking.passages
            parts.append(Part(text, search_text, ranking))
            passages += [hit for hit in found if not any(same_passage(hit, seen) for seen in passages)]
        return Prepared(
            question=Question(
                text=question,
                passages=passages,
                history=tuple(history),
                style=style,
                parts=parts,
                courtesies=frozenset(courtesies),
            ),
            user_id=user.id if user else None,
            channel=channel,
            asked_at=datetime.now(UTC),
            started=started,
        )

    async def prepare_chat(
        self, user: Principal, message: str, conversation_id: uuid.UUID | None
    ) -> Prepared:
        history = await self.conversation_history(user, conversation_id) if conversation_id else []
        prepared = await self.prepare(
            message, user=user, patient_id=retrieval_scope(user), channel=AIChannel.chat, history=history
        )
        return replace(
            prepared,
            conversation_id=conversation_id or uuid.uuid4(),
            new_conversation=conversation_id is None,
        )

    async def answer(
        self,
        question: str,
        *,
        user: Principal | None,
        patient_id: uuid.UUID | None,
        channel: AIChannel,
        history: Sequence[Turn] = (),
        style: AnswerStyle = AnswerStyle.chat,
    ) -> Answer:
        """One exchange outside any conversation (the phone line keeps its own turns)."""
        prepared = await self.prepare(
            question, user=user, patient_id=patient_id, channel=channel, history=history, style=style
        )
        return await self.complete(prepared)

    async def complete(self, prepared: Prepared) -> Answer:
        """Asks the model for a whole answer and records the exchange."""
        outcome = _Outcome()
        try:
            generation = await self.answerer.answer(prepared.question)
            outcome.text = generation.text
            outcome.prompt_tokens = generation.prompt_tokens
            outcome.completion_tokens = generation.completion_tokens
        except ModelError as error:
            outcome.error = error
        return await self._record(prepared, outcome)

    async def _record(self, prepared: Prepared, outcome: _Outcome) -> Answer:
        latency_ms = max(0, round((time.perf_counter() - prepared.started) * 1000))
        answered_at = datetime.now(UTC)
        passages = prepared.question.passages
        cited = cited_passages(outcome.text, len(passages)) if outcome.error is None else set()
        conversation_id = prepared.conversation_id
        if outcome.error is None and conversation_id is not None and prepared.user_id is not None:
            if prepared.new_conversation:
                self._conversations.create(
                    prepared.user_id, conversation_id=conversation_id, at=prepared.asked_at
                )
            self._conversations.add_message(
                conversation_id, MessageRole.user, prepared.question.text, at=prepared.asked_at
            )
            self._conversations.add_message(
                conversation_id, MessageRole.assistant, outcome.text, at=answered_at
            )
        elif prepared.new_conversation:
            conversation_id = None  # nothing was answered: the new conversation never began
        log: AILog = await self._logs.add(
            user_id=prepared.user_id,
            channel=prepared.channel,
            query=prepared.question.text,
            response=outcome.text,
            at=prepared.asked_at,
            source_documents=[
                source_document(n, hit, cited=n in cited) for n, hit in enumerate(passages, start=1)
            ],
            model=self.answerer.model,
            latency_ms=latency_ms,
            prompt_tokens=outcome.prompt_tokens,
            completion_tokens=outcome.completion_tokens,
            error=str(outcome.error) if outcome.error else None,
        )
        return Answer(
            text=outcome.text,
            sources=list(passages),
            cited=cited,
            model=self.answerer.model,
            log_id=log.id,
            conversation_id=conversation_id,
            error=outcome.error,
        )

    async def page_logs(
        self,
        *,
        user_id: uuid.UUID | None,
        channel: AIChannel | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[AILog], int]:
        return await self._logs.page(
            user_id=user_id, channel=channel, start=start, end=end, limit=limit, offset=offset
        )


async def stream_answer(
    prepared: Prepared,
    *,
    world: OutsideWorld,
    answerer: Answerer,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[str | Answer]:
    """The answer's pieces as they come, then the recorded `Answer` (last).

    It runs after the request's transaction has ended (a streamed body is sent after the
    commit), so it records the exchange in a session and transaction of its own.
    """
    outcome = _Outcome()

    async def record() -> Answer:
        outcome.text = "".join(outcome.pieces)
        async with session_factory() as session:
            answer = await AssistantService(session, world, answerer=answerer)._record(prepared, outcome)
            await session.commit()
        return answer

    try:
        async for piece in answerer.stream(prepared.question):
            outcome.prompt_tokens = piece.prompt_tokens or outcome.prompt_tokens
            outcome.completion_tokens = piece.completion_tokens or outcome.completion_tokens
            if piece.text:
                outcome.pieces.append(piece.text)
                yield piece.text
    except ModelError as error:
        outcome.error = error
    except BaseException:
        # The client went away mid-answer: the exchange is still logged, as interrupted.
        outcome.error = ModelError("The client disconnected before the answer was complete.")
        with anyio.CancelScope(shield=True):
            await record()
        raise
    yield await record()
