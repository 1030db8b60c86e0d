"""Scheduling: free slots, booking, and changing appointments.

The database's exclusion constraints are the final guard against double booking; the
checks here give the common cases a clear answer first.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.errors import Conflict, Forbidden, NotFound, Unprocessable
from kernel.settings import Settings
from persistence.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Principal,
    UserRole,
)
from persistence.repositories.appointments import AppointmentRecord, AppointmentRepository, NewAppointment
from persistence.repositories.catalog import DoctorRepository, ServiceRepository, WorkingInterval
from persistence.repositories.users import UserRepository
from services.appointment_status import RESCHEDULABLE, TRANSITIONS, allowed_targets, sources_of
from services.availability import Period, WorkingHours, free_slots
from services.policies import require_own_patient_filter

# An overlapping insert, or (when the locks were bypassed) two of them waiting on each other.
SLOT_CONFLICT_SQLSTATES = {"23P01", "40P01"}
SLOT_TAKEN = "This time is no longer available."


class Bookable(NamedTuple):
    """A service as one doctor offers it: how long it lasts, and when they work."""

    duration: timedelta
    hours: list[WorkingHours]


def _hours(intervals: Sequence[WorkingInterval]) -> list[WorkingHours]:
    return [WorkingHours(*interval) for interval in intervals]


@dataclass(frozen=True)
class Booking:
    doctor_id: uuid.UUID
    service_id: uuid.UUID
    start: datetime
    type: AppointmentType
    notes: str | None
    patient_id: uuid.UUID | None


@dataclass(frozen=True)
class AppointmentChanges:
    status: AppointmentStatus | None = None
    start: datetime | None = None
    notes: str | None = None
    notes_sent: bool = False


@dataclass(frozen=True)
class AppointmentFilter:
    patient_id: uuid.UUID | None
    doctor_id: uuid.UUID | None
    status: AppointmentStatus | None
    start_from: datetime | None
    start_to: datetime | None


def _is_slot_conflict(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in SLOT_CONFLICT_SQLSTATES


class SchedulingService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self._session = session
        self._settings = settings
        self._zone = ZoneInfo(settings.clinic_timezone)
        self._appointments = AppointmentRepository(session)
        self._doctors = DoctorRepository(session)
        self._services = ServiceRepository(session)

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def _earliest_start(self) -> datetime:
        return self._now() + timedelta(minutes=self._settings.booking_min_notice_minutes)

    async def _bookable(self, doctor_id: uuid.UUID, service_id: uuid.UUID) -> Bookable:
        offer = await self._doctors.offered_service(doctor_id, service_id)
        if not offer.doctor_exists:
            raise NotFound("No such doctor.")
        if offer.duration_minutes is None:
            raise Unprocessable("The doctor does not offer this service.")
        return Bookable(timedelta(minutes=offer.duration_minutes), _hours(offer.working_hours))

    async def _slots(
        self,
        doctor_id: uuid.UUID,
        bookable: Bookable,
        window: Period,
        *,
        count_bookings: bool = True,
        ignore_appointment: uuid.UUID | None = None,
    ) -> list[Period]:
        horizon = (window.start, window.end + bookable.duration)
        busy = await self._appointments.busy_periods_of_doctor(
            doctor_id, *horizon, include_bookings=count_bookings, excluding=ignore_appointment
        )
        return free_slots(
            bookable.hours,
            window=window,
            duration=bookable.duration,
            grid_minutes=self._settings.slot_grid_minutes,
            zone=self._zone,
            busy=busy,
            not_before=self._earliest_start(),
        )

    async def availability(
        self, doctor_id: uuid.UUID, service_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[Period]:
        if end <= start:
            raise Unprocessable("`to` must be after `from`.")
        if end - start > timedelta(days=self._settings.availability_max_days):
            raise Unprocessable(f"The range may span at most {self._settings.availability_max_days} days.")
        bookable = await self._bookable(doctor_id, service_id)
        return await self._slots(doctor_id, bookable, Period(start, end))

    async def _patient_for(self, actor: Principal, booking: Booking) -> uuid.UUID:
        if actor.role == UserRole.patient:
            if booking.patient_id not in (None, actor.id):
                raise Forbidden("Patients can only book for themselves.")
            return actor.id
        if actor.role == UserRole.doctor and booking.doctor_id != actor.id:
            raise Forbidden("Doctors can only book their own appointments.")
        if booking.patient_id is None:
            raise Unprocessable("patientId is required when staff book an appointment.")
        patient = await UserRepository(self._session).get_active_patient(booking.patient_id)
        if patient is None:
            raise NotFound("No such patient.")
        return patient.id

    async def _check_slot(
        self, doctor_id: uuid.UUID, bookable: Bookable, start: datetime, *, ignore: uuid.UUID | None = None
    ) -> Period:
        if start < self._earliest_start():
            raise Unprocessable("Appointments must be booked in the future, with enough notice.")
        horizon = self._settings.booking_horizon_days
        if start > self._now() + timedelta(days=horizon):
            message = f"Appointments can be booked at most {horizon} days ahead."
            raise Unprocessable(
                message, errors=[{"loc": ["body", "startTime"], "msg": message, "type": "booking_horizon"}]
            )
        wanted = Period(start, start + bookable.duration)
        instant = Period(start, start + timedelta(microseconds=1))
        if wanted in await self._slots(doctor_id, bookable, instant, ignore_appointment=ignore):
            return wanted
        if wanted in await self._slots(doctor_id, bookable, instant, count_bookings=False):
            raise Conflict(SLOT_TAKEN)
        raise Unprocessable(
            "That time is not a bookable slot of this doctor (working hours, grid, time off)."
        )

    async def book(self, actor: Principal, booking: Booking) -> AppointmentRecord:
        patient_id = await self._patient_for(actor, booking)
        bookable = await self._bookable(booking.doctor_id, booking.service_id)
        await self._appointments.lock_for_booking(patient_id, booking.doctor_id)
        limit = self._settings.max_open_appointments_per_patient
        if await self._appointments.count_open_future(patient_id, self._now()) >= limit:
            raise Conflict(f"A patient can hold at most {limit} upcoming appointments.")
        period = await self._check_slot(booking.doctor_id, bookable, booking.start)
        if await self._appointments.patient_has_overlap(patient_id, period.start, period.end, excluding=None):
            raise Conflict("The patient already has an appointment at this time.")
        booked = await self._appointments.insert_unless_taken(
            NewAppointment(
                patient_id,
                booking.doctor_id,
                booking.service_id,
                period.start,
                period.end,
                booking.type,
                booking.notes,
            )
        )
        if booked is None:
            raise Conflict(SLOT_TAKEN)
        return booked

    async def get(self, actor: Principal, appointment_id: uuid.UUID) -> Appointment:
        appointment = await self._appointments.get_readable(actor, appointment_id)
        if appointment is None:
            raise NotFound("No such appointment.")
        return appointment

    async def page(
        self, actor: Principal, filters: AppointmentFilter, *, limit: int, offset: int
    ) -> tuple[list[AppointmentRecord], int]:
        require_own_patient_filter(actor, filters.patient_id, "appointments")
        return await self._appointments.page(
            actor,
            patient_id=filters.patient_id,
            doctor_id=filters.doctor_id,
            status=filters.status,
            start_from=filters.start_from,
            start_to=filters.start_to,
            limit=limit,
            offset=offset,
        )

    async def change(
        self, actor: Principal, appointment_id: uuid.UUID, changes: AppointmentChanges
    ) -> Appointment:
        appointment = await self.get(actor, appointment_id)
        if changes.start is not None and changes.start != appointment.start_time:
            await self._reschedule(actor, appointment, changes.start)
        if changes.notes_sent:
            appointment.notes = changes.notes
            await self._session.flush()
        if changes.status is not None and changes.status != appointment.status:
            appointment = await self._transition(actor, appointment, changes.status)
        # updated_at is set by the database: read the row back as stored.
        await self._session.refresh(appointment)
        return appointment

    async def _transition(
        self, actor: Principal, appointment: Appointment, target: AppointmentStatus
    ) -> Appointment:
        roles = TRANSITIONS.get((appointment.status, target))
        allowed = allowed_targets(appointment.status, actor.role)
        if roles is None:
            raise Conflict(
                f"An appointment that is {appointment.status.value} cannot become {target.value}.",
                allowed=allowed,
            )
        if actor.role not in roles:
            raise Forbidden(f"Your role cannot mark an appointment {target.value}.")
        if actor.role == UserRole.patient and appointment.start_time <= self._now():
            raise Conflict("An appointment that has started can no longer be cancelled online.", allowed=[])
        updated = await self._appointments.compare_and_set_status(
            appointment.id, expected=sources_of(target), new=target
        )
        if updated is None:
            current = await self.get(actor, appointment.id)
            raise Conflict(
                f"The appointment changed meanwhile; it is now {current.status.value}.",
                allowed=allowed_targets(current.status, actor.role),
            )
        return updated

    async def _reschedule(self, actor: Principal, appointment: Appointment, start: datetime) -> None:
        if appointment.status not in RESCHEDULABLE:
            raise Conflict(f"A {appointment.status.value} appointment cannot be rescheduled.", allowed=[])
        if actor.role == UserRole.patient and appointment.start_time <= self._now():
            raise Conflict("An appointment that has started can no longer be moved.", allowed=[])
        await self._appointments.lock_for_booking(appointment.patient_id, appointment.doctor_id)
        service = await self._services.get(appointment.service_id)
        assert service is not None
        hours = _hours(await self._doctors.working_hours(appointment.doctor_id))
        bookable = Bookable(timedelta(minutes=service.duration_minutes), hours)
        period = await self._check_slot(appointment.doctor_id, bookable, start, ignore=appointment.id)
        if await self._appointments.patient_has_overlap(
            appointment.patient_id, period.start, period.end, excluding=appointment.id
        ):
            raise Conflict("The patient already has an appointment at this time.")
        try:
            async with self._session.begin_nested():
                appointment.start_time, appointment.end_time = period.start, period.end
                await self._session.flush()
        except DBAPIError as error:
            if _is_slot_conflict(error):
                raise Conflict(SLOT_TAKEN) from error
            raise
