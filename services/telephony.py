"""The phone line's conversation: what the caller hears next at each Twilio webhook.

A call is a loop of turns: the caller speaks after a beep (<Record>), Twilio posts the
recording, a job (`calls.answer_turn`, services/call_turns.py) transcribes and answers it,
and Twilio polls the turn until the answer can be spoken; then the caller may ask again.
Nobody on the phone is authenticated, so the line answers from the clinic's knowledge base
only, never from a patient's documents.

The service returns a `Step` (what to say and do); handlers render it as TwiML.
"""

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.twilio_media import check_recording_url
from kernel.errors import NotFound, Unprocessable
from kernel.settings import Settings
from persistence.models import Call, CallTurn, CallTurnStatus
from persistence.repositories.telephony import CallRepository, CallTurnRepository
from services.courtesies import FAREWELL
from services.jobs import ANSWER_CALL_TURN, Jobs

# The turn-result webhook waits this long for the job, looking every poll interval, and
# answers as soon as the turn is done; a turn still pending then is redirected at once (no
# <Pause>), so no answer ever waits out a fixed pause. 8 s stays far inside Twilio's 15 s limit.
TURN_WAIT_SECONDS = 8.0
TURN_POLL_INTERVAL_SECONDS = 0.1
MAX_SILENT_TURNS = 2
TERMINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})

# Taking leave as anywhere, or as only a caller does ("no thanks", "hang up").
_FAREWELL = re.compile(rf"\b({FAREWELL}|nothing else|no,? thanks?( you)?|hang up)\b", re.IGNORECASE)
_FAREWELL_MAX_WORDS = 8


@dataclass(frozen=True)
class Listen:
    """Say these, then record the caller's next question."""

    texts: tuple[str, ...]


@dataclass(frozen=True)
class Hold:
    """Keep the caller company, then poll the turn again."""

    text: str | None
    pause_seconds: int
    turn_id: uuid.UUID
    attempt: int


@dataclass(frozen=True)
class Goodbye:
    text: str


@dataclass(frozen=True)
class HandOver:
    """Apologise; put the clinic on the line when it has a number, else hang up."""

    text: str
    number: str | None


Step = Listen | Hold | Goodbye | HandOver


class Phrases:
    def __init__(self, clinic_name: str) -> None:
        self.greeting = (
            f"Hello, you have reached {clinic_name}. Your call is answered by an automated assistant "
            "that can answer questions about the clinic. Please ask your question after the beep."
        )
        self.nothing_heard = "Sorry, I did not hear anything."
        self.ask_again = "Please ask your question after the beep."
        self.not_caught = "Sorry, I did not catch that. Please ask your question again after the beep."
        self.one_moment = "One moment, please."
        self.another = "Do you have another question? Speak after the beep, or say goodbye."
        self.goodbye = f"Thank you for calling {clinic_name}. Goodbye."
        self.silent_goodbye = f"I still cannot hear you. Please call {clinic_name} again later. Goodbye."
        self.sorry_transfer = (
            "Sorry, I could not answer your question. I am putting you through to the clinic."
        )
        self.sorry_later = (
            f"Sorry, I could not answer your question. Please call {clinic_name} again later. Goodbye."
        )


def is_farewell(transcript: str) -> bool:
    """A short utterance taking leave ("thank you, goodbye", "no thanks, that's all")."""
    return len(transcript.split()) <= _FAREWELL_MAX_WORDS and bool(_FAREWELL.search(transcript))


@dataclass(frozen=True)
class CallerInfo:
    call_sid: str
    from_number: str | None = None
    to_number: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class NewRecording:
    turn_id: uuid.UUID
    created: bool  # False: Twilio posted this recording before; its job is already queued


class TelephonyService:
    def __init__(self, session: AsyncSession, settings: Settings, jobs: Jobs) -> None:
        self._session = session
        self._jobs = jobs
        self._settings = settings
        self._calls = CallRepository(session)
        self._turns = CallTurnRepository(session)
        self.phrases = Phrases(settings.clinic_name)

    async def _call(self, caller: CallerInfo) -> tuple[Call, bool]:
        return await self._calls.get_or_create(
            caller.call_sid,
            from_number=_short(caller.from_number),
            to_number=_short(caller.to_number),
            status=_short(caller.status) or "in-progress",
        )

    async def call_reached(self, caller: CallerInfo) -> Step:
        """A new call is greeted. A known one came back from a <Record> that heard nothing."""
        call, created = await self._call(caller)
        if created:
            return Listen((self.phrases.greeting,))
        if await self._calls.count_silence(call.id) >= MAX_SILENT_TURNS:
            return Goodbye(self.phrases.silent_goodbye)
        return Listen((self.phrases.ask_again,))

    async def recording_received(
        self, caller: CallerInfo, *, recording_sid: str, recording_url: str
    ) -> NewRecording:
        refusal = check_recording_url(recording_url, self._settings.twilio_media_hosts)
        if refusal:
            raise Unprocessable(f"RecordingUrl refused: {refusal}.")
        call, _ = await self._call(caller)
        turn, created = await self._turns.get_or_create(
            call, recording_sid=recording_sid[:64], recording_url=recording_url
        )
        if turn.call_id != call.id:
            raise Unprocessable("This recording belongs to another call.")
        if created:
            # Sent once the turn is committed. Should Redis be down, the turn stays pending:
            # the caller is polled to the end, then hears the apology.
            self._jobs.enqueue(ANSWER_CALL_TURN, str(turn.id))
        return NewRecording(turn_id=turn.id, created=created)

    def hold_for(self, turn_id: uuid.UUID) -> Step:
        """The answer to a recording: a word for the caller while the job starts."""
        return Hold(self.phrases.one_moment, pause_seconds=0, turn_id=turn_id, attempt=0)

    async def turn_result(
        self, turn_id: uuid.UUID, *, call_sid: str, attempt: int, wait_seconds: float | None = None
    ) -> Step:
        found = await self._turns.get_with_call(turn_id)
        # A turn is only shown to its own call (the signature alone doesn't bind the two).
        if found is None or found[1].call_sid != call_sid:
            raise NotFound("No such turn in this call.")
        turn, call = found
        wait_seconds = TURN_WAIT_SECONDS if wait_seconds is None else wait_seconds
        if turn.status == CallTurnStatus.pending and wait_seconds > 0:
            turn, call = await self._wait_for(turn, call, wait_seconds)
        if turn.status == CallTurnStatus.pending:
            if attempt + 1 >= self._settings.phone_max_poll_attempts:
                return self._sorry()
            return Hold(None, pause_seconds=0, turn_id=turn.id, attempt=attempt + 1)
        if turn.status == CallTurnStatus.failed:
            return self._sorry()
        return self._after_answer(turn, call)

    async def _wait_for(self, turn: CallTurn, call: Call, seconds: float) -> tuple[CallTurn, Call]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            await asyncio.sleep(TURN_POLL_INTERVAL_SECONDS)
            if await self._turns.status(turn.id) != CallTurnStatus.pending:
                found = await self._turns.get_with_call(turn.id)
                if found is not None:
                    return found
        return turn, call

    def _after_answer(self, turn: CallTurn, call: Call) -> Step:
        transcript = (turn.transcript or "").strip()
        if not transcript:
            if call.silent_turns >= MAX_SILENT_TURNS:
                return Goodbye(self.phrases.silent_goodbye)
            return Listen((self.phrases.not_caught,))
        if is_farewell(transcript):
            return Goodbye(self.phrases.goodbye)
        if not turn.answer:
            return self._sorry()
        return Listen((turn.answer, self.phrases.another))

    def _sorry(self) -> Step:
        number = self._settings.clinic_phone_number
        return HandOver(self.phrases.sorry_transfer if number else self.phrases.sorry_later, number=number)

    async def call_status(self, caller: CallerInfo, *, duration_seconds: int | None) -> None:
        call, _ = await self._call(caller)
        status = _short(caller.status) or call.status
        ended_at = datetime.now(UTC) if status in TERMINAL_CALL_STATUSES else None
        await self._calls.record_status(
            call, status=status, duration_seconds=duration_seconds, ended_at=ended_at
        )


def _short(value: str | None, limit: int = 32) -> str | None:
    """Twilio's values fit the columns; anything longer is not Twilio's and is cut, not stored whole."""
    return value[:limit] if value else None
