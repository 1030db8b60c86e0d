"""The clinic's catalog: services, doctors and their weekly schedules."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.errors import Conflict, Forbidden, NotFound, Unprocessable
from persistence.models import DoctorTimeOff, DoctorWorkingHours, Principal, Service, UserRole
from persistence.repositories.catalog import (
    DoctorRecord,
    DoctorRepository,
    ServiceRepository,
    WorkingInterval,
)
from services.policies import may_change_schedule


@dataclass(frozen=True)
class WeeklyInterval:
    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class TimeOffPeriod:
    start: datetime
    end: datetime
    reason: str | None


@dataclass(frozen=True)
class Schedule:
    doctor_id: uuid.UUID
    weekly_hours: Sequence[WorkingInterval]
    time_off: Sequence[DoctorTimeOff]
    service_ids: list[uuid.UUID]


class CatalogService:
    def __init__(self, session: AsyncSession) -> None:
        self._services = ServiceRepository(session)
        self._doctors = DoctorRepository(session)

    # Services

    async def list_services(
        self, actor: Principal, *, include_inactive: bool, limit: int, offset: int
    ) -> tuple[Sequence[Service], int]:
        # Retired services are the staff's business; patients only ever see bookable ones.
        show_inactive = include_inactive and actor.role != UserRole.patient
        return await self._services.page(include_inactive=show_inactive, limit=limit, offset=offset)

    async def create_service(
        self,
        *,
        name: str,
        description: str | None,
        duration_minutes: int,
        price: Decimal,
        currency: str,
        active: bool,
    ) -> Service:
        service = Service(
            id=uuid.uuid4(),
            name=name.strip(),
            description=description,
            duration_minutes=duration_minutes,
            price=price,
            currency=currency,
            active=active,
        )
        if not await self._services.save(service):
            raise Conflict("A service with this name already exists.")
        return service

    async def update_service(self, service_id: uuid.UUID, changes: dict[str, object]) -> Service:
        service = await self._services.get(service_id)
        if service is None:
            raise NotFound("No such service.")
        for field, value in changes.items():
            setattr(service, field, value.strip() if isinstance(value, str) and field == "name" else value)
        if not await self._services.save(service):
            raise Conflict("A service with this name already exists.")
        return service

    # Doctors

    async def get_doctor(self, doctor_id: uuid.UUID) -> DoctorRecord:
        found = await self._doctors.get(doctor_id)
        if found is None:
            raise NotFound("No such doctor.")
        return found

    async def list_doctors(
        self, *, service_id: uuid.UUID | None, specialty: str | None, limit: int, offset: int
    ) -> tuple[list[DoctorRecord], int]:
        return await self._doctors.page(
            service_id=service_id, specialty=specialty, limit=limit, offset=offset
        )

    async def get_schedule(self, doctor_id: uuid.UUID) -> Schedule:
        return await self._schedule(await self.get_doctor(doctor_id))

    async def _schedule(self, doctor: DoctorRecord) -> Schedule:
        return Schedule(
            doctor_id=doctor.id,
            weekly_hours=await self._doctors.working_hours(doctor.id),
            time_off=await self._doctors.time_off(doctor.id),
            service_ids=doctor.service_ids,
        )

    async def replace_schedule(
        self,
        actor: Principal,
        doctor_id: uuid.UUID,
        *,
        weekly_hours: Sequence[WeeklyInterval],
        time_off: Sequence[TimeOffPeriod],
        service_ids: Sequence[uuid.UUID] | None,
    ) -> Schedule:
        await self.get_doctor(doctor_id)
        if not may_change_schedule(actor, doctor_id):
            raise Forbidden("Doctors can only change their own schedule.")
        _check_weekly_hours(weekly_hours)
        _check_time_off(time_off)
        if service_ids is not None:
            if len(await self._services.get_many(service_ids)) != len(set(service_ids)):
                raise Unprocessable("One or more services do not exist.")
            await self._doctors.replace_services(doctor_id, service_ids)
        await self._doctors.replace_schedule(
            doctor_id,
            [
                DoctorWorkingHours(doctor_id=doctor_id, weekday=i.weekday, start_time=i.start, end_time=i.end)
                for i in weekly_hours
            ],
            [
                DoctorTimeOff(doctor_id=doctor_id, start_time=p.start, end_time=p.end, reason=p.reason)
                for p in time_off
            ],
        )
        return await self._schedule(await self.get_doctor(doctor_id))  # its services may have changed


def _check_weekly_hours(intervals: Sequence[WeeklyInterval]) -> None:
    ordered = sorted(intervals, key=lambda i: (i.weekday, i.start))
    for index, interval in enumerate(ordered):
        if interval.start >= interval.end:
            raise Unprocessable(f"Working hours on weekday {interval.weekday} end before they start.")
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if following and following.weekday == interval.weekday and following.start < interval.end:
            raise Unprocessable(f"Working hours on weekday {interval.weekday} overlap.")


def _check_time_off(periods: Sequence[TimeOffPeriod]) -> None:
    for period in periods:
        if period.start >= period.end:
            raise Unprocessable("A time-off period ends before it starts.")
