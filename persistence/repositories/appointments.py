import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import driver
from persistence.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Principal,
    UserRole,
)

MAX_APPOINTMENT_LENGTH = timedelta(minutes=480)
LIVE_STATUSES = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)


class AppointmentRecord(NamedTuple):
    """An appointment as read for a list: plain values, no ORM identity or change tracking.
    A tuple, built from the row without a Python __init__: a page builds twenty."""

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


class NewAppointment(NamedTuple):
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    service_id: uuid.UUID
    start_time: datetime
    end_time: datetime
    type: AppointmentType
    notes: str | None


_RECORD_COLUMNS = ", ".join(AppointmentRecord._fields)
# The enum members by value: a dict lookup instead of EnumType.__call__ (Python) per row.
_STATUSES = {status.value: status for status in AppointmentStatus}
_TYPES = {type_.value: type_ for type_ in AppointmentType}


def _readable_by(user: Principal) -> tuple[str, uuid.UUID] | None:
    """The one rule for who reads which appointment: patients theirs, doctors theirs, admins all.
    As the column that must hold the reader's id; None: no restriction."""
    if user.role == UserRole.patient:
        return "patient_id", user.id
    if user.role == UserRole.doctor:
        return "doctor_id", user.id
    return None


def readable_appointments(user: Principal) -> Select[Appointment]:
    rule = _readable_by(user)
    query = select(Appointment)
    return query if rule is None else query.where(Appointment.__table__.c[rule[0]] == rule[1])


def _record(row: Sequence[Any]) -> AppointmentRecord:
    (id_, patient_id, doctor_id, service_id, start, end, status, type_, notes, created, updated) = row[:11]
    return AppointmentRecord(
        id_, patient_id, doctor_id, service_id, start, end,
        _STATUSES[status], _TYPES[type_], notes, created, updated,
    )  # fmt: skip


_BUSY_PERIODS = """
SELECT start_time, end_time FROM doctor_time_off
WHERE doctor_id = $1 AND start_time < $3 AND end_time > $2
{bookings}
"""
# `start_time > $4` bounds the index range: no appointment is longer than a service can be.
_BOOKINGS = """
UNION ALL
SELECT start_time, end_time FROM appointments
WHERE doctor_id = $1 AND status != 'cancelled' AND start_time < $3 AND start_time > $4 AND end_time > $2
  AND id IS DISTINCT FROM $5
"""

# A booking's checks on the patient, run after `lock_for_booking`, in its transaction.
_LIVE_IN = ", ".join(f"'{status.value}'" for status in LIVE_STATUSES)
_OPEN_FUTURE = f"""
SELECT count(*) FROM appointments WHERE patient_id = $1 AND start_time > $2 AND status IN ({_LIVE_IN})
"""  # noqa: S608 (constant fragments only)
_LOCK_PATIENT = "SELECT FROM patients WHERE user_id = $1 FOR UPDATE"
_LOCK_DOCTOR = "SELECT FROM doctors WHERE user_id = $1 FOR UPDATE"
# No conflict target: a time an exclusion constraint holds already inserts nothing, and the
# transaction goes on (no savepoint, no error to recover from).
_INSERT = f"""
INSERT INTO appointments (id, patient_id, doctor_id, service_id, start_time, end_time, status, type, notes)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT DO NOTHING
RETURNING {_RECORD_COLUMNS}
"""  # noqa: S608 (constant fragments only)
_PATIENT_OVERLAP = """
SELECT EXISTS (
  SELECT FROM appointments
  WHERE patient_id = $1 AND status != 'cancelled' AND start_time < $3 AND end_time > $2
    AND id IS DISTINCT FROM $4
)
"""


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
        conditions = driver.Conditions()
        rule = _readable_by(user)
        if rule is not None:
            conditions.add(f"{rule[0]} = {{}}", rule[1])
        if patient_id is not None:
            conditions.add("patient_id = {}", patient_id)
        if doctor_id is not None:
            conditions.add("doctor_id = {}", doctor_id)
        if status is not None:
            conditions.add("status = {}", status.value)
        if start_from is not None:
            conditions.add("start_time >= {}", start_from)
        if start_to is not None:
            conditions.add("start_time < {}", start_to)
        # Only constant fragments are joined into these statements; every value is a parameter.
        where = conditions.where
        filter_args = list(conditions.args)
        count = f"SELECT count(*) FROM appointments {where}"  # noqa: S608
        limit_offset = f"LIMIT {conditions.parameter(limit)} OFFSET {conditions.parameter(offset)}"
        paging = f"ORDER BY start_time, id {limit_offset}"
        if user.role == UserRole.patient or patient_id is not None:
            # One patient's rows are few: the total rides along on every row of the page, one
            # round trip. A doctor's or the clinic's are thousands, which such a window count
            # would read whole (8.6 ms for 5,000 rows): those are counted on their own, from
            # the index (1 ms), and the page reads its 20 rows.
            window = f"SELECT {_RECORD_COLUMNS}, count(*) OVER () FROM appointments {where}"  # noqa: S608
            rows = await driver.fetch(self._session, f"{window} {paging}", *conditions.args)
            if rows:
                return [_record(row) for row in rows], rows[0][-1]
        else:
            page = f"SELECT {_RECORD_COLUMNS} FROM appointments {where}"  # noqa: S608
            rows = await driver.fetch(self._session, f"{page} {paging}", *conditions.args)
            if len(rows) < limit and (rows or offset == 0):  # the last page: the total is known
                return [_record(row) for row in rows], offset + len(rows)
        total = await driver.fetchrow(self._session, count, *filter_args)
        return [_record(row) for row in rows], total[0] if total else 0

    async def busy_periods_of_doctor(
        self,
        doctor_id: uuid.UUID,
        start: datetime,
        end: datetime,
        *,
        include_bookings: bool = True,
        excluding: uuid.UUID | None = None,
    ) -> list[tuple[datetime, datetime]]:
        """The doctor's time off and, if asked, live appointments overlapping [start, end), at once."""
        if not include_bookings:
            rows = await driver.fetch(self._session, _BUSY_PERIODS.format(bookings=""), doctor_id, start, end)
        else:
            statement = _BUSY_PERIODS.format(bookings=_BOOKINGS)
            earliest = start - MAX_APPOINTMENT_LENGTH
            rows = await driver.fetch(self._session, statement, doctor_id, start, end, earliest, excluding)
        return [(row[0], row[1]) for row in rows]

    async def patient_has_overlap(
        self, patient_id: uuid.UUID, start: datetime, end: datetime, *, excluding: uuid.UUID | None
    ) -> bool:
        row = await driver.fetchrow(self._session, _PATIENT_OVERLAP, patient_id, start, end, excluding)
        return bool(row and row[0])

    async def lock_for_booking(self, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> None:
        """Serialises bookings touching one patient or one doctor, always in that order.

        The patient lock keeps the open-appointment limit true under races; the doctor lock
        makes concurrent bookings of one slot queue up and get a clean 409 from the check,
        instead of all inserting and deadlocking on the exclusion constraint.
        """
        await driver.execute(self._session, _LOCK_PATIENT, patient_id)
        await driver.execute(self._session, _LOCK_DOCTOR, doctor_id)

    async def count_open_future(self, patient_id: uuid.UUID, now: datetime) -> int:
        row = await driver.fetchrow(self._session, _OPEN_FUTURE, patient_id, now)
        return int(row[0]) if row else 0

    async def insert_unless_taken(self, new: NewAppointment) -> AppointmentRecord | None:
        """The appointment as stored; None when a live appointment of its doctor or patient
        already overlaps it (the exclusion constraints, the last word on a race)."""
        row = await driver.fetchrow(
            self._session, _INSERT, uuid.uuid4(), new.patient_id, new.doctor_id, new.service_id,
            new.start_time, new.end_time, AppointmentStatus.scheduled.value, new.type.value, new.notes,
        )  # fmt: skip
        return None if row is None else _record(row)

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
