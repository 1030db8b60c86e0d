import uuid
from collections.abc import Iterable, Sequence
from datetime import time
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import driver
from persistence.models import (
    Doctor,
    DoctorService,
    DoctorTimeOff,
    DoctorWorkingHours,
    Service,
)
from persistence.paging import page_of


class WorkingInterval(NamedTuple):
    weekday: int  # ISO: 1 = Monday
    start_time: time
    end_time: time


class Offer(NamedTuple):
    doctor_exists: bool
    duration_minutes: int | None  # None: the doctor does not offer the service (or it is inactive)
    working_hours: list[WorkingInterval]  # the doctor's week, read with the offer: one statement


class DoctorRecord(NamedTuple):
    """An active doctor as the catalog shows them, with the ids of the services they offer."""

    id: uuid.UUID
    name: str
    email: str
    phone: str | None
    specialty: str | None
    bio: str | None
    service_ids: list[uuid.UUID]


_OFFER = """
SELECT services.duration_minutes,
       ARRAY(SELECT ROW(weekday, start_time, end_time) FROM doctor_working_hours
             WHERE doctor_id = doctors.user_id ORDER BY weekday, start_time)
FROM doctors
JOIN users ON users.id = doctors.user_id
LEFT JOIN doctor_services ON doctor_services.doctor_id = doctors.user_id AND doctor_services.service_id = $2
LEFT JOIN services ON services.id = doctor_services.service_id AND services.active
WHERE doctors.user_id = $1 AND users.role = 'doctor' AND users.is_active
"""
# One row per doctor, their services' ids included: a page is one statement, not three.
_DOCTOR_COLUMNS = """
users.id, users.name, users.email, users.phone, doctors.specialty, doctors.bio,
ARRAY(SELECT service_id FROM doctor_services WHERE doctor_id = doctors.user_id ORDER BY service_id)
"""
_DOCTOR_TABLES = "doctors JOIN users ON users.id = doctors.user_id"
_ACTIVE_DOCTOR = ("users.role = 'doctor'", "users.is_active")
_WORKING_HOURS = """
SELECT weekday, start_time, end_time FROM doctor_working_hours
WHERE doctor_id = $1 ORDER BY weekday, start_time
"""


class ServiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, service_id: uuid.UUID) -> Service | None:
        return await self._session.get(Service, service_id)

    async def get_many(self, service_ids: Iterable[uuid.UUID]) -> Sequence[Service]:
        ids = set(service_ids)
        if not ids:
            return []
        return (await self._session.scalars(select(Service).where(Service.id.in_(ids)))).all()

    async def save(self, service: Service) -> bool:
        """Adds or updates; False when the name is taken."""
        try:
            async with self._session.begin_nested():
                self._session.add(service)
                await self._session.flush()
        except IntegrityError:
            return False
        return True

    async def page(self, *, include_inactive: bool, limit: int, offset: int) -> tuple[Sequence[Service], int]:
        stmt = select(Service)
        if not include_inactive:
            stmt = stmt.where(Service.active)
        return await page_of(self._session, stmt, (Service.name, Service.id), limit=limit, offset=offset)


class DoctorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, doctor_id: uuid.UUID) -> DoctorRecord | None:
        conditions = driver.Conditions(*_ACTIVE_DOCTOR)
        conditions.add("doctors.user_id = {}", doctor_id)
        statement = f"SELECT {_DOCTOR_COLUMNS} FROM {_DOCTOR_TABLES} {conditions.where}"  # noqa: S608
        row = await driver.fetchrow(self._session, statement, *conditions.args)
        return DoctorRecord(*row) if row else None

    async def page(
        self, *, service_id: uuid.UUID | None, specialty: str | None, limit: int, offset: int
    ) -> tuple[list[DoctorRecord], int]:
        conditions = driver.Conditions(*_ACTIVE_DOCTOR)
        if service_id is not None:
            conditions.add(
                "doctors.user_id IN (SELECT doctor_id FROM doctor_services WHERE service_id = {})", service_id
            )
        if specialty:
            conditions.add("lower(doctors.specialty) = {}", specialty.strip().lower())
        where, filter_args = conditions.where, list(conditions.args)
        limit_offset = f"LIMIT {conditions.parameter(limit)} OFFSET {conditions.parameter(offset)}"
        paging = f"ORDER BY users.name, users.id {limit_offset}"
        # A clinic's doctors are few: the total rides along on every row of the page.
        window = f"SELECT {_DOCTOR_COLUMNS}, count(*) OVER () FROM {_DOCTOR_TABLES} {where}"  # noqa: S608
        rows = await driver.fetch(self._session, f"{window} {paging}", *conditions.args)
        if rows:
            return [DoctorRecord(*row[:-1]) for row in rows], rows[0][-1]
        count_statement = f"SELECT count(*) FROM {_DOCTOR_TABLES} {where}"  # noqa: S608
        count = await driver.fetchrow(self._session, count_statement, *filter_args)
        return [], count[0] if count else 0

    async def offered_service(self, doctor_id: uuid.UUID, service_id: uuid.UUID) -> Offer:
        """Whether the (active) doctor exists, the length of the (active) service if they offer it,
        and their working hours."""
        row = await driver.fetchrow(self._session, _OFFER, doctor_id, service_id)
        if row is None:
            return Offer(doctor_exists=False, duration_minutes=None, working_hours=[])
        return Offer(True, row[0], [WorkingInterval(*interval) for interval in row[1]])

    async def replace_services(self, doctor_id: uuid.UUID, service_ids: Iterable[uuid.UUID]) -> None:
        await self._session.execute(delete(DoctorService).where(DoctorService.doctor_id == doctor_id))
        self._session.add_all(DoctorService(doctor_id=doctor_id, service_id=s) for s in set(service_ids))
        await self._session.flush()

    async def working_hours(self, doctor_id: uuid.UUID) -> list[WorkingInterval]:
        rows = await driver.fetch(self._session, _WORKING_HOURS, doctor_id)
        return [WorkingInterval(*row) for row in rows]

    async def time_off(self, doctor_id: uuid.UUID) -> Sequence[DoctorTimeOff]:
        return (
            await self._session.scalars(
                select(DoctorTimeOff)
                .where(DoctorTimeOff.doctor_id == doctor_id)
                .order_by(DoctorTimeOff.start_time)
            )
        ).all()

    async def replace_schedule(
        self,
        doctor_id: uuid.UUID,
        working_hours: Iterable[DoctorWorkingHours],
        time_off: Iterable[DoctorTimeOff],
    ) -> None:
        # Lock the doctor row: two concurrent replacements must not interleave.
        await self._session.execute(
            select(Doctor.user_id).where(Doctor.user_id == doctor_id).with_for_update()
        )
        await self._session.execute(
            delete(DoctorWorkingHours).where(DoctorWorkingHours.doctor_id == doctor_id)
        )
        await self._session.execute(delete(DoctorTimeOff).where(DoctorTimeOff.doctor_id == doctor_id))
        self._session.add_all([*working_hours, *time_off])
        await self._session.flush()
