"""Phone-line benchmark: what a caller lives through, on the real path.

The API runs under uvicorn and the calls are answered by a real Dramatiq worker process for
the `calls` queue, started as a deployment starts it (WORKER_COMMAND, one process; the
models it loads at boot). Recordings are served by a local server that wants basic auth as
Twilio's media server does. Each question is a new call, driven through the signed webhooks
exactly as Twilio drives them: voice, recording, then the turn-result URL of every
<Redirect> (after its <Pause>, if any) until the answer's TwiML comes back.

Questions: 22 about a clinic knowledge base of three PDFs (opening hours, prices, doctors and
services) and its catalogue, spoken by espeak-ng in six voices at four speeds, made 8 kHz
mono 16-bit by sox like a phone line. The answerer is the offline extractive one (no
GOOGLE_API_KEY): the language model's own time is excluded.

Printed per turn and as p50/p90, for each Whisper model (WHISPER_MODEL) and scenario:
- turn: the recording webhook posted → the answer's TwiML received;
- stages, from the turn's row: queue (webhook → job start), download, speech to text,
  answer (retrieval + the extractive answer), polls (turn stored → answer TwiML received);
- silence: what the caller hears nothing through, Twilio's end-of-speech timeout
  (SILENCE_TIMEOUT_SECONDS) + the turn (less "One moment, please", which Twilio says first);
- word error rate of the transcripts against the spoken text, and how many answers hold
  the fact asked for.
Scenario `ingesting`: a separate documents worker (queue `documents`) ingests a big PDF,
uploaded through the API, while the same questions are asked.

Over a fresh database `silverstar_bench_phone` (TEST_DATABASE_URL's server, else the embedded
PostgreSQL) and a Redis db of REDIS_URL's server (--redis-db, 13), flushed first. Figures are
printed against the targets, never asserted.

    .venv/bin/python bench/phone.py [--models base] [--scenarios quiet,ingesting]
        [--questions 22] [--pages 400] [--threads 1]
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import redis  # noqa: E402
from sqlalchemy import select  # noqa: E402

from adapters.embedded_servers import resolve_redis_url  # noqa: E402
from adapters.twiml import SILENCE_TIMEOUT_SECONDS  # noqa: E402
from bench.common import load_contract_runner  # noqa: E402
from bench.documents import page_text  # noqa: E402
from kernel.settings import get_settings  # noqa: E402
from kernel.tokens import TokenService  # noqa: E402
from persistence.db import create_engine, create_session_factory  # noqa: E402
from persistence.models import CallTurn  # noqa: E402
from services.worker_health import CALLS_QUEUE, DOCUMENTS_QUEUE  # noqa: E402
from tests.assistant_fixtures import index_pdf  # noqa: E402
from tests.conftest import with_redis_db  # noqa: E402
from tests.factories import make_service, make_user  # noqa: E402
from tests.pdfs import text_pdf  # noqa: E402
from tests.phone_fixtures import (  # noqa: E402
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_BASE,
    RecordingServer,
    call_sid,
    recording_sid,
    shared_recordings,
    sign,
    spoken_wav,
)

DATABASE = "silverstar_bench_phone"
TARGET_P50_S, TARGET_P90_S, TARGET_WER = 2.5, 4.0, 0.08
CLINIC = "SilverStar Clinic"
# How a deployment runs the calls queue: one process, one thread (see README).
WORKER_COMMAND = [sys.executable, "-m", "dramatiq", "workers.actors", "--processes", "1"]
UVICORN_COMMAND = [sys.executable, "-m", "uvicorn", "silverstar.main:app", "--log-level", "warning"]

KNOWLEDGE_BASE = {
    "opening-hours.pdf": [
        f"{CLINIC} - Opening hours and visits\n"
        "Monday to Friday the clinic is open from 8 am to 6 pm.\n"
        "On Saturday the clinic is open from 9 am to 1 pm.\n"
        "On Sunday and on public holidays the clinic is closed.\n"
        "Parking: free parking is available in the car park behind the building.\n"
        "The clinic is a five minute walk from the central train station.\n"
        "A wheelchair accessible entrance with a ramp is on the left side of the building.\n"
        "Please arrive ten minutes before your appointment to check in at the front desk.\n"
        "For your first visit, bring your insurance card, a photo ID and a list of your medicines.\n"
        "To cancel an appointment, call us at least 24 hours before or cancel it in the app."
    ],
    "prices.pdf": [
        f"{CLINIC} - Prices of services not covered by insurance\n"
        "Teeth whitening costs 250 euros per session.\n"
        "A dental cleaning costs 90 euros and takes 45 minutes.\n"
        "A flu shot costs 25 euros; for patients over sixty the flu shot is free.\n"
        "A physiotherapy session for back pain or sports injuries costs 60 euros.\n"
        "A travel vaccination consultation costs 40 euros, vaccines extra.\n"
        "Allergy testing (skin prick test) costs 120 euros."
    ],
    "doctors-and-services.pdf": [
        f"{CLINIC} - Our doctors and services\n"
        "Doctor Amelia Hartmann is our dermatologist and treats skin problems such as eczema and acne.\n"
        "Doctor Jonas Whitaker, general practitioner, sees patients on Mondays and Thursdays.\n"
        "Doctor Priya Raman, paediatrician, gives children the measles vaccine and other vaccines.\n"
        "Doctor Lukas Brenner does eye examinations; an eye examination takes about 30 minutes.\n"
        "Vaccinations are given every Wednesday morning without an appointment.\n"
        "Blood tests are taken before 10 am; do not eat for 12 hours before a blood test (fasting).\n"
        "Prescriptions can be renewed by phone or in the app for medicines you already take.\n"
        "Test results are sent to the app within three working days."
    ],
}
DOCTORS = [
    ("Amelia Hartmann", "Dermatology"),
    ("Jonas Whitaker", "General practice"),
    ("Priya Raman", "Paediatrics"),
    ("Lukas Brenner", "Ophthalmology"),
]
SERVICES = [
    "Teeth whitening",
    "Dental cleaning",
    "Flu shot",
    "Physiotherapy",
    "Allergy testing",
    "Eye examination",
    "Travel vaccination consultation",
    "Blood test",
]
# (what the caller says, a word the right answer holds)
QUESTIONS = [
    ("How much does teeth whitening cost?", "whitening"),
    ("Can I get a flu shot at the clinic?", "flu"),
    ("What are your opening hours on Saturday?", "saturday"),
    ("Is the clinic open on Sunday?", "sunday"),
    ("Where can I park my car when I visit you?", "park"),
    ("Do I need to fast before a blood test?", "blood"),
    ("On which day are vaccinations given?", "wednesday"),
    ("How much is a dental cleaning?", "cleaning"),
    ("Does Doctor Hartmann treat skin problems?", "hartmann"),
    ("How can I cancel my appointment?", "cancel"),
    ("Do you offer physiotherapy for back pain?", "physiotherapy"),
    ("What should I bring to my first visit?", "insurance"),
    ("Can my children get the measles vaccine here?", "measles"),
    ("How long does an eye examination take?", "eye"),
    ("Is there a wheelchair accessible entrance?", "wheelchair"),
    ("What does a travel vaccination consultation cost?", "travel"),
    ("Can I get my prescription renewed by phone?", "prescription"),
    ("When does Doctor Whitaker see patients?", "whitaker"),
    ("Do you do allergy testing?", "allergy"),
    ("How early should I arrive before my appointment?", "arrive"),
    ("Is the clinic near the train station?", "station"),
    ("How do I get my test results?", "results"),
]
VOICES = ["en-us", "en-gb-x-rp", "en-us+f3", "en-gb-scotland", "en+m4", "en-us+f4"]
SPEEDS = [150, 135, 170, 160]


@dataclass
class TurnFigures:
    question: str
    voice: str
    heard: str
    answer: str
    answered_right: bool
    wer: float
    turn_s: float
    stages_ms: dict[str, float]
    polls: int
    during_ingestion: bool
    recording_url: str
    answered_at: float  # wall clock, to compare with the turn's completed_at


@dataclass
class Run:
    model: str
    scenario: str
    turns: list[TurnFigures] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)
    # The same clips transcribed by this process right after each turn: Whisper alone.
    alone_ms: list[float] = field(default_factory=list)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


_WORD = re.compile(r"[a-z0-9']+")
_SAME_WORDS = {"dr": "doctor", "doctors": "doctors", "ok": "okay", "pediatrician": "paediatrician"}


def words(text: str) -> list[str]:
    return [_SAME_WORDS.get(w, w) for w in _WORD.findall(text.lower().replace("-", " "))]


def word_error_rate(spoken: str, heard: str) -> float:
    """Word-level edit distance over the spoken text's length (case and punctuation ignored)."""
    ref, hyp = words(spoken), words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[len(hyp)] / max(1, len(ref))


class Servers:
    """The API and the workers as subprocesses over the bench database, logs in a temp dir."""

    def __init__(
        self, database_url: str, redis_url: str, jwt_secret: str, logs: Path, media_origin: str
    ) -> None:
        self.logs = logs
        env = {k: v for k, v in os.environ.items() if k not in {"GOOGLE_API_KEY", "WHISPER_MODEL_DIR"}}
        self.env = env | {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ENVIRONMENT": "test",
            "JWT_SECRET": jwt_secret,
            "PUBLIC_BASE_URL": PUBLIC_BASE,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_MEDIA_HOSTS": json.dumps([media_origin]),
            "CLINIC_NAME": CLINIC,
            "DATA_DIR": str(get_settings().data_dir),
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], **env: str) -> Path:
        log = self.logs / f"{name}.log"
        with open(log, "wb") as out:
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env | env, stdout=out, stderr=subprocess.STDOUT
            )
        return log

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)


def wait_for_line(log: Path, pattern: str, timeout: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, log.read_text(errors="replace")):
            return
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: the process ended:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    raise RuntimeError(f"{log.name}: no {pattern!r} within {timeout} s:\n{log.read_text()[-3000:]}")


class Caller:
    """Drives a call's webhooks as Twilio does, against the API on `base_url`."""

    def __init__(self, client: httpx.Client, base_url: str, recordings: RecordingServer) -> None:
        self._client = client
        self._base = base_url
        self._recordings = recordings

    def post(self, public_url: str, form: dict[str, str]) -> ET.Element:
        response = self._client.post(
            self._base + public_url.removeprefix(PUBLIC_BASE),
            data=form,
            headers={"X-Twilio-Signature": sign(public_url, form)},
        )
        response.raise_for_status()
        return ET.fromstring(response.text)

    def ask(self, audio: bytes) -> tuple[str, float, int, float, str]:
        """(the answer's spoken text, seconds from the recording webhook to it, polls, wall clock
        when it came, the recording's URL)."""
        sid = call_sid()
        recording_url = self._recordings.add(audio)
        self.post(f"{PUBLIC_BASE}/webhooks/twilio/voice", {"CallSid": sid, "AccountSid": ACCOUNT_SID})
        form = {
            "CallSid": sid,
            "AccountSid": ACCOUNT_SID,
            "RecordingUrl": recording_url,
            "RecordingSid": recording_sid(),
            "RecordingDuration": "5",
        }
        started = time.perf_counter()
        twiml = self.post(f"{PUBLIC_BASE}/webhooks/twilio/recording", form)
        polls = 0
        while (redirect := twiml.find("Redirect")) is not None and twiml.find("Record") is None:
            pause = twiml.find("Pause")
            if pause is not None:
                time.sleep(float(pause.get("length", "1")))
            assert redirect.text
            twiml = self.post(redirect.text, {"CallSid": sid, "AccountSid": ACCOUNT_SID})
            polls += 1
        elapsed = time.perf_counter() - started
        said = " ".join(s.text or "" for s in twiml.iter("Say"))
        return said, elapsed, polls, time.time(), recording_url


async def prepare(url: str) -> None:
    settings = get_settings().model_copy(update={"google_api_key": None})
    engine = create_engine(url)
    async with create_session_factory(engine).begin() as session:
        admin = await make_user(session, "admin", email="bench-admin@example.com", name="Bench Admin")
        for name, specialty in DOCTORS:
            await make_user(session, "doctor", name=name, specialty=specialty)
        for service in SERVICES:
            await make_service(session, name=service)
        for filename, pages in KNOWLEDGE_BASE.items():
            await index_pdf(session, settings, uploader=admin, pages=pages, filename=filename)
    await engine.dispose()


async def turn_rows(url: str, recording_urls: list[str]) -> dict[str, CallTurn]:
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        rows = await session.scalars(select(CallTurn).where(CallTurn.recording_url.in_(recording_urls)))
        found = {row.recording_url: row for row in rows}
    await engine.dispose()
    return found


def admin_token(url: str, jwt_secret: str) -> str:
    async def admin_id() -> uuid.UUID:
        from persistence.models import User

        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            found = await session.scalar(select(User.id).where(User.email == "bench-admin@example.com"))
        await engine.dispose()
        assert found is not None
        return found

    return TokenService(get_settings(), jwt_secret).issue(asyncio.run(admin_id()), "admin")


def document_status(client: httpx.Client, base_url: str, token: str, document_id: str) -> str:
    response = client.get(f"{base_url}/documents/{document_id}", headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    status: str = response.json()["status"]
    return status


def run_questions(
    run: Run,
    caller: Caller,
    clips: list[tuple[str, str, str, bytes]],
    url: str,
    alone: Callable[[bytes], float] | None,
    ingesting: Callable[[], bool] | None = None,
) -> None:
    started_load = os.getloadavg()[0]
    for question, expected, voice, audio in clips:
        during = ingesting() if ingesting else False
        said, elapsed, polls, answered_at, recording_url = caller.ask(audio)
        if alone is not None:
            run.alone_ms.append(alone(audio) * 1000)
        run.turns.append(
            TurnFigures(
                question,
                voice,
                "",
                said,
                expected in said.lower(),
                0.0,
                elapsed,
                {},
                polls,
                during,
                recording_url,
                answered_at,
            )
        )
    run.load = (started_load, os.getloadavg()[0])
    rows = asyncio.run(turn_rows(url, [t.recording_url for t in run.turns]))
    for turn in run.turns:
        row = rows[turn.recording_url]
        timings = row.timings or {}
        turn.heard = row.transcript or ""
        turn.wer = word_error_rate(turn.question, turn.heard)
        completed: datetime | None = row.completed_at
        turn.stages_ms = {
            "queue": float(timings.get("queuedMs", 0)),
            "download": float(timings.get("downloadMs", 0)),
            "stt": float(timings.get("speechToTextMs", 0)),
            "answer": float(timings.get("answerMs", 0)),
            "polls": (turn.answered_at - completed.timestamp()) * 1000 if completed else 0.0,
        }


def report(run: Run) -> None:
    print(
        f"\n== Whisper {run.model}, scenario {run.scenario} ({len(run.turns)} turns; "
        f"load average {run.load[0]:.1f} → {run.load[1]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"{'turn s':>7} {'queue':>6} {'dl':>5} {'stt':>6} {'answer':>6} {'polls':>6} {'WER':>5} ok  "
        "voice           heard"
    )
    for t in run.turns:
        s = t.stages_ms
        mark = "✓" if t.answered_right else "✗"
        print(
            f"{t.turn_s:7.2f} {s['queue']:6.0f} {s['download']:5.0f} {s['stt']:6.0f} {s['answer']:6.0f} "
            f"{s['polls']:6.0f} {t.wer:5.0%} {mark}{'i' if t.during_ingestion else ' '} "
            f"{t.voice:15} {t.heard!r}"
        )
    totals = [t.turn_s for t in run.turns]
    p50, p90 = statistics.median(totals), percentile(totals, 0.9)
    spoken = sum(len(words(t.question)) for t in run.turns)
    wer = sum(t.wer * len(words(t.question)) for t in run.turns) / max(1, spoken)
    print(
        "stage p50/p90 ms: "
        + ", ".join(
            f"{name} {statistics.median(v):.0f}/{percentile(v, 0.9):.0f}"
            for name in ("queue", "download", "stt", "answer", "polls")
            for v in [[t.stages_ms[name] for t in run.turns]]
        )
    )
    if run.alone_ms:
        ratios = [t.stages_ms["stt"] / a for t, a in zip(run.turns, run.alone_ms, strict=True) if a]
        print(
            f"speech to text in the worker / the same clip alone right after: p50 "
            f"{statistics.median(ratios):.2f}×, p90 {percentile(ratios, 0.9):.2f}× "
            f"(alone p50 {statistics.median(run.alone_ms):.0f} ms)"
        )
    print(
        f"recording webhook → answer TwiML: p50 {p50:.2f} s, p90 {p90:.2f} s "
        f"(target ≤ {TARGET_P50_S}/{TARGET_P90_S} s: "
        f"{'met' if p50 <= TARGET_P50_S and p90 <= TARGET_P90_S else 'MISSED'})"
    )
    print(
        f"caller's silence (end-of-speech {SILENCE_TIMEOUT_SECONDS} s + turn): "
        f"p50 {SILENCE_TIMEOUT_SECONDS + p50:.2f} s, p90 {SILENCE_TIMEOUT_SECONDS + p90:.2f} s"
    )
    print(
        f"word error rate {wer:.1%} over {spoken} words (target ≤ {TARGET_WER:.0%}: "
        f"{'met' if wer <= TARGET_WER else 'MISSED'}); "
        f"answers holding the fact asked for: {sum(t.answered_right for t in run.turns)}/{len(run.turns)}"
    )
    if run.scenario == "ingesting":
        print(
            f"turns asked while the document was still being ingested: "
            f"{sum(t.during_ingestion for t in run.turns)}/{len(run.turns)}"
        )


@dataclass(frozen=True)
class Options:
    models: list[str]
    scenarios: list[str]
    questions: int
    pages: int
    threads: int
    # separate: a calls worker and a documents worker (the layout deployments run); shared: one
    # worker process for every queue with 2 threads (the layout before issue 14), for comparison.
    layout: str
    worker_env: dict[str, str]
    alone: bool
    redis_db: int


def whisper_alone(url: str, model: str) -> Callable[[bytes], float]:
    """Transcribes a clip in this process as the worker would (same model, prompt, settings)."""
    from adapters.speech import create_transcriber
    from services.call_turns import RecognitionPrompts

    settings = get_settings().model_copy(update={"whisper_model": model, "whisper_model_dir": None})

    async def prompt() -> str:
        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            made = await RecognitionPrompts().prompt(session, CLINIC)
        await engine.dispose()
        return made

    said = asyncio.run(prompt())
    transcriber = create_transcriber(settings)
    return lambda audio: transcriber.transcribe(audio, prompt=said).seconds


def main(options: Options) -> None:
    runner = load_contract_runner()
    url: str = asyncio.run(runner.create_database(DATABASE))
    asyncio.run(prepare(url))
    redis_url = with_redis_db(resolve_redis_url(get_settings()), options.redis_db)
    redis.Redis.from_url(redis_url).flushdb()
    jwt_secret = secrets.token_urlsafe(48)
    clips = [
        (
            q,
            expected,
            f"{VOICES[i % len(VOICES)]}@{SPEEDS[i % len(SPEEDS)]}",
            spoken_wav(q, voice=VOICES[i % len(VOICES)], words_per_minute=SPEEDS[i % len(SPEEDS)]),
        )
        for i, (q, expected) in enumerate(QUESTIONS[: options.questions])
    ]
    warm_up = spoken_wav("Hello, what are your opening hours?")
    ingesting_wanted = "ingesting" in options.scenarios
    big_pdf = text_pdf([page_text(n) for n in range(1, options.pages + 1)]) if ingesting_wanted else b""
    print(
        f"{len(clips)} questions; layout {options.layout}; worker env {options.worker_env or '-'}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-phone-") as tmp:
        recordings = shared_recordings()
        servers = Servers(url, redis_url, jwt_secret, Path(tmp), recordings.base)
        port = runner.free_port()
        base_url = f"http://127.0.0.1:{port}"
        try:
            servers.start(
                "api",
                [*UVICORN_COMMAND, "--port", str(port)],
            )
            runner.wait_until_ready(base_url)
            with httpx.Client(timeout=30) as client:
                caller = Caller(client, base_url, recordings)
                token = admin_token(url, jwt_secret)
                for model in options.models:
                    started = time.perf_counter()
                    if options.layout == "shared":
                        calls_command = [*WORKER_COMMAND, "--threads", "2"]
                    else:
                        calls_command = [
                            *WORKER_COMMAND,
                            "--threads",
                            str(options.threads),
                            "--queues",
                            CALLS_QUEUE,
                        ]
                    name = f"calls-{model}"
                    log = servers.start(name, calls_command, WHISPER_MODEL=model, **options.worker_env)
                    wait_for_line(log, r"the phone line.s models are ready", 900, servers.processes[name])
                    ready_s = time.perf_counter() - started
                    print(f"calls worker ({model}) ready in {ready_s:.1f} s: {' '.join(calls_command[1:])}")
                    print(f"warm-up turn: {caller.ask(warm_up)[1]:.2f} s")
                    alone = whisper_alone(url, model) if options.alone else None
                    for scenario in options.scenarios:
                        run = Run(model, scenario)
                        ingesting = None
                        if scenario == "ingesting":
                            if options.layout == "separate":
                                documents_command = [*WORKER_COMMAND, "--threads", "1"]
                                documents_command += ["--queues", DOCUMENTS_QUEUE]
                                servers.start("documents", documents_command)
                            response = client.post(
                                f"{base_url}/documents",
                                headers={"Authorization": f"Bearer {token}"},
                                files={
                                    "file": (
                                        f"big-{model}.pdf",
                                        big_pdf + f"%{model}".encode(),
                                        "application/pdf",
                                    )
                                },
                            )
                            response.raise_for_status()
                            document_id = response.json()["id"]
                            deadline = time.monotonic() + 120
                            while document_status(client, base_url, token, document_id) != "processing":
                                if time.monotonic() > deadline:
                                    raise RuntimeError("the documents worker never started the ingestion")
                                time.sleep(0.2)

                            def still_ingesting(document_id: str = document_id) -> bool:
                                return document_status(client, base_url, token, document_id) == "processing"

                            ingesting = still_ingesting
                        run_questions(run, caller, clips, url, alone, ingesting)
                        servers.stop("documents")
                        report(run)
                        runs.append(run)
                    servers.stop(name)
        finally:
            servers.stop_all()
    if len(runs) > 1:
        print("\n== side by side")
        for run in runs:
            totals = [t.turn_s for t in run.turns]
            spoken = sum(len(words(t.question)) for t in run.turns)
            wer = sum(t.wer * len(words(t.question)) for t in run.turns) / max(1, spoken)
            stt = [t.stages_ms["stt"] for t in run.turns]
            print(
                f"{run.model:6} {run.scenario:10} turn p50 {statistics.median(totals):.2f} s "
                f"p90 {percentile(totals, 0.9):.2f} s; stt p50 {statistics.median(stt) / 1000:.2f} s; "
                f"WER {wer:.1%}; right answers {sum(t.answered_right for t in run.turns)}/{len(run.turns)}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # Whisper small's packages (1.0.0) are incomplete and refused at load (adapters/speech.py).
    parser.add_argument("--models", default="base")
    parser.add_argument("--scenarios", default="quiet,ingesting")
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--threads", type=int, default=1, help="threads of the calls worker")
    parser.add_argument("--layout", choices=["separate", "shared"], default="separate")
    parser.add_argument("--worker-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--redis-db", type=int, default=13, help="flushed first: one no one else uses")
    parser.add_argument("--no-alone", action="store_true", help="skip Whisper alone after each turn")
    args = parser.parse_args()
    main(
        Options(
            models=args.models.split(","),
            scenarios=args.scenarios.split(","),
            questions=args.questions,
            pages=args.pages,
            threads=args.threads,
            layout=args.layout,
            worker_env=dict(item.split("=", 1) for item in args.worker_env),
            alone=not args.no_alone,
            redis_db=args.redis_db,
        )
    )
