"""The phone line end to end through the real processes: the API under uvicorn, a Dramatiq worker
process serving the `calls` queue, real espeak audio fetched with basic auth, signed webhooks
followed as Twilio follows them. The rows are committed (the processes can't see the test's
transaction) and deleted afterwards."""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.embeddings import Embedder
from kernel.settings import get_settings
from persistence.models import Call, Document, User
from tests.assistant_fixtures import index_pdf
from tests.factories import make_user
from tests.phone_fixtures import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_BASE,
    RecordingServer,
    call_sid,
    garbled_wav,
    recording_sid,
    recordings,
    sign,
    spoken_wav,
    unused_port,
    whisper_model_dir,
)

__all__ = ["recordings", "whisper_model_dir"]

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 240
CLINIC = "SilverStar Clinic"
PRICES_PDF = [
    f"{CLINIC} - Prices\n"
    "Teeth whitening costs 250 euros per session.\n"
    "A flu shot costs 25 euros; for patients over sixty it is free."
]


@pytest_asyncio.fixture(loop_scope="session")
async def knowledge_base(database_url: str, local_embedder: Embedder) -> AsyncIterator[None]:
    """The clinic's price list, committed; removed with the calls afterwards."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    settings = get_settings().model_copy(update={"google_api_key": None})
    async with sessions() as session:
        admin = await make_user(session, "admin")
        document = await index_pdf(session, settings, uploader=admin, pages=PRICES_PDF, filename="prices.pdf")
        await session.commit()
    yield
    await _cleanup(sessions, document.id, admin.id)
    await engine.dispose()


async def _cleanup(sessions: async_sessionmaker[AsyncSession], document_id: object, admin_id: object) -> None:
    async with sessions() as session:
        await session.execute(delete(Call))  # and their turns (cascade)
        await session.execute(delete(Document).where(Document.id == document_id))
        await session.execute(delete(User).where(User.id == admin_id))
        await session.commit()


def _wait_for(log: Path, pattern: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if re.search(pattern, log.read_text(errors="replace")):
            return
        assert process.poll() is None, log.read_text()[-3000:]
        time.sleep(0.2)
    raise AssertionError(f"no {pattern!r} in {log.name}:\n{log.read_text()[-3000:]}")


@pytest.fixture
def served(
    database_url: str,
    redis_url: str,
    whisper_model_dir: Path,
    tmp_path: Path,
    knowledge_base: None,
    recordings: RecordingServer,
) -> Iterator[str]:
    """The API and a calls worker over the test database and Redis; the API's base URL."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "GOOGLE_API_KEY"},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ENVIRONMENT": "test",
        "JWT_SECRET": secrets.token_urlsafe(48),
        "PUBLIC_BASE_URL": PUBLIC_BASE,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_MEDIA_HOSTS": json.dumps([recordings.base]),
        "CLINIC_NAME": CLINIC,
        "WHISPER_MODEL_DIR": str(whisper_model_dir),
    }
    port = unused_port()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        worker_log = tmp_path / "worker.log"
        with open(worker_log, "wb") as out:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "dramatiq",
                        "workers.actors",
                        "--processes",
                        "1",
                        "--threads",
                        "1",
                        "--queues",
                        "calls",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        api_log = tmp_path / "api.log"
        with open(api_log, "wb") as out:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "silverstar.main:app", "--port", str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        _wait_for(api_log, r"Application startup complete", processes[1])
        _wait_for(worker_log, r"the phone line.s models are ready", processes[0])
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


class Twilio:
    """Posts the signed webhooks of one call and follows every <Redirect>, as Twilio does."""

    def __init__(self, client: httpx.Client, base_url: str) -> None:
        self._client, self._base, self.sid = client, base_url, call_sid()

    def post(self, url: str, form: dict[str, str]) -> ET.Element:
        form = {"CallSid": self.sid, "AccountSid": ACCOUNT_SID, **form}
        response = self._client.post(
            self._base + url.removeprefix(PUBLIC_BASE),
            data=form,
            headers={"X-Twilio-Signature": sign(url, form)},
        )
        assert response.status_code == 200, response.text
        return ET.fromstring(response.text)

    def say_after_the_beep(self, recording_url: str) -> ET.Element:
        form = {"RecordingUrl": recording_url, "RecordingSid": recording_sid(), "RecordingDuration": "3"}
        root = self.post(f"{PUBLIC_BASE}/webhooks/twilio/recording", form)
        for _ in range(20):
            redirect = root.find("Redirect")
            if redirect is None or root.find("Record") is not None:
                return root
            assert redirect.text
            root = self.post(redirect.text, {})
        raise AssertionError("the turn never ended")


def said(root: ET.Element) -> str:
    return " ".join(say.text or "" for say in root.iter("Say"))


def test_a_call_is_answered_by_the_calls_worker_process(served: str, recordings: RecordingServer) -> None:
    with httpx.Client(timeout=30) as client:
        twilio = Twilio(client, served)
        assert CLINIC in said(twilio.post(f"{PUBLIC_BASE}/webhooks/twilio/voice", {"CallStatus": "ringing"}))

        unclear = twilio.say_after_the_beep(
            recordings.add(garbled_wav("How much does teeth whitening cost?"))
        )
        assert "did not catch that" in said(unclear) and unclear.find("Record") is not None

        answer = twilio.say_after_the_beep(recordings.add(spoken_wav("How much does teeth whitening cost?")))
        assert "250 euros" in said(answer) and answer.find("Record") is not None
