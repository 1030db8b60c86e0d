"""A bookable doctor: working hours every day 08:00–18:00 clinic time, one 30-minute service."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import DoctorWorkingHours, Service, User
from persistence.repositories.catalog import DoctorRepository
from tests.factories import make_service, make_user

CLINIC_ZONE = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Clinic:
    doctor: User
    service: Service


async def make_clinic(session: AsyncSession) -> Clinic:
    service = await make_service(session, minutes=30)
    doctor = await make_user(session, "doctor", service_ids=[service.id])
    await DoctorRepository(session).replace_schedule(
        doctor.id,
        [
            DoctorWorkingHours(doctor_id=doctor.id, weekday=d, start_time=time(8), end_time=time(18))
            for d in range(1, 8)
        ],
        [],
    )
    return Clinic(doctor, service)


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A clinic-time instant `day_offset` days from today."""
    day = date.today() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=CLINIC_ZONE)
