"""The phone line end to end, without Twilio: signed webhooks, real audio, a real worker run."""

import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import services.telephony
from adapters.job_queue import DramatiqJobSender
from adapters.queued_jobs import list_jobs
from handlers.context import Runtime
from persistence.models import AIChannel, AILog, Call, CallTurn, CallTurnStatus, User
from services.call_turns import answer_turn
from services.jobs import ANSWER_CALL_TURN
from services.worker_health import CALLS_QUEUE
from silverstar.app import create_app
from tests.assistant_fixtures import index_pdf
from tests.phone_fixtures import (
    ACCOUNT_SID,
    PUBLIC_BASE,
    UNREACHABLE_MEDIA_ORIGIN,
    RecordingServer,
    call_sid,
    garbled_wav,
    phone_settings,
    recording_sid,
    recordings,
    sign,
    silent_wav,
    spoken_wav,
    whisper_model_dir,
)
from workers.calls import turn_work

__all__ = ["recordings", "whisper_model_dir"]

CLINIC_NUMBER = "+4930123456"
HOURS_PDF = [
    "SilverStar Clinic - Opening hours\n"
    "Monday to Friday we are open from 8 to 18.\n"
    "On Saturday the clinic is open from 9 to 13.\n"
    "On Sunday the clinic is closed."
]


@pytest.fixture(scope="module")
def question_audio() -> bytes:
    return spoken_wav("What are the opening hours on Saturday?")


@pytest_asyncio.fixture(loop_scope="session")
async def phone_runtime(runtime: Runtime, whisper_model_dir: Path) -> Runtime:
    settings = phone_settings(runtime.settings, whisper_model_dir, clinic_phone_number=CLINIC_NUMBER)
    return runtime.with_settings(settings)


@pytest_asyncio.fixture(loop_scope="session")
async def phone(phone_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(phone_runtime.settings, phone_runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


QueuedTurns = Callable[[], list[uuid.UUID]]


@pytest.fixture
def enqueued(phone_runtime: Runtime) -> QueuedTurns:
    """The turns whose `calls.answer_turn` jobs sit in Redis (under the test's own prefix), in order."""
    sender = phone_runtime.job_sender
    assert isinstance(sender, DramatiqJobSender)

    def turns() -> list[uuid.UUID]:
        jobs = list_jobs(sender.broker, CALLS_QUEUE)
        return [uuid.UUID(job.args[0]) for job in jobs if job.actor_name == ANSWER_CALL_TURN]

    return turns


async def post(
    client: httpx.AsyncClient, url: str, params: dict[str, str], signature: str | None = None
) -> httpx.Response:
    """POST a form as Twilio does, signed for the public URL unless a signature is given."""
    headers = {"X-Twilio-Signature": signature if signature is not None else sign(url, params)}
    return await client.post(url.removeprefix(PUBLIC_BASE), data=params, headers=headers)


def twiml(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return ET.fromstring(response.text)


def said(root: ET.Element) -> str:
    return " ".join(say.text or "" for say in root.iter("Say"))


def call_form(sid: str, **extra: str) -> dict[str, str]:
    return {"CallSid": sid, "AccountSid": ACCOUNT_SID, "From": "+4915112345678", "To": "+4930000000", **extra}


async def start_call(client: httpx.AsyncClient) -> str:
    sid = call_sid()
    root = twiml(
        await post(client, f"{PUBLIC_BASE}/webhooks/twilio/voice", call_form(sid, CallStatus="ringing"))
    )
    assert "SilverStar Clinic" in said(root)
    return sid


async def record(client: httpx.AsyncClient, sid: str, recording_url: str) -> str:
    """Posts a recording; returns the turn URL Twilio is redirected to."""
    form = {
        "CallSid": sid,
        "AccountSid": ACCOUNT_SID,
        "RecordingUrl": recording_url,
        "RecordingSid": recording_sid(),
        "RecordingDuration": "3",
    }
    root = twiml(await post(client, f"{PUBLIC_BASE}/webhooks/twilio/recording", form))
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text
    assert redirect.text.startswith(f"{PUBLIC_BASE}/webhooks/twilio/turns/")
    assert redirect.text.endswith("?attempt=0")
    return redirect.text


async def run_job(
    phone_runtime: Runtime, session_factory: async_sessionmaker[AsyncSession], turn_id: uuid.UUID
) -> None:
    await answer_turn(turn_id, turn_work(phone_runtime.world, session_factory))


async def test_a_spoken_question_is_answered_from_the_clinic_pdf(
    phone: httpx.AsyncClient,
    phone_runtime: Runtime,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    admin: User,
    recordings: RecordingServer,
    question_audio: bytes,
    enqueued: QueuedTurns,
) -> None:
    await index_pdf(
        session, phone_runtime.settings, uploader=admin, pages=HOURS_PDF, filename="opening-hours.pdf"
    )
    sid = await start_call(phone)
    turn_url = await record(phone, sid, recordings.add(question_audio, not_ready_times=1))
    [turn_id] = enqueued()
    assert turn_url == f"{PUBLIC_BASE}/webhooks/twilio/turns/{turn_id}?attempt=0"

    await run_job(phone_runtime, session_factory, turn_id)

    root = twiml(await post(phone, turn_url, call_form(sid)))
    answer = said(root)
    assert "9 to 13" in answer, answer
    action = root.find("Record")
    assert action is not None and action.get("action") == f"{PUBLIC_BASE}/webhooks/twilio/recording"
    turn = await session.scalar(
        select(CallTurn).where(CallTurn.id == turn_id).execution_options(populate_existing=True)
    )
    assert turn is not None and turn.status == CallTurnStatus.done
    assert "saturday" in (turn.transcript or "").lower()
    assert turn.timings is not None and {"downloadMs", "speechToTextMs", "answerMs"} <= turn.timings.keys()
    log = await session.scalar(select(AILog).where(AILog.id == uuid.UUID(turn.timings["aiLogId"])))
    assert log is not None and log.channel == AIChannel.phone and log.user_id is None


async def test_the_greeting_records_with_a_short_silence_timeout_and_comes_back_on_silence(
    phone: httpx.AsyncClient,
) -> None:
    root = twiml(await post(phone, f"{PUBLIC_BASE}/webhooks/twilio/voice", call_form(call_sid())))
    children = [child.tag for child in root]
    assert children == ["Say", "Record", "Say", "Redirect"]
    action = root.find("Record")
    assert action is not None
    assert (
        action.get("timeout") == "2"
        and action.get("playBeep") == "true"
        and action.get("trim") == "trim-silence"
    )
    assert action.get("maxLength")
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text == f"{PUBLIC_BASE}/webhooks/twilio/voice"


async def test_a_caller_silent_twice_at_the_beep_gets_a_goodbye(phone: httpx.AsyncClient) -> None:
    sid = await start_call(phone)
    again = twiml(await post(phone, f"{PUBLIC_BASE}/webhooks/twilio/voice", call_form(sid)))
    assert again.find("Record") is not None
    last = twiml(await post(phone, f"{PUBLIC_BASE}/webhooks/twilio/voice", call_form(sid)))
    assert last.find("Hangup") is not None and "Goodbye" in said(last)


async def test_a_silent_recording_asks_again_then_says_goodbye(
    phone: httpx.AsyncClient,
    phone_runtime: Runtime,
    session_factory: async_sessionmaker[AsyncSession],
    recordings: RecordingServer,
    enqueued: QueuedTurns,
) -> None:
    sid = await start_call(phone)
    quiet = silent_wav()
    first_url = await record(phone, sid, recordings.add(quiet))
    await run_job(phone_runtime, session_factory, enqueued()[-1])
    first = twiml(await post(phone, first_url, call_form(sid)))
    assert first.find("Record") is not None and "did not catch" in said(first)

    second_url = await record(phone, sid, recordings.add(quiet))
    await run_job(phone_runtime, session_factory, enqueued()[-1])
    second = twiml(await post(phone, second_url, call_form(sid)))
    assert second.find("Hangup") is not None and second.find("Record") is None


async def test_a_question_heard_too_unsurely_is_asked_again_not_answered(
    phone: httpx.AsyncClient,
    phone_runtime: Runtime,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    recordings: RecordingServer,
    enqueued: QueuedTurns,
) -> None:
    sid = await start_call(phone)
    garbled = garbled_wav("How much does teeth whitening cost?")
    turn_url = await record(phone, sid, recordings.add(garbled))
    await run_job(phone_runtime, session_factory, enqueued()[-1])
    root = twiml(await post(phone, turn_url, call_form(sid)))
    assert "did not catch that" in said(root) and root.find("Record") is not None
    turn = await session.get(CallTurn, enqueued()[-1], populate_existing=True)
    assert turn is not None and turn.status == CallTurnStatus.done and turn.answer is None
    assert turn.transcript == "" and turn.timings is not None and "avgLogprob" in turn.timings


async def test_an_unreachable_recording_ends_in_an_apology_and_the_clinic_on_the_line(
    phone: httpx.AsyncClient,
    phone_runtime: Runtime,
    session_factory: async_sessionmaker[AsyncSession],
    enqueued: QueuedTurns,
) -> None:
    sid = await start_call(phone)
    turn_url = await record(phone, sid, f"{UNREACHABLE_MEDIA_ORIGIN}/Recordings/{recording_sid()}")
    await run_job(phone_runtime, session_factory, enqueued()[-1])
    root = twiml(await post(phone, turn_url, call_form(sid)))
    assert "Sorry" in said(root)
    dial = root.find("Dial")
    assert dial is not None and dial.text == CLINIC_NUMBER


async def test_a_garbled_recording_fails_the_turn_with_an_apology(
    phone: httpx.AsyncClient,
    phone_runtime: Runtime,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    recordings: RecordingServer,
    enqueued: QueuedTurns,
) -> None:
    sid = await start_call(phone)
    turn_url = await record(phone, sid, recordings.add(b"RIFF" + bytes(range(256)) * 20))
    await run_job(phone_runtime, session_factory, enqueued()[-1])
    root = twiml(await post(phone, turn_url, call_form(sid)))
    assert "Sorry" in said(root) and root.find("Dial") is not None
    turn = await session.get(CallTurn, enqueued()[-1], populate_existing=True)
    assert turn is not None and turn.status == CallTurnStatus.failed and turn.error


async def test_a_turn_not_ready_is_polled_again_at_once_then_given_up(
    phone: httpx.AsyncClient,
    phone_runtime: Runtime,
    recordings: RecordingServer,
    enqueued: QueuedTurns,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services.telephony, "TURN_WAIT_SECONDS", 0.0)
    sid = await start_call(phone)
    turn_url = await record(phone, sid, recordings.add(b"unused"))
    root = twiml(await post(phone, turn_url, call_form(sid)))
    assert root.find("Pause") is None  # no fixed pause: the next poll waits for the answer itself
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text == turn_url.replace("attempt=0", "attempt=1")

    last = phone_runtime.settings.phone_max_poll_attempts - 1
    final = twiml(await post(phone, turn_url.replace("attempt=0", f"attempt={last}"), call_form(sid)))
    assert "Sorry" in said(final) and final.find("Redirect") is None


async def test_a_recording_posted_twice_is_one_turn_and_one_job(
    phone: httpx.AsyncClient, recordings: RecordingServer, enqueued: QueuedTurns
) -> None:
    sid = await start_call(phone)
    form = {
        "CallSid": sid,
        "AccountSid": ACCOUNT_SID,
        "RecordingUrl": recordings.add(b"x"),
        "RecordingSid": recording_sid(),
    }
    first = twiml(await post(phone, f"{PUBLIC_BASE}/webhooks/twilio/recording", form))
    second = twiml(await post(phone, f"{PUBLIC_BASE}/webhooks/twilio/recording", form))
    assert ET.tostring(first) == ET.tostring(second)
    assert len(enqueued()) == 1


async def test_a_goodbye_ends_the_call(
    phone: httpx.AsyncClient, session: AsyncSession, recordings: RecordingServer, enqueued: QueuedTurns
) -> None:
    sid = await start_call(phone)
    turn_url = await record(phone, sid, recordings.add(b"x"))
    turn = await session.get(CallTurn, enqueued()[-1])
    assert turn is not None
    turn.status, turn.transcript = CallTurnStatus.done, "No, thank you. Goodbye."
    await session.flush()
    root = twiml(await post(phone, turn_url, call_form(sid)))
    assert root.find("Hangup") is not None and "Goodbye" in said(root)


async def test_a_turn_is_not_found_from_another_call(
    phone: httpx.AsyncClient, recordings: RecordingServer, enqueued: QueuedTurns
) -> None:
    sid = await start_call(phone)
    turn_url = await record(phone, sid, recordings.add(b"x"))
    response = await post(phone, turn_url, call_form(call_sid()))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_recording_url_on_a_foreign_host_is_refused(
    phone: httpx.AsyncClient, enqueued: QueuedTurns
) -> None:
    sid = await start_call(phone)
    form = {
        "CallSid": sid,
        "AccountSid": ACCOUNT_SID,
        "RecordingUrl": "http://169.254.169.254/latest/meta-data",
        "RecordingSid": recording_sid(),
    }
    response = await post(phone, f"{PUBLIC_BASE}/webhooks/twilio/recording", form)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert enqueued() == []


async def test_the_status_callback_records_the_end_of_the_call(
    phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    sid = await start_call(phone)
    form = {"CallSid": sid, "AccountSid": ACCOUNT_SID, "CallStatus": "completed", "CallDuration": "42"}
    response = await post(phone, f"{PUBLIC_BASE}/webhooks/twilio/status", form)
    assert response.status_code == 204
    call = await session.scalar(
        select(Call).where(Call.call_sid == sid).execution_options(populate_existing=True)
    )
    assert call is not None
    assert (call.status, call.duration_seconds) == ("completed", 42) and call.ended_at is not None


# ---------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(None, id="missing"),
        pytest.param("bm90IGEgc2lnbmF0dXJl", id="wrong"),
        pytest.param(
            sign("https://elsewhere.example/webhooks/twilio/voice", call_form("CA" + "0" * 32)),
            id="retargeted",
        ),
        pytest.param(
            sign(f"{PUBLIC_BASE}/webhooks/twilio/voice", call_form("CA" + "0" * 32), "b" * 32),
            id="other-token",
        ),
    ],
)
async def test_a_webhook_without_a_valid_signature_is_forbidden(
    phone: httpx.AsyncClient, signature: str | None
) -> None:
    headers = {"X-Twilio-Signature": signature} if signature else {}
    response = await phone.post("/webhooks/twilio/voice", data=call_form("CA" + "0" * 32), headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_signature_over_a_different_query_is_forbidden(
    phone: httpx.AsyncClient, recordings: RecordingServer, enqueued: QueuedTurns
) -> None:
    sid = await start_call(phone)
    turn_url = await record(phone, sid, recordings.add(b"x"))
    signature = sign(turn_url, call_form(sid))
    response = await post(phone, turn_url.replace("attempt=0", "attempt=5"), call_form(sid), signature)
    assert response.status_code == 403


async def test_empty_posted_values_are_part_of_the_signature(phone: httpx.AsyncClient) -> None:
    form = call_form(call_sid(), CallerName="", ForwardedFrom="")
    assert (await post(phone, f"{PUBLIC_BASE}/webhooks/twilio/voice", form)).status_code == 200
    without_empty = sign(f"{PUBLIC_BASE}/webhooks/twilio/voice", {k: v for k, v in form.items() if v})
    assert (await post(phone, f"{PUBLIC_BASE}/webhooks/twilio/voice", form, without_empty)).status_code == 403


async def test_without_a_configured_token_every_webhook_is_refused(
    runtime: Runtime, whisper_model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = phone_settings(
        runtime.settings, whisper_model_dir, twilio_auth_token=None, twilio_account_sid=None
    )
    app = create_app(settings, runtime.with_settings(settings))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        form = call_form(call_sid())
        response = await post(client, f"{PUBLIC_BASE}/webhooks/twilio/voice", form)
    assert response.status_code == 403
    assert "no Twilio auth token is configured" in caplog.text


async def test_behind_a_trusted_proxy_the_forwarded_url_is_the_signed_one(
    runtime: Runtime, whisper_model_dir: Path
) -> None:
    settings = phone_settings(
        runtime.settings, whisper_model_dir, public_base_url=None, trusted_proxies=["127.0.0.0/8"]
    )
    app = create_app(settings, runtime.with_settings(settings))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://internal:8000") as client:
        form = call_form(call_sid())
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "clinic.example.org",
            "X-Twilio-Signature": sign("https://clinic.example.org/webhooks/twilio/voice", form),
        }
        response = await client.post("/webhooks/twilio/voice", data=form, headers=headers)
    assert response.status_code == 200
    assert "https://clinic.example.org/webhooks/twilio/recording" in response.text
