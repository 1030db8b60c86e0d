import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Doctor,
    DoctorTimeOff,
    Patient,
    Principal,
    UserRole,
)
from persistence.paging import count_rows

MAX_APPOINTMENT_LENGTH = timedelta(minutes=480)
LIVE_STATUSES = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    """An appointment as read for a list: plain values, no ORM identity or change tracking."""

    id: uuid.UUID
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    service_id: uuid.UUID
    start_time: datetime
    end_time: datetime
    status: AppointmentStatus
    type: AppointmentType
    notes: str | None
    created_at: datetime
    updated_at: datetime


_RECORD_COLUMNS = tuple(Appointment.__table__.c[f.name] for f in fields(AppointmentRecord))


def _readable_by(user: Principal) -> ColumnElement[bool] | None:
    """The one rule for who reads which appointment: patients theirs, doctors theirs, admins all."""
    if user.role == UserRole.patient:
        return Appointment.patient_id == user.id
    if user.role == UserRole.doctor:
        return Appointment.doctor_id == user.id
    return None


def readable_appointments(user: Principal) -> Select[Appointment]:
    rule = _readable_by(user)
    query = select(Appointment)
    return query if rule is None else query.where(rule)


class AppointmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_readable(self, user: Principal, appointment_id: uuid.UUID) -> Appointment | None:
        return await self._session.scalar(readable_appointments(user).where(Appointment.id == appointment_id))

    async def page(
        self,
        user: Principal,
        *,
        patient_id: uuid.UUID | None,
        doctor_id: uuid.UUID | None,
        status: AppointmentStatus | None,
        start_from: datetime | None,
        start_to: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[list[AppointmentRecord], int]:
        # Plain rows, not entities: a read-only page needs no identity map or instance state.
        query = select(*_RECORD_COLUMNS)
        rule = _readable_by(user)
        if rule is not None:
            query = query.where(rule)
        if patient_id is not None:
            query = query.where(Appointment.patient_id == patient_id)
        if doctor_id is not None:
            query = query.where(Appointment.doctor_id == doctor_id)
        if status is not None:
            query = query.where(Appointment.status == status)
        if start_from is not None:
            query = query.where(Appointment.start_time >= start_from)
        if start_to is not None:
            query = query.where(Appointment.start_time < start_to)
        # One round trip: the total rides along on every row of the page.
        rows = (
            await self._session.execute(
                query.add_columns(func.count().over())
                .order_by(Appointment.start_time, Appointment.id)
                .limit(limit)
                .offset(offset)
            )
        ).all()
        if rows:
            return [AppointmentRecord(*row[:-1]) for row in rows], rows[0][-1]
        return [], await count_rows(self._session, query)

    async def busy_periods_of_doctor(
        self,
        doctor_id: uuid.UUID,
        start: datetime,
        end: datetime,
        *,
        include_bookings: bool = True,
        excluding: uuid.UUID | None = None,
    ) -> Sequence[tuple[datetime, datetime]]:
        """In one query: the doctor's time off and, if asked, live appointments overlapping [start, end)."""
        time_off = select(DoctorTimeOff.start_time, DoctorTimeOff.end_time).where(
            DoctorTimeOff.doctor_id == doctor_id,
            DoctorTimeOff.start_time < end,
            DoctorTimeOff.end_time > start,
        )
        if not include_bookings:
            return [(s, e) for s, e in await self._session.execute(time_off)]
        booked = select(Appointment.start_time, Appointment.end_time).where(
            Appointment.doctor_id == doctor_id,
            Appointment.status != AppointmentStatus.cancelled,
            Appointment.start_time < end,
            # Bounds the index range: no appointment is longer than a service can be.
            Appointment.start_time > start - MAX_APPOINTMENT_LENGTH,
            Appointment.end_time > start,
        )
        if excluding is not None:
            booked = booked.where(Appointment.id != excluding)
        return [(s, e) for s, e in await self._session.execute(union_all(time_off, booked))]

    async def patient_has_overlap(
        self, patient_id: uuid.UUID, start: datetime, end: datetime, *, excluding: uuid.UUID | None
    ) -> bool:
        query = select(Appointment.id).where(
            Appointment.patient_id == patient_id,
            Appointment.status != AppointmentStatus.cancelled,
            Appointment.start_time < end,
            Appointment.end_time > start,
        )
        if excluding is not None:
            query = query.where(Appointment.id != excluding)
        return await self._session.scalar(query.limit(1)) is not None

    async def lock_for_booking(self, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> None:
        """Serialises bookings touching one patient or one doctor, always in that order.

        The patient lock keeps the open-appointment limit true under races; the doctor lock
        makes concurrent bookings of one slot queue up and get a clean 409 from the check,
        instead of all inserting and deadlocking on the exclusion constraint.
        """
        await self._session.execute(
            select(Patient.user_id).where(Patient.user_id == patient_id).with_for_update()
        )
        await self._session.execute(
            select(Doctor.user_id).where(Doctor.user_id == doctor_id).with_for_update()
        )

    async def count_open_future(self, patient_id: uuid.UUID, now: datetime) -> int:
        count = await self._session.scalar(
            select(func.count()).where(
                Appointment.patient_id == patient_id,
                Appointment.status.in_(LIVE_STATUSES),
                Appointment.start_time > now,
            )
        )
        return count or 0

    async def add(self, appointment: Appointment) -> None:
        self._session.add(appointment)
        await self._session.flush()

    async def compare_and_set_status(
        self, appointment_id: uuid.UUID, *, expected: Sequence[AppointmentStatus], new: AppointmentStatus
    ) -> Appointment | None:
        """Updates only while the status is still one of `expected`; None when someone got there first."""
        result = await self._session.scalars(
            update(Appointment)
            .where(Appointment.id == appointment_id, Appointment.status.in_(expected))
            .values(status=new, updated_at=func.now())
            .returning(Appointment)
            .execution_options(synchronize_session="fetch")
        )
        return result.first()
