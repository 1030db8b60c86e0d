"""Who writes the answer: Gemini, or without a key the extractive answerer (quotes passages).

Both take the same `Question` (the retrieved passages, the history, the style) and give a
whole answer or a stream of pieces; the assistant service doesn't know which it has.
"""

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from adapters.gemini import GeminiChat, Generation, Message, get_gemini_chat
from adapters.vector_store import ChunkHit
from persistence.models import MessageRole
from services.prompts import AnswerStyle, system_prompt
from silverstar.settings import Settings

EXTRACTIVE_MODEL = "silverstar-extractive"
# Below this cosine similarity a passage is not quoted as an answer (all-MiniLM-L6-v2 scale).
EXTRACTIVE_MIN_SCORE = 0.3
EXTRACTIVE_MAX_PASSAGES = 3
EXTRACTIVE_MAX_QUOTE_CHARS = 400

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\w{3,}")


@dataclass(frozen=True)
class Turn:
    role: MessageRole
    text: str


@dataclass(frozen=True)
class Question:
    text: str
    passages: Sequence[ChunkHit]
    history: Sequence[Turn]
    style: AnswerStyle


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
    """The offline answerer: the best passages, quoted with their sources, no model at all."""

    def __init__(self, clinic_name: str) -> None:
        self._clinic_name = clinic_name

    @property
    def model(self) -> str:
        return EXTRACTIVE_MODEL

    async def answer(self, question: Question) -> Generation:
        return Generation(text=self.reply(question))

    async def stream(self, question: Question) -> AsyncIterator[Generation]:
        for line in self.reply(question).splitlines(keepends=True):
            yield Generation(text=line)

    def reply(self, question: Question) -> str:
        relevant = [
            (n, hit) for n, hit in enumerate(question.passages, start=1) if hit.score >= EXTRACTIVE_MIN_SCORE
        ][:EXTRACTIVE_MAX_PASSAGES]
        if not relevant:
            return (
                f"I could not find anything about this in {self._clinic_name}'s documents. "
                f"Please contact {self._clinic_name} directly."
            )
        terms = set(_WORD.findall(question.text.lower()))
        if question.style == AnswerStyle.spoken:
            hit = relevant[0][1]
            return f"According to our document {hit.filename}: {_best_sentences(hit.text, terms)}"
        quotes = "\n".join(
            f'- "{_best_sentences(hit.text, terms)}" ({hit.filename}, page {hit.page}) [{n}]'
            for n, hit in relevant
        )
        return (
            f"Here is what {self._clinic_name}'s documents say (quoted automatically, "
            "not written by an AI model):\n"
            f"{quotes}\n"
            "This is not medical advice. In an emergency, call the emergency services."
        )


def _best_sentences(text: str, terms: set[str]) -> str:
    """The passage's sentences sharing most words with the question, in their order, capped."""
    sentences = [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]
    if not sentences:
        return ""
    ranked = sorted(
        range(len(sentences)),
        key=lambda i: -len(terms & set(_WORD.findall(sentences[i].lower()))),
    )
    chosen = sorted(ranked[:2])
    quote = " ".join(sentences[i] for i in chosen)
    if len(quote) > EXTRACTIVE_MAX_QUOTE_CHARS:
        quote = quote[: EXTRACTIVE_MAX_QUOTE_CHARS - 1].rstrip() + "…"
    return quote


def get_answerer(settings: Settings) -> Answerer:
    chat = get_gemini_chat(settings)
    if chat is None:
        return ExtractiveAnswerer(settings.clinic_name)
    return GeminiAnswerer(chat, settings.clinic_name)
