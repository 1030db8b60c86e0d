"""Schemathesis hooks of the contract run (run.py names this file in SCHEMATHESIS_HOOKS).

They take the fuzzer past the door of every operation, without weakening what it checks:
- Every Twilio webhook request is signed as Twilio signs it (twilio_signing.py).
- Positive cases get what a schema cannot say. By the contract, so new operations get it too
  (by_contract.py): real identifiers by path parameter name, a strong password and a fresh
  email where a body sets a password, broad listings in the stateful phase. By operation
  (here): a free slot to book, an availability window, a valid schedule, a real PDF, a
  recording on the local recording server, the run's Twilio account, sometimes a real login,
  a live refresh token or the right current password. One case in five keeps its random
  values, so unknown ids and refused passwords are still tried. Identifiers come from
  run_data.py's pools (seed.py's, kept up to date from responses).
- Negative cases are never changed: they must stay invalid.
- Date-times are drawn in the contract's range; stateful scenarios may also start at the chat
  and the webhooks (generation.py).
- Every response is recorded (reach.py) in the file CONTRACT_REACH names: where it came from.
"""

import re
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import schemathesis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.pdfs import text_pdf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import by_contract
import generation  # noqa: F401  (registers the date-time format and the stateful roots)
import reach
import run_data as data
import twilio_signing

FIXTURES = data.FIXTURES
TURN_URL = re.compile(r"/webhooks/twilio/turns/([0-9a-f-]{36})")


def _free_slot(doctor_id: str, service_id: str) -> str | None:
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start += timedelta(days=1 + data.random_int(40))
    params = {
        "serviceId": service_id,
        "from": start.isoformat(),
        "to": (start + timedelta(days=7)).isoformat(),
    }
    found = data.api("GET", f"/doctors/{doctor_id}/availability", params=params)
    slots = found["items"] if found else []
    if not slots:
        return None
    with data.lock:
        return str(data.rng.choice(slots)["startTime"])


def _window() -> tuple[str, str]:
    """A future range of at most a week: availability's rules (`to` after `from`, ≤ 31 days)."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=data.random_int(60))
    return start.isoformat(), (start + timedelta(days=1 + data.random_int(7))).isoformat()


def _bookable() -> tuple[str, str] | None:
    pairs = FIXTURES["bookable"]
    if not pairs:
        return None
    with data.lock:
        doctor_id, service_id = data.rng.choice(pairs)
    return str(doctor_id), str(service_id)


def _for_patient(body: dict[str, Any], *, required: bool) -> None:
    """A patient acts for themselves; staff name the demo patient where one is required or given."""
    if FIXTURES["role"] == "patient":
        if body.get("patientId") not in (None, FIXTURES["userId"]):
            body["patientId"] = FIXTURES["userId"]
    elif required or body.get("patientId") is not None:
        body["patientId"] = data.pick("patientId")


def _login(case: schemathesis.Case, email_field: str) -> None:
    body = data.body_of(case)
    if body is not None and data.chance(0.5):
        body[email_field] = FIXTURES["login"]["email"]
        body["password"] = FIXTURES["login"]["password"]


def _create_appointment(case: schemathesis.Case) -> None:
    body = data.body_of(case)
    if body is None:
        return
    pair = [str(body.get("doctorId")), str(body.get("serviceId"))]
    if not (data.is_stateful(case) and pair in FIXTURES["bookable"]):
        chosen = _bookable()
        if chosen is None:
            return
        body["doctorId"], body["serviceId"] = chosen
        slot = _free_slot(*chosen)
        if slot is not None:
            body["startTime"] = slot
    _for_patient(body, required=True)


def _update_appointment(case: schemathesis.Case) -> None:
    body = data.body_of(case)
    if body is None or "startTime" not in body or case.path_parameters is None:
        return
    appointment = data.api("GET", f"/appointments/{case.path_parameters['appointmentId']}")
    if appointment is not None:
        slot = _free_slot(appointment["doctorId"], appointment["serviceId"])
        if slot is not None:
            body["startTime"] = slot


def _availability(case: schemathesis.Case) -> None:
    if case.path_parameters is None or case.query is None:
        return
    if not data.is_stateful(case):
        pair = _bookable()
        if pair is not None and data.chance():
            case.path_parameters["doctorId"], case.query["serviceId"] = pair
    else:
        # A link gave the doctor; a doctor's first service may be missing (a new doctor has none).
        doctor_id = str(case.path_parameters.get("doctorId"))
        offered = [service for doctor, service in FIXTURES["bookable"] if doctor == doctor_id]
        if offered and str(case.query.get("serviceId")) not in offered and data.chance():
            with data.lock:
                case.query["serviceId"] = data.rng.choice(offered)
    if case.query is not None:
        case.query["from"], case.query["to"] = _window()


def _replace_schedule(case: schemathesis.Case) -> None:
    """Weekly hours that end after they start and don't overlap; time off that ends after it starts.

    Rules the contract states in words (`WorkingInterval`, `TimeOffInput`): drawn at random,
    nearly every schedule breaks one and the replacement (and the links after it) never happens.
    """
    body = data.body_of(case)
    if body is None or not data.chance():
        return
    hours = [
        h for h in body.get("weeklyHours") or [] if isinstance(h, dict) and h.get("start") != h.get("end")
    ]
    kept: list[dict[str, Any]] = []
    for interval in sorted(hours, key=lambda h: (h["weekday"], min(h["start"], h["end"]))):
        interval["start"], interval["end"] = sorted((interval["start"], interval["end"]))
        previous = kept[-1] if kept else None
        if (
            previous is None
            or previous["weekday"] != interval["weekday"]
            or previous["end"] <= interval["start"]
        ):
            kept.append(interval)
    if "weeklyHours" in body:
        body["weeklyHours"] = kept
    if isinstance(body.get("timeOff"), list):
        body["timeOff"] = [p for p in body["timeOff"] if _ordered_period(p)]


def _ordered_period(period: Any) -> bool:
    """Swaps a period's ends if needed; False when it has no length."""
    if not isinstance(period, dict) or not period.get("start") or not period.get("end"):
        return True
    start, end = datetime.fromisoformat(period["start"]), datetime.fromisoformat(period["end"])
    if start > end:
        period["start"], period["end"] = period["end"], period["start"]
    return start != end


_REPEATED_PDF = text_pdf([f"Contract run upload, uploaded again and again\n{uuid.uuid4()}"])


def _upload_document(case: schemathesis.Case) -> None:
    body = data.body_of(case)
    if body is None:
        return
    # Some uploads repeat one file: the same owner's second upload answers 200 with the
    # existing document (and its links), the others are new (202).
    body["file"] = _REPEATED_PDF if data.chance(0.3) else text_pdf([f"Contract run upload\n{uuid.uuid4()}"])
    if body.get("patientId") is None:
        body.pop("patientId", None)  # a form field cannot be null: left out
    _for_patient(body, required=False)
    # schemathesis cannot validate a body holding bytes, so it would relabel this edited case
    # as invalid. The edits keep it valid (the schema says nothing of the file's bytes; the
    # patient id is a real one): keep it positive by taking it as the generated body.
    case._sync_validated_hashes()


def _create_user(case: schemathesis.Case) -> None:
    body = data.body_of(case)
    if body is None:
        return
    if body.get("role") != "doctor":
        body.pop("specialty", None)
        body.pop("serviceIds", None)
    elif body.get("serviceIds"):
        body["serviceIds"] = [s for s in (data.pick("serviceId") for _ in body["serviceIds"][:3]) if s]


def _chat(case: schemathesis.Case) -> None:
    """Half the questions continue a conversation of the role's, half start one.

    In the stateful phase a conversation id the run has seen came through a link and stays;
    a made-up one always gives way to a new conversation: a step that schemathesis counts as
    following the chat's link but carries an id of its own would answer 404, which its ST302
    check reads as "created resource not found" (seen once in a run, depending on threads'
    timing). Unknown ids are fuzzed in the stateless phase, which keeps half of them.
    """
    body = data.body_of(case)
    if body is None:
        return
    if not data.is_stateful(case):
        if data.chance(0.5):
            body["conversationId"] = data.pick("conversationId")
    elif body.get("conversationId") not in data.pools.get("conversationId", []):
        body["conversationId"] = None


def _save_twilio_config(case: schemathesis.Case) -> None:
    # The saved account takes precedence over the environment: keep it the one that signs.
    body = data.body_of(case)
    if body is not None:
        body["accountSid"] = FIXTURES["twilio"]["accountSid"]
        body["authToken"] = FIXTURES["twilio"]["authToken"]


def _recording(case: schemathesis.Case) -> None:
    body = data.body_of(case)
    if body is not None:
        recording_sid = "RE" + uuid.uuid4().hex
        body["RecordingSid"] = recording_sid
        body["RecordingUrl"] = f"{FIXTURES['recordingsUrl']}/Recordings/{recording_sid}"


def _turn_result(case: schemathesis.Case) -> None:
    body = data.body_of(case)
    if body is None or case.path_parameters is None:
        return
    with data.lock:
        if data.is_stateful(case):
            known = [t for t, c in data.turns if c == body.get("CallSid")]
            if known:
                case.path_parameters["turnId"] = data.rng.choice(known)
            return
        if not data.turns or data.rng.random() >= data.REAL_ID_SHARE:
            return
        case.path_parameters["turnId"], body["CallSid"] = data.rng.choice(data.turns)


def _refresh_session(case: schemathesis.Case) -> None:
    """Half the positive cases present a live refresh token, from a sign-in of the run's user."""
    body = data.body_of(case)
    if body is None or not data.chance(0.5):
        return
    login = FIXTURES["login"]
    signed_in = data.api("POST", "/auth/login", json={"email": login["email"], "password": login["password"]})
    if signed_in is not None:
        body["refresh_token"] = signed_in["refresh_token"]


def _change_password(case: schemathesis.Case) -> None:
    # The right current password, and the same one again as the new one: the run's user keeps
    # signing in with it (the change still ends every session of the user, as it must).
    body = data.body_of(case)
    if body is not None and data.chance(0.5):
        body["currentPassword"] = body["password"] = FIXTURES["login"]["password"]


def _audit_events(case: schemathesis.Case) -> None:
    """The seeded patient's or a user's events, so the search returns rows, not only empty pages."""
    query = case.query if case.query is not None else {}
    for name, pool in (("patientId", "patientId"), ("actorId", "userId")):
        value = data.pick(pool)
        if value is not None and name in query and data.chance():
            query[name] = value
    case.query = query


POSITIVE_CASES: dict[str, Callable[[schemathesis.Case], None]] = {
    "login": lambda case: _login(case, "email"),
    "issueToken": lambda case: _login(case, "username"),
    "refreshSession": _refresh_session,
    "changePassword": _change_password,
    "listAuditEvents": _audit_events,
    "createUser": _create_user,
    "getDoctorAvailability": _availability,
    "replaceDoctorSchedule": _replace_schedule,
    "createAppointment": _create_appointment,
    "updateAppointment": _update_appointment,
    "uploadDocument": _upload_document,
    "chat": _chat,
    "chatStream": _chat,
    "saveTwilioConfig": _save_twilio_config,
    "handleRecording": _recording,
    "getTurnResult": _turn_result,
}


@schemathesis.hook
def before_call(ctx: schemathesis.HookContext, case: schemathesis.Case, **kwargs: Any) -> None:
    operation_id = case.operation.definition.raw.get("operationId")
    if data.is_positive(case):
        by_contract.broad_listing(case)
        by_contract.real_path_ids(case)
        by_contract.new_credentials(case)
        prepare = POSITIVE_CASES.get(operation_id)
        if prepare is not None:
            prepare(case)
    if case.headers and case.headers.get(twilio_signing.SIGNATURE_HEADER) == twilio_signing.UNSIGNED:
        twilio_signing.sign(case)


# ---------------------------------------------------------------- what responses create


@schemathesis.hook
def after_call(
    ctx: schemathesis.HookContext, case: schemathesis.Case, response: schemathesis.Response
) -> None:
    operation_id = case.operation.definition.raw.get("operationId")
    status = response.status_code
    _record_reach(case, response)
    if operation_id == "uploadDocument" and status in (200, 202):
        data.add("writableDocumentId", response.json()["id"])
    elif operation_id == "deleteDocument" and status == 204 and case.path_parameters:
        data.remove(str(case.path_parameters["documentId"]))
    elif operation_id == "replaceDoctorSchedule" and status == 200 and case.path_parameters:
        _keep_bookable(str(case.path_parameters["doctorId"]))
    elif operation_id == "createAppointment" and status == 201:
        data.add("appointmentId", response.json()["id"])
    elif operation_id == "chat" and status == 200:
        data.add("conversationId", response.json()["conversationId"])
    elif operation_id == "handleRecording" and status == 200:
        turn = TURN_URL.search(response.text)
        call_sid = dict(parse_qsl(str(response.request.body or ""))).get("CallSid")
        if turn and call_sid:
            with data.lock:
                data.turns.append((turn.group(1), call_sid))


def _keep_bookable(doctor_id: str) -> None:
    """A doctor whom positive cases book gets the demo hours back after the fuzzer replaced them.

    (A doctor's run may only replace its own schedule, and is the one that books with it.)
    """
    if any(doctor == doctor_id for doctor, _ in FIXTURES["bookable"]):
        data.api(
            "PUT",
            f"/doctors/{doctor_id}/schedule",
            json={"weeklyHours": FIXTURES["weeklyHours"], "timeOff": []},
        )


def _record_reach(case: schemathesis.Case, response: schemathesis.Response) -> None:
    phase = case.meta.phase.name.value if case.meta is not None else "unknown"
    try:
        body = response.json() if "json" in response.headers.get("content-type", [""])[0] else None
    except ValueError:
        body = None
    with data.lock:
        reach.record(
            data.REACH,
            case.operation.definition.raw.get("operationId", case.operation.label),
            phase,
            response.status_code,
            body,
        )
