"""A small demo clinic for `make run`: an admin, two doctors with working hours, services, a
patient, and a patient handbook (opening hours, prices, policies) in the knowledge base."""

from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import DoctorWorkingHours, Document, User, UserRole
from persistence.repositories.catalog import DoctorRepository, ServiceRepository
from persistence.repositories.users import UserRepository
from services.accounts import AccountService, NewUser
from services.catalog import CatalogService
from services.documents import Upload, document_service
from services.jobs import Jobs
from services.outside_world import OutsideWorld

HANDBOOK = Path(__file__).with_name("demo_clinic_handbook.pdf")


@dataclass(frozen=True)
class DemoLogin:
    role: UserRole
    email: str
    password: str


DEMO_PASSWORD = "silverstar-demo"  # noqa: S105 - printed demo logins, development only
_SERVICES = [
    ("General consultation", 30, "60.00"),
    ("Follow-up visit", 15, "35.00"),
    ("Vaccination", 15, "25.00"),
    ("Cardiology check-up", 45, "120.00"),
]
_DOCTORS = [
    ("dr.meyer@silverstar.test", "Dr. Anna Meyer", "General practice", [0, 1, 2]),
    ("dr.okafor@silverstar.test", "Dr. Chidi Okafor", "Cardiology", [0, 1, 3]),
]
# Mon–Fri 09:00–12:30 and 13:30–17:00.
_WEEKLY_HOURS = [
    (weekday, start, end)
    for weekday in range(1, 6)
    for start, end in ((time(9), time(12, 30)), (time(13, 30), time(17)))
]


@dataclass(frozen=True)
class DemoClinic:
    logins: list[DemoLogin]
    handbook: Document


async def seed_demo_clinic(session: AsyncSession, world: OutsideWorld, jobs: Jobs) -> DemoClinic:
    """Idempotent: rows that already exist (by email or service name) are left alone. The handbook's
    ingestion goes to `jobs`, like any upload's: a worker indexes it."""
    users = UserRepository(session)
    accounts = AccountService(session, password_min_length=len(DEMO_PASSWORD))
    catalog = CatalogService(session)

    services, _ = await ServiceRepository(session).page(include_inactive=True, limit=100, offset=0)
    by_name = {s.name: s for s in services}
    for name, minutes, price in _SERVICES:
        if name not in by_name:
            by_name[name] = await catalog.create_service(
                name=name,
                description=None,
                duration_minutes=minutes,
                price=Decimal(price),
                currency="EUR",
                active=True,
            )
    service_ids = [by_name[name].id for name, _, _ in _SERVICES]

    logins = [DemoLogin(UserRole.admin, "admin@silverstar.test", DEMO_PASSWORD)]
    admin = await users.get_by_email("admin@silverstar.test") or await accounts.create(
        NewUser("admin@silverstar.test", DEMO_PASSWORD, "Clinic Admin", role=UserRole.admin)
    )
    doctors = DoctorRepository(session)
    for email, name, specialty, offered in _DOCTORS:
        logins.append(DemoLogin(UserRole.doctor, email, DEMO_PASSWORD))
        if await users.get_by_email(email) is not None:
            continue
        doctor = await accounts.create(
            NewUser(
                email,
                DEMO_PASSWORD,
                name,
                role=UserRole.doctor,
                specialty=specialty,
                service_ids=[service_ids[i] for i in offered],
            )
        )
        await doctors.replace_schedule(
            doctor.id,
            [
                DoctorWorkingHours(doctor_id=doctor.id, weekday=d, start_time=s, end_time=e)
                for d, s, e in _WEEKLY_HOURS
            ],
            [],
        )
    logins.append(DemoLogin(UserRole.patient, "patient@silverstar.test", DEMO_PASSWORD))
    if await users.get_by_email("patient@silverstar.test") is None:
        await accounts.create(
            NewUser("patient@silverstar.test", DEMO_PASSWORD, "Pat Demo", phone="+4915112345678")
        )
    return DemoClinic(logins, await _add_handbook(session, world, jobs, admin))


async def _add_handbook(session: AsyncSession, world: OutsideWorld, jobs: Jobs, admin: User) -> Document:
    """Uploaded like any admin upload (so it lands in the knowledge base); idempotent by content."""
    documents = document_service(session, world, jobs)
    with HANDBOOK.open("rb") as stream:
        upload = Upload(stream=stream, filename=HANDBOOK.name, title="Patient handbook", patient_id=None)
        return (await documents.upload(admin, upload)).document
