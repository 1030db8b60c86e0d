"""Every operation of the served contract × every kind of caller, through HTTP.

The operations come from the contract the app serves; each needs an entry in `VALID_INPUTS`
(a valid request on the caller's own data) and a classification: public (`security: []`),
bearer with `x-roles`, or Twilio-signed. A new operation fails here until it has both.
- A role in `x-roles` is never answered 401/403 for its own objects: it gets the documented 2xx.
- Any other role gets exactly 403; anonymous callers and deactivated accounts exactly 401.
- Public and Twilio-signed operations serve every caller (the bearer token plays no part).
Object level: another patient's (or doctor's) object answers 404, or the status the contract
documents, and leaves the database as it was.
"""

import dataclasses
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import redis
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from adapters.storage import create_storage, document_key
from handlers.context import Runtime
from services.worker_health import WORKER_QUEUES, record_heartbeat
from silverstar.app import create_app
from silverstar.contract import load_contract
from tests.pdfs import text_pdf
from tests.phone_fixtures import ACCOUNT_SID, AUTH_TOKEN, sign
from tests.role_matrix_fixtures import CALLERS, World, build_world
from tests.scheduling_fixtures import local

BASE = "http://testserver"
PASSWORD = "correct-horse-battery"  # tests.factories.PASSWORD
WEEKLY_HOURS = [{"weekday": day, "start": "08:00", "end": "18:00"} for day in range(1, 8)]
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
# Not audit_events: a refused attempt is recorded there.
TABLES = (
    "users", "patients", "doctors", "services", "doctor_services", "doctor_working_hours",
    "doctor_time_off", "appointments", "documents", "document_chunks", "conversations",
    "conversation_messages", "ai_logs", "calls", "call_turns", "twilio_config", "refresh_tokens",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def schemes(self) -> set[str]:
        return {name for requirement in self.spec.get("security", [None]) or [] for name in requirement or {}}

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(self.spec.get("x-roles", ()))

    @property
    def success(self) -> set[int]:
        return {int(code) for code in self.spec["responses"] if code.startswith("2")}


def contract_operations() -> list[Operation]:
    return [
        Operation(spec["operationId"], method.upper(), path, spec)
        for path, item in load_contract()["paths"].items()
        for method, spec in item.items()
        if method in HTTP_METHODS
    ]


OPERATIONS = contract_operations()


@dataclasses.dataclass
class Request:
    path: dict[str, Any] = dataclasses.field(default_factory=dict)
    query: dict[str, Any] = dataclasses.field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    files: dict[str, Any] | None = None


Inputs = Callable[[World, str], Request]


def _unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def _booking(world: World, caller: str) -> Request:
    # One slot per caller, so no booking of the matrix collides with another.
    hour = {"patient": 11, "doctor": 12, "admin": 13}.get(caller, 14)
    body = {
        "doctorId": str(world.users["doctor"].id),
        "serviceId": str(world.service.id),
        "startTime": local(3, hour).isoformat(),
        "type": "in_person",
    }
    # The doctor books for their patient; the admin for another, so no patient exceeds their limit.
    if caller in ("doctor", "admin"):
        body["patientId"] = str(world.users["patient" if caller == "doctor" else "other_patient"].id)
    return Request(json=body)


def _call_form(world: World, **fields: str) -> dict[str, str]:
    return {"CallSid": world.calls["own"].call.call_sid, "AccountSid": ACCOUNT_SID} | fields


VALID_INPUTS: dict[str, Inputs] = {
    "registerPatient": lambda w, c: Request(
        json={"email": f"{_unique('new')}@example.com", "password": PASSWORD, "name": "New Patient"}
    ),
    "login": lambda w, c: Request(json={"email": w.users["patient"].email, "password": PASSWORD}),
    "issueToken": lambda w, c: Request(
        form={"grant_type": "password", "username": w.users["patient"].email, "password": PASSWORD}
    ),
    "refreshSession": lambda w, c: Request(json={"refresh_token": w.refresh_tokens[c]}),
    "logout": lambda w, c: Request(),
    "changePassword": lambda w, c: Request(
        json={"currentPassword": PASSWORD, "password": _unique("new-lantern")}
    ),
    "getCurrentUser": lambda w, c: Request(),
    "listUsers": lambda w, c: Request(query={"role": "patient"}),
    "createUser": lambda w, c: Request(
        json={
            "email": f"{_unique('staff')}@example.com",
            "password": PASSWORD,
            "name": "New",
            "role": "doctor",
        }
    ),
    "getUser": lambda w, c: Request(path={"userId": w.user(c).id}),
    "updateUser": lambda w, c: Request(path={"userId": w.user(c).id}, json={"name": "Renamed"}),
    "listServices": lambda w, c: Request(),
    "createService": lambda w, c: Request(
        json={"name": _unique("Service"), "durationMinutes": 30, "price": "40.00"}
    ),
    "updateService": lambda w, c: Request(path={"serviceId": w.service.id}, json={"description": "Updated"}),
    "listDoctors": lambda w, c: Request(query={"serviceId": str(w.service.id)}),
    "getDoctor": lambda w, c: Request(path={"doctorId": w.users["doctor"].id}),
    "getDoctorSchedule": lambda w, c: Request(path={"doctorId": w.users["doctor"].id}),
    "replaceDoctorSchedule": lambda w, c: Request(
        path={"doctorId": w.users["doctor"].id}, json={"weeklyHours": WEEKLY_HOURS, "timeOff": []}
    ),
    "getDoctorAvailability": lambda w, c: Request(
        path={"doctorId": w.users["doctor"].id},
        query={
            "serviceId": str(w.service.id),
            "from": local(1, 0).isoformat(),
            "to": (local(1, 0) + timedelta(days=2)).isoformat(),
        },
    ),
    "listAppointments": lambda w, c: Request(),
    "createAppointment": _booking,
    "getAppointment": lambda w, c: Request(path={"appointmentId": w.appointment(c).id}),
    "updateAppointment": lambda w, c: Request(
        path={"appointmentId": w.appointment(c).id}, json={"notes": "Bring the last results."}
    ),
    "uploadDocument": lambda w, c: Request(
        files={"file": ("upload.pdf", text_pdf([f"Upload {uuid.uuid4()}"]), "application/pdf")}
    ),
    "listDocuments": lambda w, c: Request(),
    "getDocument": lambda w, c: Request(path={"documentId": w.document(c).id}),
    "deleteDocument": lambda w, c: Request(path={"documentId": w.document(c).id}),
    "downloadDocumentFile": lambda w, c: Request(path={"documentId": w.document(c).id}),
    "chat": lambda w, c: Request(
        json={"message": "When are you open?", "conversationId": str(w.conversation(c))}
    ),
    "chatStream": lambda w, c: Request(
        json={"message": "When are you open?", "conversationId": str(w.conversation(c))}
    ),
    "listAiLogs": lambda w, c: Request(query={"channel": "chat"}),
    "getTwilioConfig": lambda w, c: Request(),
    "saveTwilioConfig": lambda w, c: Request(
        json={"accountSid": ACCOUNT_SID, "authToken": AUTH_TOKEN, "phoneNumber": "+49305550100"}
    ),
    "handleIncomingCall": lambda w, c: Request(
        form=_call_form(w, CallSid="CA" + secrets.token_hex(16), From="+4915100000001", CallStatus="ringing")
    ),
    "handleRecording": lambda w, c: Request(
        form=_call_form(
            w, RecordingSid=f"RE{secrets.token_hex(16)}", RecordingUrl="http://127.0.0.1:9/Recordings/RE1"
        )
    ),
    "getTurnResult": lambda w, c: Request(path={"turnId": w.calls["own"].turn.id}, form=_call_form(w)),
    "handleCallStatus": lambda w, c: Request(form=_call_form(w, CallStatus="completed", CallDuration="42")),
    "getHealth": lambda w, c: Request(),
    "getReadiness": lambda w, c: Request(),
    "listAuditEvents": lambda w, c: Request(query={"patientId": str(w.users["patient"].id)}),
    "getMyAccessLog": lambda w, c: Request(),
}


@pytest_asyncio.fixture(loop_scope="session")
async def matrix_runtime(runtime: Runtime, tmp_path: Path, redis_url: str) -> Runtime:
    """The test runtime with a Twilio account (Twilio calls this test server), a secret box, and
    a heartbeat on every queue (as a live worker sends), so /ready can answer 200."""
    client = redis.Redis.from_url(redis_url)
    try:
        record_heartbeat(client, runtime.settings.redis_key_prefix, WORKER_QUEUES, "role-matrix")
    finally:
        client.close()
    settings = runtime.settings.model_copy(
        update={
            "public_base_url": BASE,
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": SecretStr(AUTH_TOKEN),
            "twilio_media_hosts": ["http://127.0.0.1:9"],
            "google_api_key": None,
            "encryption_keys": [SecretStr(Fernet.generate_key().decode())],
        }
    )
    return runtime.with_settings(settings)


@pytest_asyncio.fixture(loop_scope="session")
async def api(matrix_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(matrix_runtime.settings, matrix_runtime))
    async with httpx.AsyncClient(transport=transport, base_url=BASE, timeout=60) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def world(session: AsyncSession, matrix_runtime: Runtime) -> World:
    return await build_world(session, matrix_runtime.settings)


def bearer(runtime: Runtime, world: World, caller: str) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    user = world.users[caller]
    return {"Authorization": f"Bearer {runtime.tokens.issue(user.id, user.role)}"}


async def send(
    api: httpx.AsyncClient, operation: Operation, request: Request, headers: dict[str, str]
) -> httpx.Response:
    path = operation.path.format(**{name: str(value) for name, value in request.path.items()})
    if "twilioSignature" in operation.schemes:
        url = str(httpx.URL(BASE + path, params=request.query))
        headers = headers | {"X-Twilio-Signature": sign(url, request.form or {})}
    return await api.request(
        operation.method,
        path,
        params=request.query,
        json=request.json,
        data=request.form,
        files=request.files,
        headers=headers,
    )


def expected(operation: Operation, caller: str) -> set[int]:
    """What the contract's security and x-roles promise this caller with valid input."""
    if not operation.schemes or "twilioSignature" in operation.schemes:
        return operation.success
    if caller in ("anonymous", "deactivated"):
        return {401}
    return operation.success if caller in operation.roles else {403}


# ---------------------------------------------------------------- classification


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_every_operation_is_classified_and_has_valid_inputs(operation: Operation) -> None:
    schemes = operation.schemes
    assert "security" in operation.spec, "declare `security` (`[]` for a public operation)"
    assert schemes <= {"bearerAuth", "twilioSignature"}, f"unknown security schemes {schemes}"
    if "bearerAuth" in schemes:
        assert operation.roles, "a bearer operation needs `x-roles`"
        assert set(operation.roles) <= {"patient", "doctor", "admin"}
    else:
        assert not operation.roles, "`x-roles` only applies to bearer operations"
    assert operation.operation_id in VALID_INPUTS, "add valid inputs for it to VALID_INPUTS"
    assert operation.success, "the contract documents no success response"


async def test_the_served_contract_has_exactly_these_operations(api: httpx.AsyncClient) -> None:
    served = (await api.get("/openapi.json")).json()
    operations = {
        spec["operationId"]
        for item in served["paths"].values()
        for m, spec in item.items()
        if m in HTTP_METHODS
    }
    assert operations == {op.operation_id for op in OPERATIONS} == set(VALID_INPUTS)


# ---------------------------------------------------------------- roles × operations


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
async def test_each_caller_gets_what_x_roles_allows(
    operation: Operation, api: httpx.AsyncClient, matrix_runtime: Runtime, world: World
) -> None:
    inputs = VALID_INPUTS.get(operation.operation_id)
    assert inputs is not None, f"{operation.operation_id} has no entry in VALID_INPUTS"
    outcomes = {}
    for caller in CALLERS:
        response = await send(api, operation, inputs(world, caller), bearer(matrix_runtime, world, caller))
        outcomes[caller] = (response.status_code, expected(operation, caller), response.text[:200])
    wrong = {caller: outcome for caller, outcome in outcomes.items() if outcome[0] not in outcome[1]}
    assert not wrong, f"{operation.method} {operation.path}: caller -> (status, expected, body): {wrong}"
    assert set(outcomes) == set(CALLERS)


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if "twilioSignature" in op.schemes],
                         ids=lambda op: op.operation_id)  # fmt: skip
async def test_a_webhook_without_a_valid_signature_is_refused(
    operation: Operation, api: httpx.AsyncClient, world: World
) -> None:
    request = VALID_INPUTS[operation.operation_id](world, "anonymous")
    path = operation.path.format(**{name: str(value) for name, value in request.path.items()})
    for headers in ({}, {"X-Twilio-Signature": sign(BASE + path, {"CallSid": "CA" + "0" * 32})}):
        response = await api.post(path, data=request.form, headers=headers)
        assert response.status_code == 403


# ---------------------------------------------------------------- object level


async def snapshot(connection: AsyncConnection) -> dict[str, str | None]:
    """Every table's content, as one digest per table."""
    digests = {}
    for table in TABLES:
        digests[table] = await connection.scalar(
            text(f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t")
        )
    return digests


def by_id(operation_id: str) -> Operation:
    return next(op for op in OPERATIONS if op.operation_id == operation_id)


@dataclasses.dataclass(frozen=True)
class Attempt:
    """A patient's try at another patient's object, and the status the contract gives it."""

    operation_id: str
    request: Callable[[World], Request]
    status: int


def _other(world: World) -> str:
    return str(world.users["other_patient"].id)


def _chat_in_others_conversation(world: World) -> Request:
    return Request(
        json={"message": "My results?", "conversationId": str(world.conversations["other_patient"])}
    )


def _appointment(world: World) -> dict[str, Any]:
    return {"appointmentId": world.appointments["other_patient"].id}


def _document(world: World) -> dict[str, Any]:
    return {"documentId": world.documents["other_patient"].id}


FOREIGN = {
    "read another user": Attempt("getUser", lambda w: Request(path={"userId": _other(w)}), 404),
    "change another user": Attempt(
        "updateUser", lambda w: Request(path={"userId": _other(w)}, json={"name": "Mallory"}), 404
    ),
    "read another's appointment": Attempt("getAppointment", lambda w: Request(path=_appointment(w)), 404),
    "cancel another's appointment": Attempt(
        "updateAppointment", lambda w: Request(path=_appointment(w), json={"status": "cancelled"}), 404
    ),
    "list another's appointments": Attempt(
        "listAppointments", lambda w: Request(query={"patientId": _other(w)}), 403
    ),
    "book for another patient": Attempt(
        "createAppointment",
        lambda w: Request(json=_booking(w, "patient").json | {"patientId": _other(w)}),
        403,
    ),
    "read another's document": Attempt("getDocument", lambda w: Request(path=_document(w)), 404),
    "download another's document": Attempt("downloadDocumentFile", lambda w: Request(path=_document(w)), 404),
    "delete another's document": Attempt("deleteDocument", lambda w: Request(path=_document(w)), 404),
    "list another's documents": Attempt(
        "listDocuments", lambda w: Request(query={"patientId": _other(w)}), 403
    ),
    "upload as another patient": Attempt(
        "uploadDocument",
        lambda w: Request(
            form={"patientId": _other(w)}, files={"file": ("x.pdf", text_pdf(["Forged"]), "application/pdf")}
        ),
        403,
    ),
    "continue another's conversation": Attempt("chat", _chat_in_others_conversation, 404),
    "stream another's conversation": Attempt("chatStream", _chat_in_others_conversation, 404),
    "read another's AI log": Attempt("listAiLogs", lambda w: Request(query={"userId": _other(w)}), 403),
    # Signed for our own call, asking for another call's turn.
    "poll another call's turn": Attempt(
        "getTurnResult", lambda w: Request(path={"turnId": w.calls["other"].turn.id}, form=_call_form(w)), 404
    ),
}
# user, appointment, document and its file, conversation, AI log, call turn
OBJECT_TYPES_READ = {"getUser", "getAppointment", "getDocument", "downloadDocumentFile", "chat", "listAiLogs",
                     "getTurnResult"}  # fmt: skip


def test_the_foreign_attempts_cover_every_object_type() -> None:
    assert OBJECT_TYPES_READ <= {attempt.operation_id for attempt in FOREIGN.values()}


@pytest.mark.parametrize("name", FOREIGN)
async def test_a_patient_cannot_reach_another_patients_objects(
    name: str, api: httpx.AsyncClient, matrix_runtime: Runtime, world: World, connection: AsyncConnection
) -> None:
    attempt = FOREIGN[name]
    before = await snapshot(connection)

    response = await send(
        api, by_id(attempt.operation_id), attempt.request(world), bearer(matrix_runtime, world, "patient")
    )

    assert response.status_code == attempt.status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await snapshot(connection) == before
    stored = create_storage(matrix_runtime.settings).read(document_key(world.documents["other_patient"].id))
    assert stored.startswith(b"%PDF-")


async def test_a_doctor_cannot_reach_another_doctors_appointment_or_schedule(
    api: httpx.AsyncClient, matrix_runtime: Runtime, world: World, connection: AsyncConnection
) -> None:
    before = await snapshot(connection)
    headers = bearer(matrix_runtime, world, "doctor")
    other = world.appointments["other_patient"]  # booked with the other doctor

    read = await send(api, by_id("getAppointment"), Request(path={"appointmentId": other.id}), headers)
    moved = await send(
        api,
        by_id("updateAppointment"),
        Request(path={"appointmentId": other.id}, json={"status": "confirmed"}),
        headers,
    )
    schedule = await send(
        api,
        by_id("replaceDoctorSchedule"),
        Request(path={"doctorId": world.users["other_doctor"].id}, json={"weeklyHours": [], "timeOff": []}),
        headers,
    )

    assert (read.status_code, moved.status_code, schedule.status_code) == (404, 404, 403)
    assert await snapshot(connection) == before
