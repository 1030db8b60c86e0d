"""Schemathesis hooks of the contract run (run.py names this file in SCHEMATHESIS_HOOKS).

They take the fuzzer past the door of every operation, without weakening what it checks:
- Every Twilio webhook request is signed as Twilio signs it: X-Twilio-Signature over the
  exact URL (query included) and the posted form fields, with the run's auth token. The
  signature is declared as the operations' credentials (an auth provider), so the
  `ignored_auth` check still sends each webhook unsigned and wrongly signed and wants 403.
- Positive cases get what a schema cannot say. By the contract (so new operations get it too):
  real identifiers by path parameter name (from the file CONTRACT_FIXTURES names, written by
  seed.py, and kept up to date from responses), a strong password and a fresh email where a
  body sets a password, date-times in the contract's range, broad listings in the stateful
  phase. By operation: a free slot to book, an availability window, a real PDF, a recording
  on the local recording server, the run's Twilio account, sometimes a real login. One case
  in five keeps its random values, so unknown ids and refused passwords are still tried.
- Negative cases are never changed: they must stay invalid.
- Scenarios of the stateful phase may also start at the chat and the webhooks.
- Every response is recorded (reach.py) in the file CONTRACT_REACH names: where it came from.
"""

import json
import os
import random
import re
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import requests
import schemathesis
import yaml
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi import stateful as openapi_stateful
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.pdfs import text_pdf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reach

CONTRACT: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "api-contract" / "openapi.yaml").read_text()
)
FIXTURES: dict[str, Any] = json.loads(Path(os.environ["CONTRACT_FIXTURES"]).read_text())
REACH = Path(os.environ["CONTRACT_REACH"])
SIGNATURE_HEADER = "X-Twilio-Signature"
# Set by the auth provider on cases that carry credentials; replaced by the signature just
# before sending, once the URL and body are final.
UNSIGNED = "to-be-signed"
REAL_ID_SHARE = 0.8
TURN_URL = re.compile(r"/webhooks/twilio/turns/([0-9a-f-]{36})")
_lock = threading.Lock()
_random = random.Random(20261129)
_pools: dict[str, list[str]] = {name: list(ids) for name, ids in FIXTURES["pools"].items()}
_turns: list[tuple[str, str]] = [(t, c) for t, c in FIXTURES["turns"]]


def _chance(share: float = REAL_ID_SHARE) -> bool:
    with _lock:
        return _random.random() < share


def _pick(pool: str) -> str | None:
    with _lock:
        ids = _pools.get(pool, [])
        return _random.choice(ids) if ids else None


def _add(pool: str, value: str) -> None:
    with _lock:
        _pools.setdefault(pool, []).append(value)


def _remove(value: str) -> None:
    with _lock:
        for ids in _pools.values():
            while value in ids:
                ids.remove(value)


# ---------------------------------------------------------------- formats


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat()


# The contract bounds date-times to the years 2000-2099 (its `pattern`); drawn from years 1-9999
# and filtered, almost none pass, and the stateful phase drops the steps that need one (booking,
# availability). Drawn in range instead, with offsets other than UTC too.
schemathesis.openapi.format(
    "date-time",
    st.builds(
        lambda moment, offset: _rfc3339(moment.replace(tzinfo=offset)),
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
        st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))]),
    ),
)


# ---------------------------------------------------------------- Twilio signatures


@schemathesis.auth().apply_to(tag="webhooks")
class TwilioSignature:
    """The webhooks' credentials: a signature, computed per request in `before_call`."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        return UNSIGNED

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers = case.headers or {}
        case.headers[SIGNATURE_HEADER] = data


def _sign(case: schemathesis.Case) -> None:
    """Sign the request exactly as it will go out: prepared by `requests` like the transport does."""
    kwargs = case.as_transport_kwargs(base_url=FIXTURES["baseUrl"])
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        params=kwargs.get("params"),
        data=kwargs.get("data"),
        headers=kwargs.get("headers"),
    ).prepare()
    content_type = str(prepared.headers.get("Content-Type", "")).split(";")[0].strip().lower()
    body = prepared.body or ""
    if isinstance(body, bytes):
        body = body.decode("latin-1")
    params = _FormParams(
        parse_qsl(body, keep_blank_values=True) if content_type == "application/x-www-form-urlencoded" else []
    )
    token = FIXTURES["twilio"]["authToken"]
    case.headers[SIGNATURE_HEADER] = RequestValidator(token).compute_signature(prepared.url, params)


class _FormParams(dict[str, list[str]]):
    """Posted fields, repeated ones included, in the shape RequestValidator reads (`getlist`)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, []).append(value)

    def getlist(self, name: str) -> list[str]:
        return self[name]


# ---------------------------------------------------------------- where scenarios start

_classify_roots = openapi_stateful.classify_root_transitions


def _roots_with_supplied_inputs(
    operations: Any, transitions: Any, graph: Any
) -> openapi_stateful.RootTransitions:
    """Scenarios may also start at a POST whose inputs no operation of the API produces.

    Schemathesis starts scenarios only at operations it expects to succeed on generated data,
    and leaves out those taking an identifier no response supplies: the chat's conversation,
    the webhooks' call (Twilio makes those). Here a new conversation or call needs none and the
    hooks sign each webhook, so they start scenarios too, and the links from them are followed.
    (schemathesis has no setting for this; `create_state_machine` looks the function up by name.)
    """
    roots = _classify_roots(operations, transitions, graph)
    roots.reliable |= {label for label in roots.fallback if label.startswith("POST ")}
    return roots


openapi_stateful.classify_root_transitions = _roots_with_supplied_inputs


# ---------------------------------------------------------------- real data for positive cases


def _is_positive(case: schemathesis.Case) -> bool:
    return case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE


def _is_stateful(case: schemathesis.Case) -> bool:
    return case.meta is not None and case.meta.phase.name.value == "stateful"


def _api(method: str, path: str, **kwargs: Any) -> Any:
    """A call of our own, as the run's user; None unless it succeeded."""
    token = FIXTURES["token"]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.request(method, FIXTURES["baseUrl"] + path, headers=headers, timeout=30, **kwargs)
    except httpx.HTTPError:
        return None
    return response.json() if response.is_success and response.content else None


def _free_slot(doctor_id: str, service_id: str) -> str | None:
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start += timedelta(days=1 + _random_int(40))
    params = {
        "serviceId": service_id,
        "from": start.isoformat(),
        "to": (start + timedelta(days=7)).isoformat(),
    }
    found = _api("GET", f"/doctors/{doctor_id}/availability", params=params)
    slots = found["items"] if found else []
    if not slots:
        return None
    with _lock:
        return str(_random.choice(slots)["startTime"])


def _random_int(below: int) -> int:
    with _lock:
        return _random.randrange(below)


def _window() -> tuple[str, str]:
    """A future range of at most a week: availability's rules (`to` after `from`, ≤ 31 days)."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=_random_int(60))
    return start.isoformat(), (start + timedelta(days=1 + _random_int(7))).isoformat()


def _bookable() -> tuple[str, str] | None:
    pairs = FIXTURES["bookable"]
    if not pairs:
        return None
    with _lock:
        doctor_id, service_id = _random.choice(pairs)
    return str(doctor_id), str(service_id)


def _set_path(case: schemathesis.Case, name: str, pool: str) -> None:
    value = _pick(pool)
    if value is not None and case.path_parameters is not None and _chance():
        case.path_parameters[name] = value


def _body(case: schemathesis.Case) -> dict[str, Any] | None:
    return case.body if isinstance(case.body, dict) else None


def _for_patient(body: dict[str, Any], *, required: bool) -> None:
    """A patient acts for themselves; staff name the demo patient where one is required or given."""
    if FIXTURES["role"] == "patient":
        if body.get("patientId") not in (None, FIXTURES["userId"]):
            body["patientId"] = FIXTURES["userId"]
    elif required or body.get("patientId") is not None:
        body["patientId"] = _pick("patientId")


def _login(case: schemathesis.Case, email_field: str) -> None:
    body = _body(case)
    if body is not None and _chance(0.5):
        body[email_field] = FIXTURES["login"]["email"]
        body["password"] = FIXTURES["login"]["password"]


def _create_appointment(case: schemathesis.Case) -> None:
    body = _body(case)
    if body is None:
        return
    pair = [str(body.get("doctorId")), str(body.get("serviceId"))]
    if not (_is_stateful(case) and pair in FIXTURES["bookable"]):
        chosen = _bookable()
        if chosen is None:
            return
        body["doctorId"], body["serviceId"] = chosen
        slot = _free_slot(*chosen)
        if slot is not None:
            body["startTime"] = slot
    _for_patient(body, required=True)


def _update_appointment(case: schemathesis.Case) -> None:
    body = _body(case)
    if body is None or "startTime" not in body or case.path_parameters is None:
        return
    appointment = _api("GET", f"/appointments/{case.path_parameters['appointmentId']}")
    if appointment is not None:
        slot = _free_slot(appointment["doctorId"], appointment["serviceId"])
        if slot is not None:
            body["startTime"] = slot


def _availability(case: schemathesis.Case) -> None:
    if case.path_parameters is None or case.query is None:
        return
    if not _is_stateful(case):
        pair = _bookable()
        if pair is not None and _chance():
            case.path_parameters["doctorId"], case.query["serviceId"] = pair
    else:
        # A link gave the doctor; a doctor's first service may be missing (a new doctor has none).
        doctor_id = str(case.path_parameters.get("doctorId"))
        offered = [service for doctor, service in FIXTURES["bookable"] if doctor == doctor_id]
        if offered and str(case.query.get("serviceId")) not in offered and _chance():
            with _lock:
                case.query["serviceId"] = _random.choice(offered)
    if case.query is not None:
        case.query["from"], case.query["to"] = _window()


def _replace_schedule(case: schemathesis.Case) -> None:
    """Weekly hours that end after they start and don't overlap; time off that ends after it starts.

    Rules the contract states in words (`WorkingInterval`, `TimeOffInput`): drawn at random,
    nearly every schedule breaks one and the replacement (and the links after it) never happens.
    """
    body = _body(case)
    if body is None or not _chance():
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
    body = _body(case)
    if body is None:
        return
    # Some uploads repeat one file: the same owner's second upload answers 200 with the
    # existing document (and its links), the others are new (202).
    body["file"] = _REPEATED_PDF if _chance(0.3) else text_pdf([f"Contract run upload\n{uuid.uuid4()}"])
    if body.get("patientId") is None:
        body.pop("patientId", None)  # a form field cannot be null: left out
    _for_patient(body, required=False)
    # schemathesis cannot validate a body holding bytes, so it would relabel this edited case
    # as invalid. The edits keep it valid (the schema says nothing of the file's bytes; the
    # patient id is a real one): keep it positive by taking it as the generated body.
    case._sync_validated_hashes()


def _create_user(case: schemathesis.Case) -> None:
    body = _body(case)
    if body is None:
        return
    if body.get("role") != "doctor":
        body.pop("specialty", None)
        body.pop("serviceIds", None)
    elif body.get("serviceIds"):
        body["serviceIds"] = [s for s in (_pick("serviceId") for _ in body["serviceIds"][:3]) if s]


def _chat(case: schemathesis.Case) -> None:
    """Half the questions continue a conversation of the role's, half start one.

    In the stateful phase a conversation id the run has seen came through a link and stays;
    a made-up one (a scenario starting here) mostly gives way to a new conversation.
    """
    body = _body(case)
    if body is None:
        return
    if not _is_stateful(case):
        if _chance(0.5):
            body["conversationId"] = _pick("conversationId")
    elif body.get("conversationId") not in _pools.get("conversationId", []) and _chance():
        body["conversationId"] = None


def _save_twilio_config(case: schemathesis.Case) -> None:
    # The saved account takes precedence over the environment: keep it the one that signs.
    body = _body(case)
    if body is not None:
        body["accountSid"] = FIXTURES["twilio"]["accountSid"]
        body["authToken"] = FIXTURES["twilio"]["authToken"]


def _recording(case: schemathesis.Case) -> None:
    body = _body(case)
    if body is not None:
        recording_sid = "RE" + uuid.uuid4().hex
        body["RecordingSid"] = recording_sid
        body["RecordingUrl"] = f"{FIXTURES['recordingsUrl']}/Recordings/{recording_sid}"


def _turn_result(case: schemathesis.Case) -> None:
    body = _body(case)
    if body is None or case.path_parameters is None:
        return
    with _lock:
        if _is_stateful(case):
            known = [t for t, c in _turns if c == body.get("CallSid")]
            if known:
                case.path_parameters["turnId"] = _random.choice(known)
            return
        if not _turns or _random.random() >= REAL_ID_SHARE:
            return
        case.path_parameters["turnId"], body["CallSid"] = _random.choice(_turns)


# Methods that change the object their path names: given objects the run may change (a pool
# "writable<Name>"), so the demo logins and data the other runs rely on stay as they are.
_WRITING_METHODS = {"put", "patch", "delete"}


def _real_path_ids(case: schemathesis.Case) -> None:
    """Every path parameter with a pool of that name gets a real identifier (most of the time).

    Driven by the parameter names alone, so an operation added to the contract on an existing
    kind of object (`{userId}`, `{documentId}`, ...) is reached without changes here.
    """
    if _is_stateful(case) or not case.path_parameters:
        return
    writing = case.operation.method.lower() in _WRITING_METHODS
    for name in list(case.path_parameters):
        writable = "writable" + name[0].upper() + name[1:]
        pool = writable if writing and writable in _pools else name
        _set_path(case, name, pool)


def _broad_listing(case: schemathesis.Case) -> None:
    """In the stateful phase, most listings drop their optional filters, so they list something.

    Links take the first item of a listing (`#/items/0/id`); a random filter or offset mostly
    lists nothing and the chain ends there. The fuzzing phase still tries the filters.
    """
    if (
        not _is_stateful(case)
        or case.operation.method.lower() != "get"
        or case.path_parameters
        or not case.query
    ):
        return
    if _chance(0.7):
        declared = case.operation.definition.raw.get("parameters", [])
        required = {_schema(p)["name"] for p in declared if _schema(p).get("required")}
        case.query = {name: value for name, value in case.query.items() if name in required}


def _schema(reference: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in reference:
        node: Any = CONTRACT
        for part in reference["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        reference = node
    return reference


def _body_properties(case: schemathesis.Case) -> dict[str, Any]:
    content = case.operation.definition.raw.get("requestBody", {})
    content = _schema(content).get("content", {})
    media = content.get(case.media_type or "", {}) if case.media_type else {}
    return dict(_schema(media.get("schema", {})).get("properties", {}))


def _new_credentials(case: schemathesis.Case) -> None:
    """A body that sets a password (one with a minimum length) gets a strong one and a fresh email.

    The schema can't say "not guessable" (zxcvbn) nor "not taken"; the contract says both answer
    422/409. One case in five keeps its generated values, so refusals are still tried.
    """
    body = _body(case)
    properties = _body_properties(case)
    password = properties.get("password", {})
    if body is None or "minLength" not in password or not _chance():
        return
    body["password"] = f"{uuid.uuid4().hex[:12]}-Contract-{uuid.uuid4().hex[:8]}"[
        : password.get("maxLength", 128)
    ]
    for name, field in properties.items():
        if _schema(field).get("format") == "email" and name in body:
            body[name] = f"fuzz-{uuid.uuid4().hex[:16]}@silverstar.test"


POSITIVE_CASES: dict[str, Callable[[schemathesis.Case], None]] = {
    "login": lambda case: _login(case, "email"),
    "issueToken": lambda case: _login(case, "username"),
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
    if _is_positive(case):
        _broad_listing(case)
        _real_path_ids(case)
        _new_credentials(case)
        prepare = POSITIVE_CASES.get(operation_id)
        if prepare is not None:
            prepare(case)
    if case.headers and case.headers.get(SIGNATURE_HEADER) == UNSIGNED:
        _sign(case)


# ---------------------------------------------------------------- what responses create


@schemathesis.hook
def after_call(
    ctx: schemathesis.HookContext, case: schemathesis.Case, response: schemathesis.Response
) -> None:
    operation_id = case.operation.definition.raw.get("operationId")
    status = response.status_code
    _record_reach(case, response)
    if operation_id == "uploadDocument" and status in (200, 202):
        _add("writableDocumentId", response.json()["id"])
    elif operation_id == "deleteDocument" and status == 204 and case.path_parameters:
        _remove(str(case.path_parameters["documentId"]))
    elif operation_id == "replaceDoctorSchedule" and status == 200 and case.path_parameters:
        _keep_bookable(str(case.path_parameters["doctorId"]))
    elif operation_id == "createAppointment" and status == 201:
        _add("appointmentId", response.json()["id"])
    elif operation_id == "chat" and status == 200:
        _add("conversationId", response.json()["conversationId"])
    elif operation_id == "handleRecording" and status == 200:
        turn = TURN_URL.search(response.text)
        call_sid = dict(parse_qsl(str(response.request.body or ""))).get("CallSid")
        if turn and call_sid:
            with _lock:
                _turns.append((turn.group(1), call_sid))


def _keep_bookable(doctor_id: str) -> None:
    """A doctor whom positive cases book gets the demo hours back after the fuzzer replaced them.

    (A doctor's run may only replace its own schedule, and is the one that books with it.)
    """
    if any(doctor == doctor_id for doctor, _ in FIXTURES["bookable"]):
        _api(
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
    with _lock:
        reach.record(
            REACH,
            case.operation.definition.raw.get("operationId", case.operation.label),
            phase,
            response.status_code,
            body,
        )
