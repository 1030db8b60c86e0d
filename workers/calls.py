"""The phone line's actor, `calls.answer_turn`, and the preloading of the speech model.

A caller is waiting on the line: the job is not retried (a retry after a backoff would come
when the caller has already heard the apology), and it is bounded in time. It runs on its own
queue, `calls`, so a worker process of its own serves it and a turn never waits behind an
ingestion. The Whisper model is loaded once per worker process, at boot, so the first call
doesn't pay for it.

CPU threads: Whisper (CTranslate2) and the embedder (PyTorch) each bring an OpenMP pool (two
runtimes in one process), whose idle threads spin before they sleep. Each worker process
tells them to sleep at once when idle, at boot, before either library loads (both are
imported on first use), so any launcher gets it; Whisper's thread count is set where the
model is made (adapters/speech.py).
"""

import logging
import os
import threading
import uuid

import dramatiq
from dramatiq.middleware import Middleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.speech import Transcript
from adapters.twilio_media import MediaPolicy, fetch_recording
from services.call_turns import TurnWork, answer_turn
from services.integrations import TwilioCredentials
from services.jobs import ACTOR_QUEUES, ANSWER_CALL_TURN
from services.outside_world import OutsideWorld
from services.worker_health import CALLS_QUEUE
from workers.broker import worker_broker
from workers.runtime import run, world

logger = logging.getLogger(__name__)

broker = worker_broker()

ANSWER_TURN_TIME_LIMIT_MS = 60_000


def turn_work(opened: OutsideWorld, session_factory: async_sessionmaker[AsyncSession]) -> TurnWork:
    """The real outside world of a turn: Twilio's media server, Whisper, the configured answerer."""
    settings = opened.settings
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
        return opened.transcriber.transcribe(audio, prompt=prompt)

    return TurnWork(
        session_factory=session_factory, world=opened, fetch_recording=fetch, transcribe=transcribe
    )


@dramatiq.actor(
    actor_name=ANSWER_CALL_TURN,
    queue_name=ACTOR_QUEUES[ANSWER_CALL_TURN],
    max_retries=0,
    time_limit=ANSWER_TURN_TIME_LIMIT_MS,
)
def answer_call_turn(turn_id: str) -> None:
    """Transcribe and answer one recorded question of a call (idempotent)."""
    try:
        parsed = uuid.UUID(turn_id)
    except ValueError:
        logger.error("not a call turn id: %r", turn_id)
        return
    opened = world()
    run(lambda sessions: answer_turn(parsed, turn_work(opened, sessions)))


def serves_calls(worker: dramatiq.Worker) -> bool:
    """Whether this worker consumes the calls queue (every queue when started without --queues)."""
    queues = worker.consumer_whitelist
    return not queues or CALLS_QUEUE in queues


# Read by each OpenMP runtime once, when its library loads; a value the operator set wins.
IDLE_THREADS_SLEEP = {"OMP_WAIT_POLICY": "PASSIVE", "KMP_BLOCKTIME": "0"}
# An idle Redis consumer backs off up to the worker's timeout (Dramatiq's default: 1 s, so a
# turn waited 0.25-1 s in the queue before a worker saw it). A worker serving calls polls at
# most this far apart: ~10-20 cheap Redis calls a second while idle, for a caller on the line.
CALLS_POLL_MS = 100


class TurnModelsPreloader(Middleware):
    """Quiets the OpenMP pools, makes a calls worker poll its queue often, then loads the
    models of a turn (Whisper, and the embedder the answer's retrieval needs) in the background,
    when a worker process boots: the first caller would otherwise wait for both (over a minute
    on a busy 2-core machine)."""

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        for variable, value in IDLE_THREADS_SLEEP.items():
            os.environ.setdefault(variable, value)
        if serves_calls(worker):
            # Read by the queue consumers, which the worker starts after this hook.
            worker.worker_timeout = min(worker.worker_timeout, CALLS_POLL_MS)

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if not serves_calls(worker):
            return  # a documents-only worker has no use for Whisper
        threading.Thread(target=self._load, name="turn-models-preload", daemon=True).start()

    @staticmethod
    def _load() -> None:
        try:
            opened = world()
            opened.transcriber  # noqa: B018 (loads the model)
            opened.embedder.embed(["warm up"])
            logger.info("the phone line's models are ready")
        except Exception:
            logger.exception("could not preload the phone line's models; calls will load them on first use")


broker.add_middleware(TurnModelsPreloader())
