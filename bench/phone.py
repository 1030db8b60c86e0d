"""Phone-line benchmark: speech to text, and a whole turn from the recording webhook to the answer.

For a spoken question of about 5 seconds (espeak-ng, made 8 kHz mono by sox, like a phone
line), served by a local recording server that wants basic auth as Twilio's does:

- speech-to-text time and real-time factor (Whisper, as configured: int8, greedy, VAD);
- a whole turn: the signed recording webhook, the job run as the worker runs it (download,
  transcription, retrieval, the offline extractive answerer, the log row), then the signed
  turn-result webhook answering TwiML with the answer. The language model's own time is
  excluded, as in the chat benchmark: no GOOGLE_API_KEY, the extractive answerer answers.

The model is loaded (and timed) before the runs. Figures are printed against the target
(p50 ≤ 2.5 s per turn), never asserted. Over a fresh database `silverstar_bench_phone`
(TEST_DATABASE_URL's server, else the embedded PostgreSQL), left in place afterwards.

    .venv/bin/python bench/phone.py [--turns 10]
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from redis.asyncio import Redis  # noqa: E402

import handlers.webhooks  # noqa: E402
from adapters.embedded_servers import resolve_redis_url  # noqa: E402
from adapters.embeddings import get_embedder  # noqa: E402
from adapters.speech import bundled_model_dir, get_transcriber  # noqa: E402
from bench.common import load_contract_runner  # noqa: E402
from persistence.db import create_engine, create_session_factory  # noqa: E402
from services.accounts import AccountService, NewUser  # noqa: E402
from services.call_turns import answer_turn  # noqa: E402
from silverstar.app import create_app  # noqa: E402
from silverstar.runtime import Runtime  # noqa: E402
from silverstar.settings import get_settings  # noqa: E402
from silverstar.tokens import TokenService  # noqa: E402
from tests.assistant_fixtures import index_pdf  # noqa: E402
from tests.phone_fixtures import (  # noqa: E402
    ACCOUNT_SID,
    PUBLIC_BASE,
    call_sid,
    phone_settings,
    recording_sid,
    serve_recordings,
    sign,
    spoken_wav,
)
from workers.calls import turn_work  # noqa: E402

DATABASE = "silverstar_bench_phone"
TARGET_TURN_P50_S = 2.5
QUESTION = "Hello, I would like to know what the opening hours of the clinic are on Saturday, please."
HOURS = [
    "SilverStar Clinic - Opening hours\n"
    "Monday to Friday we are open from 8 to 18.\n"
    "On Saturday the clinic is open from 9 to 13.\n"
    "On Sunday the clinic is closed."
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def main(turns: int, chunk_seconds: int) -> None:
    base = get_settings()
    model_dir = base.whisper_model_dir
    settings = phone_settings(
        base.model_copy(update={"environment": "test"}),
        model_dir or bundled_model_dir(base.data_dir),
        whisper_chunk_seconds=chunk_seconds,
    )
    url: str = await load_contract_runner().create_database(DATABASE)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    secret = "bench-" + "x" * 40
    runtime = Runtime(
        settings=settings,
        session_factory=sessions,
        redis=Redis.from_url(resolve_redis_url(settings)),
        tokens=TokenService(settings, secret),
    )

    audio = spoken_wav(QUESTION, words_per_minute=150)
    started = time.perf_counter()
    transcriber = get_transcriber(settings)
    load_s = time.perf_counter() - started
    get_embedder(settings).embed(["warm up"])

    async with sessions() as session:
        admin = await AccountService(session, password_min_length=10).create(
            NewUser(
                email=f"bench-{uuid.uuid4().hex[:8]}@example.com",
                password="bench-password",
                name="Bench Admin",
                role="admin",
                specialty=None,
                service_ids=(),
            )
        )
        await index_pdf(session, settings, uploader=admin, pages=HOURS, filename="opening-hours.pdf")
        await session.commit()

    stt: list[float] = []
    for _ in range(3):
        transcript = transcriber.transcribe(
            audio, prompt="A caller asks SilverStar Clinic about opening hours."
        )
        stt.append(transcript.seconds)
    print(f"question: {transcript.audio_seconds:.2f} s of 8 kHz speech; heard: {transcript.text!r}")
    print(
        f"Whisper window: {chunk_seconds} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"Whisper model load (once per worker process): {load_s:.2f} s")
    p50_stt = statistics.median(stt)
    print(f"speech to text: p50 {p50_stt:.2f} s, real-time factor {p50_stt / transcript.audio_seconds:.2f}")

    queued: list[uuid.UUID] = []
    handlers.webhooks._enqueue_turn = queued.append  # type: ignore[assignment]  # the job runs here, as the worker would
    app = create_app(settings, runtime)
    totals: list[float] = []
    answers: set[str] = set()
    recordings = serve_recordings()
    server = next(recordings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

        async def post(full_url: str, form: dict[str, str]) -> ET.Element:
            response = await client.post(
                full_url.removeprefix(PUBLIC_BASE),
                data=form,
                headers={"X-Twilio-Signature": sign(full_url, form)},
            )
            response.raise_for_status()
            return ET.fromstring(response.text)

        for _ in range(turns):
            sid = call_sid()
            await post(f"{PUBLIC_BASE}/webhooks/twilio/voice", {"CallSid": sid, "AccountSid": ACCOUNT_SID})
            recording_url = server.add(audio)
            started = time.perf_counter()
            form = {
                "CallSid": sid,
                "AccountSid": ACCOUNT_SID,
                "RecordingUrl": recording_url,
                "RecordingSid": recording_sid(),
                "RecordingDuration": "5",
            }
            hold = await post(f"{PUBLIC_BASE}/webhooks/twilio/recording", form)
            await answer_turn(queued.pop(), turn_work(settings, sessions))
            redirect = hold.find("Redirect")
            assert redirect is not None and redirect.text
            answer = await post(redirect.text, {"CallSid": sid, "AccountSid": ACCOUNT_SID})
            totals.append(time.perf_counter() - started)
            answers.add(" ".join(s.text or "" for s in answer.iter("Say"))[:90])
    recordings.close()
    await runtime.redis.aclose()
    await engine.dispose()

    p50, p90 = statistics.median(totals), percentile(totals, 0.9)
    verdict = "meets" if p50 <= TARGET_TURN_P50_S else "misses"
    print(f"whole turn, recording webhook → answer TwiML ({turns} turns): p50 {p50:.2f} s, p90 {p90:.2f} s")
    print(f"  target p50 ≤ {TARGET_TURN_P50_S} s: {verdict}")
    for spoken in sorted(answers):
        print(f"  answer: {spoken}…")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--chunk-seconds", type=int, default=get_settings().whisper_chunk_seconds)
    args = parser.parse_args()
    asyncio.run(main(args.turns, args.chunk_seconds))
