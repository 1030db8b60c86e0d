"""The phone line's actor, `calls.answer_turn`, and the preloading of the speech model.

A caller is waiting on the line: the job is not retried (a retry after a backoff would come
when the caller has already heard the apology), and it is bounded in time. The Whisper
model is loaded once per worker process, at boot, so the first call doesn't pay for it.
"""

import logging
import threading
import uuid

import dramatiq
from dramatiq.middleware import Middleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.speech import Transcript, get_transcriber
from adapters.twilio_media import MediaPolicy, fetch_recording
from services.call_turns import TurnWork, answer_turn
from services.integrations import TwilioCredentials
from silverstar.settings import Settings, get_settings
from workers.broker import broker
from workers.runtime import run

logger = logging.getLogger(__name__)

ANSWER_TURN_TIME_LIMIT_MS = 60_000


def turn_work(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> TurnWork:
    """The real outside world of a turn: Twilio's media server, Whisper, the configured answerer."""
    policy = MediaPolicy(
        allowed_hosts=tuple(settings.twilio_media_hosts),
        max_bytes=settings.phone_recording_max_bytes,
        timeout_seconds=settings.phone_recording_timeout_seconds,
    )

    async def fetch(url: str, credentials: TwilioCredentials) -> bytes:
        return await fetch_recording(
            url, account_sid=credentials.account_sid, auth_token=credentials.auth_token, policy=policy
        )

    def transcribe(audio: bytes, prompt: str | None) -> Transcript:
        return get_transcriber(settings).transcribe(audio, prompt=prompt)

    return TurnWork(
        session_factory=session_factory, settings=settings, fetch_recording=fetch, transcribe=transcribe
    )


@dramatiq.actor(actor_name="calls.answer_turn", max_retries=0, time_limit=ANSWER_TURN_TIME_LIMIT_MS)
def answer_call_turn(turn_id: str) -> None:
    """Transcribe and answer one recorded question of a call (idempotent)."""
    try:
        parsed = uuid.UUID(turn_id)
    except ValueError:
        logger.error("not a call turn id: %r", turn_id)
        return
    settings = get_settings()
    run(lambda sessions: answer_turn(parsed, turn_work(settings, sessions)))


class SpeechModelPreloader(Middleware):
    """Loads the Whisper model in the background when a worker process boots."""

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        threading.Thread(target=self._load, name="whisper-preload", daemon=True).start()

    @staticmethod
    def _load() -> None:
        try:
            get_transcriber(get_settings())
        except Exception:
            logger.exception("could not preload the Whisper model; calls will load it on first use")


broker.add_middleware(SpeechModelPreloader())
