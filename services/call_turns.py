"""Answering one turn of a phone call: the work behind `calls.answer_turn`.

Download the caller's recording, transcribe it, ask the assistant (knowledge base only: a
caller is not authenticated), and store the turn with its timings; the assistant writes the
AI log row (channel phone) in the same transaction. The caller is waiting on the line, so a
failure is not retried later: the turn ends `failed` at once and the caller hears an
apology. Idempotent: the final transaction locks the turn and writes only a pending one.

Whisper is primed with the clinic's own words (its name, doctors, services and the knowledge
base's frequent terms), rebuilt only when one of them changes. A question heard too unsurely
is not answered: the turn keeps no transcript, and the caller is asked to say it again.
"""

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.speech import MAX_PROMPT_CHARS, SpeechError, Transcript
from adapters.twilio_media import RecordingUnavailable
from kernel import metrics
from kernel.telemetry import span
from persistence.models import AIChannel, CallTurnStatus, MessageRole
from persistence.repositories.telephony import CallRepository, CallTurnRepository, ClinicVocabularyRepository
from services.answerers import Turn
from services.assistant import AssistantService
from services.integrations import TwilioCredentials, effective_twilio_credentials
from services.outside_world import OutsideWorld
from services.prompts import AnswerStyle
from services.spoken_answer import spoken_answer
from services.telephony import is_farewell

log = logging.getLogger(__name__)

HISTORY_EXCHANGES = 3
VOCABULARY_DOCTORS = 20
VOCABULARY_SERVICES = 30
VOCABULARY_TERMS = 25
# Words too common to teach Whisper anything (it knows them); the rest of a frequent word list
# is the knowledge base's own vocabulary.
_COMMON_WORDS = frozenset(
    """about above after again also always because been before being below between both cannot
    could does doing down during each either every from further have having here into itself just
    more most much must never only other ours ourselves over same should some such than that their
    theirs them themselves then there these they this those through under until very were what
    when where which while whom will with within without would your yours yourself please
    shall upon page pages also many well make made like need needs used using week weeks
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
# Short frequent words are everyday words Whisper hears well; listed in the prompt, they pull it
# towards themselves ("opening hours on Saturday" was heard as "... Monday").
MIN_TERM_LETTERS = 7
# The prompt's last words, right before what the caller says.
QUESTION_LEAD_IN = "The caller's question:"

FetchRecording = Callable[[str, TwilioCredentials], Awaitable[bytes]]
Transcribe = Callable[[bytes, str | None], Transcript]


@dataclass(frozen=True)
class TurnWork:
    """What answering a turn needs from outside: the recording, speech recognition, the model."""

    session_factory: async_sessionmaker[AsyncSession]
    world: OutsideWorld
    fetch_recording: FetchRecording
    transcribe: Transcribe


class TurnFailed(Exception):
    """Answering failed in a way the caller should hear an apology for."""


def recognition_prompt(
    clinic_name: str, doctors: list[str], services: list[str], terms: list[str] | None = None
) -> str:
    """Prose, not a bare list: Whisper continues a list prompt into the transcript. The knowledge
    base's terms come first: ended with them, the prompt was continued instead of the caller
    being heard ("We also talk about opening our month and a day"). It ends by announcing the
    caller's question, so that Whisper writes a question as one (dev WER 28.7 -> 23.2 %, fewer
    "Is the clinic ..." heard as "In the clinic ..."). Terms that would take it past what Whisper
    keeps of a prompt are left out, rather than the prompt being cut mid-word at its start."""
    ending = f"A caller asks {clinic_name} about opening hours, appointments and prices."
    if doctors:
        ending += " Our doctors: " + ", ".join(doctors) + "."
    if services:
        ending += " Our services: " + ", ".join(services) + "."
    ending += f" {QUESTION_LEAD_IN}"
    kept = list(terms or [])
    while kept and len(_with_terms(kept, ending)) > MAX_PROMPT_CHARS:
        kept.pop()
    return _with_terms(kept, ending)


def _with_terms(terms: list[str], ending: str) -> str:
    return f"Words we use: {', '.join(terms)}. {ending}" if terms else ending


def distinctive_terms(words: list[tuple[str, int]], limit: int) -> list[str]:
    """The knowledge base's frequent words, less the ones every text has."""
    return [word for word, _ in words if len(word) >= MIN_TERM_LETTERS and word not in _COMMON_WORDS][:limit]


class RecognitionPrompts:
    """This process's prompt for Whisper, rebuilt only when the vocabulary's version changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[tuple[object, ...], str] | None = None

    async def prompt(self, session: AsyncSession, clinic_name: str) -> str:
        vocabulary = ClinicVocabularyRepository(session)
        version = (clinic_name, *await vocabulary.version())
        with self._lock:
            if self._cached is not None and self._cached[0] == version:
                return self._cached[1]
        prompt = recognition_prompt(
            clinic_name,
            list(await vocabulary.doctor_names(limit=VOCABULARY_DOCTORS)),
            list(await vocabulary.service_names(limit=VOCABULARY_SERVICES)),
            distinctive_terms(
                list(await vocabulary.knowledge_base_words(limit=8 * VOCABULARY_TERMS)), VOCABULARY_TERMS
            ),
        )
        with self._lock:
            self._cached = (version, prompt)
        return prompt


recognition_prompts = RecognitionPrompts()


async def answer_turn(turn_id: uuid.UUID, work: TurnWork) -> CallTurnStatus | None:
    """Transcribes and answers one turn; returns its final status (None: no such turn)."""
    settings = work.world.settings
    timings: dict[str, Any] = {}
    async with work.session_factory() as session:
        found = await CallTurnRepository(session).get_with_call(turn_id)
        if found is None:
            log.warning("call turn %s to answer does not exist", turn_id)
            return None
        turn, _ = found
        if turn.status != CallTurnStatus.pending:
            log.info("call turn %s is already %s; nothing to do", turn_id, turn.status.value)
            return turn.status
        timings["queuedMs"] = max(0, round((datetime.now(UTC) - turn.created_at).total_seconds() * 1000))
        recording_url = turn.recording_url
        credentials = await effective_twilio_credentials(session, settings)
        prompt = await recognition_prompts.prompt(session, settings.clinic_name)
    try:
        if credentials is None:
            raise TurnFailed("no Twilio credentials are configured to download the recording")
        started = time.perf_counter()
        with span("phone.download_recording"):
            audio = await work.fetch_recording(recording_url, credentials)
        timings["downloadMs"] = _ms_since(started)
        timings["audioBytes"] = len(audio)
        with span("phone.transcribe", audio_bytes=len(audio)):
            transcript = await asyncio.to_thread(work.transcribe, audio, prompt)
        metrics.transcription_seconds.observe(transcript.seconds)
        timings["speechToTextMs"] = round(transcript.seconds * 1000)
        timings["audioSeconds"] = round(transcript.audio_seconds, 2)
        timings["droppedSegments"] = transcript.dropped_segments
        timings["avgLogprob"] = round(transcript.avg_logprob, 3)
        timings["noSpeechProb"] = round(transcript.no_speech_prob, 3)
    except (TurnFailed, RecordingUnavailable, SpeechError) as error:
        log.warning("call turn %s failed: %s", turn_id, error)
        return await _fail(work.session_factory, turn_id, str(error), timings)
    except Exception as error:
        log.exception("call turn %s failed unexpectedly", turn_id)
        return await _fail(work.session_factory, turn_id, f"unexpected error: {error!r}", timings)
    heard = transcript.text
    if transcript.unsure:
        # Kept for whoever reads the turn later; the caller is asked to say it again.
        timings["unsureTranscript"] = heard[:500]
        heard = ""
    return await _answer_and_store(turn_id, heard, timings, work)


async def _answer_and_store(
    turn_id: uuid.UUID, transcript: str, timings: dict[str, Any], work: TurnWork
) -> CallTurnStatus | None:
    settings = work.world.settings
    async with work.session_factory() as session:
        turns = CallTurnRepository(session)
        # Locked first: a second run of this job waits here, then finds the turn done.
        found = await turns.get_with_call(turn_id, for_update=True)
        if found is None:
            return None
        turn, call = found
        if turn.status != CallTurnStatus.pending:
            return turn.status
        answer: str | None = None
        error: str | None = None
        if not transcript:
            await CallRepository(session).count_silence(call.id)
        else:
            await CallRepository(session).reset_silence(call.id)
            if not is_farewell(transcript):
                history = await turns.earlier_exchanges(turn, limit=HISTORY_EXCHANGES)
                started = time.perf_counter()
                try:
                    with span("phone.answer"):
                        reply = await AssistantService(session, work.world).answer(
                            transcript,
                            user=None,
                            patient_id=None,
                            channel=AIChannel.phone,
                            history=[
                                Turn(role=role, text=text)
                                for question, said in history
                                for role, text in (
                                    (MessageRole.user, question),
                                    (MessageRole.assistant, said),
                                )
                            ],
                            style=AnswerStyle.spoken,
                        )
                except Exception as failure:
                    log.exception("the assistant failed on call turn %s", turn_id)
                    await session.rollback()
                    return await _fail(work.session_factory, turn_id, f"assistant: {failure!r}", timings)
                timings["answerMs"] = _ms_since(started)
                timings["aiLogId"] = str(reply.log_id)
                if reply.error is not None:
                    error = f"assistant: {reply.error}"
                else:
                    answer = spoken_answer(reply.text, settings.phone_answer_max_chars) or None
        turn.transcript = transcript
        turn.answer = answer
        turn.error = error
        turn.timings = timings
        turn.status = CallTurnStatus.failed if error else CallTurnStatus.done
        turn.completed_at = datetime.now(UTC)
        await session.commit()
        metrics.phone_turn_seconds.observe((turn.completed_at - turn.created_at).total_seconds())
        return turn.status


async def _fail(
    session_factory: async_sessionmaker[AsyncSession],
    turn_id: uuid.UUID,
    reason: str,
    timings: dict[str, Any],
) -> CallTurnStatus | None:
    async with session_factory() as session:
        found = await CallTurnRepository(session).get_with_call(turn_id, for_update=True)
        if found is None:
            return None
        turn, _ = found
        if turn.status != CallTurnStatus.pending:
            return turn.status
        turn.status = CallTurnStatus.failed
        turn.error = reason[:1000]
        turn.timings = timings
        turn.completed_at = datetime.now(UTC)
        await session.commit()
        return turn.status


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
