"""Who writes the answer: Gemini, or without a key the extractive answerer (quotes passages).

Both take the same `Question` (the retrieved passages, the history, the style) and give a
whole answer or a stream of pieces; the assistant service doesn't know which it has.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from adapters.embeddings import Embedder
from adapters.gemini import GeminiChat, Generation, Message
from adapters.vector_store import ChunkHit
from persistence.models import MessageRole
from services.courtesies import SmallTalk, small_talk_reply
from services.extractive import Quote, SentenceRanking, choose_quotes, rank_sentences
from services.passage_sentences import join_sentences
from services.prompts import AnswerStyle, not_found, system_prompt

EXTRACTIVE_MODEL = "silverstar-extractive"
ORDINALS = ("first", "second", "third")  # a message's questions, at most retrieval.MAX_QUESTIONS


@dataclass(frozen=True)
class Turn:
    role: MessageRole
    text: str


@dataclass(frozen=True)
class Part:
    """One of the questions a message asks ("When do you open? Is there parking?"), as searched."""

    text: str  # typos mended, courtesies set aside
    # What retrieval searched for: the text, or with a follow-up the question it follows too.
    search_text: str
    # The offline answerer's sentences of this part's passages, scored when they were reranked.
    ranking: SentenceRanking | None = None


@dataclass(frozen=True)
class Question:
    text: str  # as typed
    passages: Sequence[ChunkHit]  # every part's, the first part's first: the sources, [n] in order
    history: Sequence[Turn]
    style: AnswerStyle
    parts: Sequence[Part] = ()  # none: nothing to search (small talk, or no words at all)
    courtesies: frozenset[SmallTalk] = frozenset()  # those set aside from the message


class Answerer(Protocol):
    @property
    def model(self) -> str: ...

    async def answer(self, question: Question) -> Generation: ...

    def stream(self, question: Question) -> AsyncIterator[Generation]: ...


class GeminiAnswerer:
    def __init__(self, chat: GeminiChat, clinic_name: str) -> None:
        self._chat = chat
        self._clinic_name = clinic_name

    @property
    def model(self) -> str:
        return self._chat.model

    def _request(self, question: Question) -> tuple[str, list[Message]]:
        system = system_prompt(self._clinic_name, question.passages, question.style)
        messages = [
            Message(role="user" if turn.role == MessageRole.user else "model", text=turn.text)
            for turn in question.history
        ]
        return system, [*messages, Message(role="user", text=question.text)]

    async def answer(self, question: Question) -> Generation:
        return await self._chat.generate(*self._request(question))

    def stream(self, question: Question) -> AsyncIterator[Generation]:
        return self._chat.stream(*self._request(question))


class ExtractiveAnswerer:
    """The offline answerer: the passages' sentences nearest the question in meaning, quoted.

    Without a language model it cannot write; it quotes. Each question embeds the candidate
    sentences of the passages and their two-sentence windows once (one batch, the local
    embedder that indexed them; `AssistantService.prepare` does it while reranking the
    passages and hands the ranking over in `Part.ranking`) and quotes the best by
    meaning and shared words, in document order, citing their passages. It refuses instead when the
    evidence is weak (`services.extractive.assess`): an unrelated passage quoted as "what the
    documents say" would mislead. A message asking several questions has each answered, or
    said not found, on its own; a message of courtesies only is answered in kind.
    """

    def __init__(self, clinic_name: str, embedder: Callable[[], Embedder]) -> None:
        self._clinic_name = clinic_name
        self._embedder = embedder

    @property
    def model(self) -> str:
        return EXTRACTIVE_MODEL

    async def answer(self, question: Question) -> Generation:
        return Generation(text=await asyncio.to_thread(self.reply, question))

    async def stream(self, question: Question) -> AsyncIterator[Generation]:
        for line in (await asyncio.to_thread(self.reply, question)).splitlines(keepends=True):
            yield Generation(text=line)

    def reply(self, question: Question) -> str:
        if not question.parts:
            return small_talk_reply(question.courtesies, self._clinic_name) or not_found(self._clinic_name)
        rankings = [(part, self._ranking(part, question)) for part in question.parts]
        answers = [(part, ranking, choose_quotes(ranking)) for part, ranking in rankings]
        if not any(quotes for _, _, quotes in answers):
            return not_found(self._clinic_name)
        # Named by their place in the message, not echoed: the searched text is the mended one.
        unanswered = [
            f"I could not find an answer to your {ORDINALS[n]} question in {self._clinic_name}'s documents."
            for n, (_, _, quotes) in enumerate(answers)
            if not quotes
        ]
        if question.style == AnswerStyle.spoken:
            # A paragraph per question: `spoken_answer` shortens each, never drops one.
            said = [join_sentences(quote.text for quote in quotes) for _, _, quotes in answers if quotes]
            return "\n\n".join([*said, *unanswered])
        # Two questions answered by the same sentences quote them once.
        lines = list(
            dict.fromkeys(
                line
                for _, ranking, quotes in answers
                if quotes
                for line in _quoted_lines(quotes, ranking, question.passages)
            )
        )
        lines += [f"- {text}" for text in unanswered]
        return (
            f"Here is what {self._clinic_name}'s documents say (quoted automatically, "
            "not written by an AI model):\n" + "\n".join(lines) + "\n"
            "This is not medical advice. In an emergency, call the emergency services."
        )

    def _ranking(self, part: Part, question: Question) -> SentenceRanking:
        return part.ranking or rank_sentences(
            part.text, part.search_text, question.passages, self._embedder()
        )


def _quoted_lines(
    quotes: Sequence[Quote], ranking: SentenceRanking, sources: Sequence[ChunkHit]
) -> list[str]:
    """One line per passage quoted from, its sentences in document order, cited by its [n] among
    the message's sources (a passage two questions found is one source)."""
    lines = []
    for n in sorted({quote.passage for quote in quotes}):
        hit = ranking.passages[n - 1]
        text = join_sentences(quote.text for quote in quotes if quote.passage == n)
        lines.append(f'- "{text}" ({hit.filename}, page {hit.page}) [{source_number(sources, hit)}]')
    return lines


def source_number(sources: Sequence[ChunkHit], hit: ChunkHit) -> int:
    """The 1-based [n] of a passage among the sources (its score may differ: another part found it)."""
    return next(n for n, source in enumerate(sources, start=1) if same_passage(source, hit))


def same_passage(a: ChunkHit, b: ChunkHit) -> bool:
    return (a.document_id, a.page, a.text) == (b.document_id, b.page, b.text)
