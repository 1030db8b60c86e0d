"""Real objects for the fuzzer to reach, made through the API of the served demo clinic.

`seed` books appointments, uploads documents, starts conversations and phone calls as the demo
users, plus scratch users, services and a doctor that only the admin's run may change (so the
fuzzer never reshapes the demo logins the other runs and the TypeScript client rely on).
`fixtures_for(role)` is what contract-tests/hooks.py reads for one run: the identifiers that
role may use on its own objects.
"""

import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from services.demo_clinic import DEMO_PASSWORD
from tests.pdfs import text_pdf

PATIENT_EMAIL = "patient@silverstar.test"
DOCTOR_EMAIL = "dr.meyer@silverstar.test"
ADMIN_EMAIL = "admin@silverstar.test"
ROLES = ("anonymous", "patient", "doctor", "admin")
OPENING_HOURS = "Opening hours. The clinic is open Monday to Friday from 8:00 to 18:00."
TURN_URL = re.compile(r"/webhooks/twilio/turns/([0-9a-f-]{36})")
# The demo doctors work Monday to Friday 09:00-12:30 and 13:30-17:00.
WEEKLY_HOURS = [
    {"weekday": day, "start": start, "end": end}
    for day in range(1, 6)
    for start, end in (("09:00", "12:30"), ("13:30", "17:00"))
]


@dataclass(frozen=True)
class Twilio:
    account_sid: str
    auth_token: str
    phone_number: str


def test_twilio_account() -> Twilio:
    """A made-up account in Twilio's formats (the run never talks to Twilio)."""
    return Twilio("AC" + secrets.token_hex(16), secrets.token_hex(16), "+49305550100")


@dataclass
class Seeded:
    """Ids of what `seed` made, by who may use them."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # role -> the demo user
    tokens: dict[str, str] = field(default_factory=dict)
    bookable: list[tuple[str, str]] = field(default_factory=list)  # (doctorId, serviceId)
    scratch_users: list[str] = field(default_factory=list)
    scratch_services: list[str] = field(default_factory=list)
    scratch_doctor: str = ""
    appointments: dict[str, list[str]] = field(default_factory=dict)  # role -> visible
    documents: dict[str, list[str]] = field(default_factory=dict)  # role -> readable, kept
    deletable: dict[str, list[str]] = field(default_factory=dict)  # role -> its own, to delete
    conversations: dict[str, list[str]] = field(default_factory=dict)
    turns: list[tuple[str, str]] = field(default_factory=list)  # (turnId, CallSid)


def _ok(response: httpx.Response) -> Any:
    if response.is_error:
        raise RuntimeError(
            f"seeding: {response.request.method} {response.request.url} -> "
            f"{response.status_code} {response.text}"
        )
    return response.json() if response.content else None


def _login(client: httpx.Client, email: str) -> tuple[str, dict[str, Any]]:
    body = _ok(client.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD}))
    return str(body["access_token"]), body["user"]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _pdf(label: str, text: str = "") -> bytes:
    return text_pdf([f"SilverStar contract run\n{label}\n{uuid.uuid4()}\n{text}"])


def _upload(
    client: httpx.Client, token: str, label: str, patient_id: str | None = None, text: str = ""
) -> str:
    data = {"title": label} | ({"patientId": patient_id} if patient_id else {})
    files = {"file": (f"{label}.pdf", _pdf(label, text), "application/pdf")}
    return str(_ok(client.post("/documents", headers=_auth(token), data=data, files=files))["id"])


def _wait_until_ready(client: httpx.Client, token: str, document_id: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while (status := _ok(client.get(f"/documents/{document_id}", headers=_auth(token)))["status"]) != "ready":
        if status == "failed" or time.monotonic() > deadline:
            raise RuntimeError(f"seeding: document {document_id} is {status}, not ready")
        time.sleep(0.2)


def free_slots(
    client: httpx.Client, token: str, doctor_id: str, service_id: str, days_ahead: int
) -> list[str]:
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days_ahead)
    params = {
        "serviceId": service_id,
        "from": start.isoformat(),
        "to": (start + timedelta(days=7)).isoformat(),
    }
    body = _ok(client.get(f"/doctors/{doctor_id}/availability", headers=_auth(token), params=params))
    return [slot["startTime"] for slot in body["items"]]


def _book(client: httpx.Client, token: str, doctor_id: str, service_id: str, days_ahead: int) -> str:
    start = free_slots(client, token, doctor_id, service_id, days_ahead)[0]
    body = {"doctorId": doctor_id, "serviceId": service_id, "startTime": start, "type": "in_person"}
    return str(_ok(client.post("/appointments", headers=_auth(token), json=body))["id"])


def sign(twilio: Twilio, url: str, params: dict[str, str]) -> str:
    signature: str = RequestValidator(twilio.auth_token).compute_signature(url, params)
    return signature


def _webhook(client: httpx.Client, twilio: Twilio, path: str, params: dict[str, str]) -> str:
    url = f"{client.base_url}".rstrip("/") + path
    response = client.post(path, data=params, headers={"X-Twilio-Signature": sign(twilio, url, params)})
    if response.is_error:
        raise RuntimeError(f"seeding: POST {path} -> {response.status_code} {response.text}")
    return response.text


def _call_with_a_question(client: httpx.Client, twilio: Twilio, recordings_url: str) -> tuple[str, str]:
    call_sid = "CA" + secrets.token_hex(16)
    call = {
        "CallSid": call_sid,
        "AccountSid": twilio.account_sid,
        "From": "+4915100000001",
        "To": twilio.phone_number,
        "CallStatus": "ringing",
    }
    _webhook(client, twilio, "/webhooks/twilio/voice", call)
    recording_sid = "RE" + secrets.token_hex(16)
    recording = {
        "CallSid": call_sid,
        "AccountSid": twilio.account_sid,
        "RecordingSid": recording_sid,
        "RecordingUrl": f"{recordings_url}/Recordings/{recording_sid}",
        "RecordingDuration": "1",
    }
    twiml = _webhook(client, twilio, "/webhooks/twilio/recording", recording)
    match = TURN_URL.search(twiml)
    if match is None:
        raise RuntimeError(f"seeding: no turn in the recording webhook's answer: {twiml}")
    return match.group(1), call_sid


def seed(base_url: str, twilio: Twilio, recordings_url: str) -> Seeded:
    seeded = Seeded()
    # The first question waits for the embedding model to load (seconds, more on a busy machine).
    with httpx.Client(base_url=base_url, timeout=300) as client:
        for role, email in (("patient", PATIENT_EMAIL), ("doctor", DOCTOR_EMAIL), ("admin", ADMIN_EMAIL)):
            seeded.tokens[role], seeded.users[role] = _login(client, email)
        admin, patient, doctor = (seeded.tokens[r] for r in ("admin", "patient", "doctor"))
        doctors = _ok(client.get("/doctors", headers=_auth(admin)))["items"]
        seeded.bookable = [(d["id"], s) for d in doctors for s in d["serviceIds"]]

        run = secrets.token_hex(4)
        for n in range(2):
            user = {
                "email": f"scratch-{run}-{n}@silverstar.test",
                "password": DEMO_PASSWORD,
                "name": f"Scratch Patient {n}",
                "role": "patient",
            }
            seeded.scratch_users.append(_ok(client.post("/users", headers=_auth(admin), json=user))["id"])
            service = {"name": f"Scratch service {run}-{n}", "durationMinutes": 30, "price": "10.00"}
            seeded.scratch_services.append(
                _ok(client.post("/services", headers=_auth(admin), json=service))["id"]
            )
        scratch_doctor = {
            "email": f"scratch-doctor-{run}@silverstar.test",
            "password": DEMO_PASSWORD,
            "name": "Dr. Scratch",
            "role": "doctor",
            "serviceIds": seeded.scratch_services,
        }
        seeded.scratch_doctor = _ok(client.post("/users", headers=_auth(admin), json=scratch_doctor))["id"]
        _ok(
            client.put(
                f"/doctors/{seeded.scratch_doctor}/schedule",
                headers=_auth(admin),
                json={"weeklyHours": WEEKLY_HOURS, "timeOff": []},
            )
        )

        own_doctor = seeded.users["doctor"]["id"]
        booked = [
            (_book(client, patient, doctor_id, service_id, days_ahead=3 + 7 * n), doctor_id)
            for n, (doctor_id, service_id) in enumerate(seeded.bookable[:4])
        ]
        seeded.appointments = {
            "patient": [a for a, _ in booked],
            "doctor": [a for a, d in booked if d == own_doctor],
            "admin": [a for a, _ in booked],
        }

        patient_id = seeded.users["patient"]["id"]
        for role, token in (("patient", patient), ("doctor", doctor), ("admin", admin)):
            seeded.documents[role] = [_upload(client, token, f"{role} kept {n}") for n in range(2)]
            seeded.deletable[role] = [_upload(client, token, f"{role} to delete {n}") for n in range(3)]
        # Staff also read the patient's records; the doctor treats the demo patient (booked above).
        seeded.documents["doctor"].append(_upload(client, doctor, "doctor's note", patient_id))
        seeded.documents["admin"] += seeded.documents["patient"] + seeded.documents["doctor"]
        # The knowledge base holds the answer to what the client's journeys ask
        # (clients/typescript/test/sessions.ts): their chats must quote and cite it.
        hours = _upload(client, admin, "opening hours", text=OPENING_HOURS)
        seeded.documents["admin"].append(hours)
        _wait_until_ready(client, admin, hours)

        for role, token in (("patient", patient), ("doctor", doctor), ("admin", admin)):
            answer = _ok(
                client.post("/ai/chat", headers=_auth(token), json={"message": "When are you open?"})
            )
            seeded.conversations[role] = [answer["conversationId"]]

        seeded.turns = [_call_with_a_question(client, twilio, recordings_url) for _ in range(3)]
    return seeded


def fixtures_for(
    role: str, seeded: Seeded, base_url: str, twilio: Twilio, recordings_url: str
) -> dict[str, Any]:
    """What contract-tests/hooks.py gives `role`'s positive cases."""
    user = seeded.users.get(role)
    own = [user["id"]] if user else []
    patient_id = seeded.users["patient"]["id"]
    doctor_ids = sorted({d for d, _ in seeded.bookable} | {seeded.scratch_doctor})
    if role == "admin":
        users = [u["id"] for u in seeded.users.values()] + seeded.scratch_users
        writable_users, writable_doctors = seeded.scratch_users, [seeded.scratch_doctor]
    else:
        users, writable_users = own, own
        writable_doctors = own if role == "doctor" else doctor_ids
    bookable = seeded.bookable
    if role == "doctor":
        bookable = [(d, s) for d, s in bookable if d == user["id"]] if user else []
    return {
        "role": role,
        "baseUrl": base_url,
        "token": seeded.tokens.get(role),
        "userId": user["id"] if user else None,
        "login": {
            "email": PATIENT_EMAIL if role == "anonymous" else user["email"] if user else "",
            "password": DEMO_PASSWORD,
        },
        "twilio": {"accountSid": twilio.account_sid, "authToken": twilio.auth_token},
        "recordingsUrl": recordings_url,
        "bookable": [list(pair) for pair in bookable],
        "weeklyHours": WEEKLY_HOURS,
        "turns": [list(turn) for turn in seeded.turns],
        "pools": {
            "userId": users,
            "writableUserId": writable_users,
            "doctorId": doctor_ids,
            "writableDoctorId": writable_doctors,
            "serviceId": sorted({s for _, s in seeded.bookable}),
            "writableServiceId": seeded.scratch_services if role == "admin" else [],
            "patientId": [patient_id],
            "appointmentId": seeded.appointments.get(role, []),
            "documentId": seeded.documents.get(role, []),
            "writableDocumentId": seeded.deletable.get(role, []),
            "conversationId": seeded.conversations.get(role, []),
        },
    }
