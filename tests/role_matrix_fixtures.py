"""A small clinic in which every kind of caller owns one object of each type.

Built inside the test's transaction, through the services where they exist (bookings,
uploads) and as rows where the object only comes out of a slow path: users (one password
hash for all, as argon2 takes a while), a conversation, an AI log, a phone call's answer.
"""

import io
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.passwords import hash_password
from kernel.settings import Settings
from kernel.tokens import new_refresh_token, refresh_token_digest
from persistence.models import (
    AIChannel,
    AppointmentType,
    Call,
    CallTurn,
    CallTurnStatus,
    Doctor,
    DoctorWorkingHours,
    Document,
    Patient,
    RefreshToken,
    Service,
    User,
    UserRole,
)
from persistence.repositories.appointments import AppointmentRecord
from persistence.repositories.assistant import AILogRepository, ConversationRepository
from persistence.repositories.catalog import DoctorRepository
from persistence.repositories.sessions import RefreshTokenRepository
from persistence.repositories.users import UserRepository
from services.documents import Upload, document_service
from services.jobs import JobBuffer
from services.scheduling import Booking, SchedulingService
from tests.factories import PASSWORD, make_service
from tests.outside_world import SharedModelsWorld
from tests.pdfs import text_pdf
from tests.scheduling_fixtures import local

# The callers of the matrix; "deactivated" holds a valid token of an account since deactivated.
CALLERS = ("anonymous", "patient", "doctor", "admin", "deactivated")
ROLES = ("patient", "doctor", "admin")


@dataclass(frozen=True)
class PhoneCall:
    call: Call
    turn: CallTurn  # answered


@dataclass(frozen=True)
class World:
    users: dict[str, User]  # the callers, plus "other_patient" and "other_doctor"
    service: Service  # offered by "doctor"
    other_service: Service  # offered by "other_doctor"
    # "patient" (with "doctor"), "other_patient" (with "other_doctor")
    appointments: dict[str, AppointmentRecord]
    documents: dict[str, Document]  # each role's own deletable one, and "other_patient"'s
    conversations: dict[str, uuid.UUID]  # each role's, and "other_patient"'s
    other_patient_ai_log: uuid.UUID
    calls: dict[str, PhoneCall]  # "own" and "other"
    refresh_tokens: dict[str, str]  # a live one per caller, all of the patient's (refresh is public)

    def user(self, caller: str) -> User:
        """Whose data a caller acts on: anonymous callers borrow the patient's."""
        return self.users["patient" if caller == "anonymous" else caller]

    def appointment(self, caller: str) -> AppointmentRecord:
        """The caller's own appointment; the doctor's is the one the patient booked with them."""
        return self.appointments["patient"]

    def document(self, caller: str) -> Document:
        return self.documents[caller if caller in self.documents else "patient"]

    def conversation(self, caller: str) -> uuid.UUID:
        return self.conversations[caller if caller in self.conversations else "patient"]


_password_hashes: dict[str, str] = {}


async def _password_hash() -> str:
    """Hashed once per run: argon2 is slow on purpose."""
    if PASSWORD not in _password_hashes:
        _password_hashes[PASSWORD] = await hash_password(PASSWORD)
    return _password_hashes[PASSWORD]


@cache
def _pdf(owner: str) -> bytes:
    return text_pdf([f"Notes of {owner}"])


async def _user(session: AsyncSession, role: str, name: str, *, active: bool = True) -> User:
    """An account with tests.factories.PASSWORD, and its profile row."""
    user = User(
        id=uuid.uuid4(),
        email=f"{role}-{secrets.token_hex(5)}@example.com",
        password_hash=await _password_hash(),
        role=UserRole(role),
        name=name,
        phone=None,
        is_active=active,
    )
    profile = {"patient": Patient(user_id=user.id), "doctor": Doctor(user_id=user.id)}.get(role)
    assert await UserRepository(session).add(user, *([profile] if profile else []))
    return user


async def _doctor(session: AsyncSession, name: str) -> tuple[User, Service]:
    """A doctor working 08:00-18:00 every day, offering one 30-minute service."""
    service = await make_service(session, minutes=30)
    doctor = await _user(session, "doctor", name)
    doctors = DoctorRepository(session)
    await doctors.replace_services(doctor.id, [service.id])
    hours = [
        DoctorWorkingHours(doctor_id=doctor.id, weekday=day, start_time=time(8), end_time=time(18))
        for day in range(1, 8)
    ]
    await doctors.replace_schedule(doctor.id, hours, [])
    return doctor, service


async def _upload(session: AsyncSession, settings: Settings, actor: User, *, for_patient: bool) -> Document:
    upload = Upload(
        stream=io.BytesIO(_pdf(actor.name)),
        filename=f"{actor.role.value}.pdf",
        title=None,
        patient_id=actor.id if for_patient else None,
    )
    # The fixtures' documents stay pending: their ingestion jobs are dropped.
    return (
        await document_service(session, SharedModelsWorld(settings), JobBuffer()).upload(actor, upload)
    ).document


async def _phone_call(session: AsyncSession) -> PhoneCall:
    call = Call(call_sid="CA" + secrets.token_hex(16), status="in-progress")
    session.add(call)
    await session.flush()
    turn = CallTurn(
        call_id=call.id,
        recording_sid="RE" + secrets.token_hex(16),
        recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        status=CallTurnStatus.done,
        transcript="When are you open on Saturday?",
        answer="On Saturday the clinic is open from 9 to 13.",
        completed_at=datetime.now(UTC),
    )
    session.add(turn)
    await session.flush()
    return PhoneCall(call, turn)


async def _refresh_token(session: AsyncSession, user: User) -> str:
    """A live refresh token of a session of its own, as a sign-in leaves one."""
    token = new_refresh_token()
    await RefreshTokenRepository(session).add(
        RefreshToken(
            id=uuid.uuid4(),
            family_id=uuid.uuid4(),
            user_id=user.id,
            token_digest=refresh_token_digest(token),
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
    )
    return token


async def build_world(session: AsyncSession, settings: Settings) -> World:
    doctor, service = await _doctor(session, "Dr. Own")
    other_doctor, other_service = await _doctor(session, "Dr. Other")
    users = {
        "patient": await _user(session, "patient", "Pat Own"),
        "other_patient": await _user(session, "patient", "Olga Other"),
        "doctor": doctor,
        "other_doctor": other_doctor,
        "admin": await _user(session, "admin", "Ada Admin"),
        "deactivated": await _user(session, "patient", "Dee Activated", active=False),
    }

    scheduling = SchedulingService(session, settings)
    appointments = {
        owner: await scheduling.book(
            users[owner],
            Booking(with_doctor.id, of_service.id, local(2, 10), AppointmentType.in_person, None, None),
        )
        for owner, with_doctor, of_service in (
            ("patient", doctor, service),
            ("other_patient", other_doctor, other_service),
        )
    }
    documents = {
        "patient": await _upload(session, settings, users["patient"], for_patient=True),
        "doctor": await _upload(session, settings, users["doctor"], for_patient=False),
        "admin": await _upload(session, settings, users["admin"], for_patient=False),
        "other_patient": await _upload(session, settings, users["other_patient"], for_patient=True),
    }
    conversations = ConversationRepository(session)
    now = datetime.now(UTC)
    conversation_ids = {owner: uuid.uuid4() for owner in (*ROLES, "other_patient")}
    for owner, conversation_id in conversation_ids.items():
        conversations.create(users[owner].id, conversation_id=conversation_id, at=now)
    ai_log = await AILogRepository(session).add(
        user_id=users["other_patient"].id,
        channel=AIChannel.chat,
        query="What were my test results?",
        response="Your results are in your documents.",
        at=now,
        source_documents=[],
        model="silverstar-extractive",
        latency_ms=12,
        prompt_tokens=None,
        completion_tokens=None,
        error=None,
    )
    return World(
        users=users,
        service=service,
        other_service=other_service,
        appointments=appointments,
        documents=documents,
        conversations=conversation_ids,
        other_patient_ai_log=ai_log.id,
        calls={"own": await _phone_call(session), "other": await _phone_call(session)},
        refresh_tokens={caller: await _refresh_token(session, users["patient"]) for caller in CALLERS},
    )
