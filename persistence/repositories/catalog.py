import uuid
from collections.abc import Iterable, Sequence
from datetime import time
from typing import NamedTuple

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import driver
from persistence.models import (
    Doctor,
    DoctorService,
    DoctorTimeOff,
    DoctorWorkingHours,
    Service,
    User,
    UserRole,
)
from persistence.paging import page_of, page_of_rows


class Offer(NamedTuple):
    doctor_exists: bool
    duration_minutes: int | None  # None: the doctor does not offer the service (or it is inactive)


class WorkingInterval(NamedTuple):
    weekday: int  # ISO: 1 = Monday
    start_time: time
    end_time: time


_OFFER = """
SELECT services.duration_minutes
FROM doctors
JOIN users ON users.id = doctors.user_id
LEFT JOIN doctor_services ON doctor_services.doctor_id = doctors.user_id AND doctor_services.service_id = $2
LEFT JOIN services ON services.id = doctor_services.service_id AND services.active
WHERE doctors.user_id = $1 AND users.role = 'doctor' AND users.is_active
"""
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

    def _active_doctors(self) -> Select[Doctor, User]:
        return (
            select(Doctor, User)
            .join(User, User.id == Doctor.user_id)
            .where(User.role == UserRole.doctor, User.is_active)
        )

    async def get(self, doctor_id: uuid.UUID) -> tuple[Doctor, User] | None:
        row = (await self._session.execute(self._active_doctors().where(Doctor.user_id == doctor_id))).first()
        return (row[0], row[1]) if row else None

    async def page(
        self, *, service_id: uuid.UUID | None, specialty: str | None, limit: int, offset: int
    ) -> tuple[Sequence[tuple[Doctor, User]], int]:
        stmt = self._active_doctors()
        if service_id is not None:
            offers = select(DoctorService.doctor_id).where(DoctorService.service_id == service_id)
            stmt = stmt.where(Doctor.user_id.in_(offers))
        if specialty:
            stmt = stmt.where(func.lower(Doctor.specialty) == specialty.strip().lower())
        order = (User.name, User.id)
        rows, total = await page_of_rows(self._session, stmt, order, limit=limit, offset=offset)
        return [(doctor, user) for doctor, user in rows], total

    async def service_ids(self, doctor_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        result: dict[uuid.UUID, list[uuid.UUID]] = {doctor_id: [] for doctor_id in doctor_ids}
        rows = await self._session.execute(
            select(DoctorService.doctor_id, DoctorService.service_id)
            .where(DoctorService.doctor_id.in_(doctor_ids))
            .order_by(DoctorService.service_id)
        )
        for doctor_id, service_id in rows:
            result[doctor_id].append(service_id)
        return result

    async def offered_service(self, doctor_id: uuid.UUID, service_id: uuid.UUID) -> Offer:
        """Whether the (active) doctor exists, and the length of the (active) service if they offer it."""
        row = await driver.fetchrow(self._session, _OFFER, doctor_id, service_id)
        return Offer(doctor_exists=row is not None, duration_minutes=row[0] if row else None)

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
