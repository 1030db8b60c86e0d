import uuid
from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, func, literal_column, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from persistence.db import Base
from persistence.models._columns import CreatedAt, UpdatedAt, UUIDPk, pg_enum
from persistence.models.catalog import Service
from persistence.models.users import User


class AppointmentStatus(StrEnum):
    scheduled = "scheduled"
    confirmed = "confirmed"
    completed = "completed"
    cancelled = "cancelled"
    no_show = "no_show"


class AppointmentType(StrEnum):
    in_person = "in_person"
    video = "video"
    phone = "phone"


class DoctorWorkingHours(Base):
    """A weekly recurring block in the clinic's timezone; a day may have several."""

    __tablename__ = "doctor_working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint("start_time < end_time", name="time_order"),
    )

    id: Mapped[UUIDPk]
    doctor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("doctors.user_id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)  # ISO: 1 = Monday
    start_time: Mapped[time]
    end_time: Mapped[time]


class DoctorTimeOff(Base):
    __tablename__ = "doctor_time_off"
    __table_args__ = (CheckConstraint("start_time < end_time", name="time_order"),)

    id: Mapped[UUIDPk]
    doctor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("doctors.user_id", ondelete="CASCADE"), index=True
    )
    start_time: Mapped[datetime]
    end_time: Mapped[datetime]
    reason: Mapped[str | None]


def _no_overlap(column: str) -> ExcludeConstraint:
    """Nobody is in two live appointments at once; half-open, so back-to-back is fine."""
    period = func.tstzrange(literal_column("start_time"), literal_column("end_time"), literal_column("'[)'"))
    return ExcludeConstraint(
        (literal_column(column), "="),
        (period, "&&"),
        name=f"no_{column.removesuffix('_id')}_overlap",
        using="gist",
        where=text("status <> 'cancelled'"),
    )


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="time_order"),
        Index(None, "doctor_id", "start_time"),
        Index(None, "patient_id", "start_time"),
        # Both raise SQLSTATE 23P01 (exclusion_violation), named appointments_no_*_overlap.
        _no_overlap("doctor_id"),
        _no_overlap("patient_id"),
    )

    id: Mapped[UUIDPk]
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    doctor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), index=True)
    start_time: Mapped[datetime] = mapped_column(index=True)
    end_time: Mapped[datetime]
    status: Mapped[AppointmentStatus] = mapped_column(
        pg_enum(AppointmentStatus, "appointment_status"),
        default=AppointmentStatus.scheduled,
        server_default=AppointmentStatus.scheduled.value,
    )
    type: Mapped[AppointmentType] = mapped_column(
        pg_enum(AppointmentType, "appointment_type"),
        default=AppointmentType.in_person,
        server_default=AppointmentType.in_person.value,
    )
    notes: Mapped[str | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    patient: Mapped[User] = relationship(foreign_keys=[patient_id], lazy="raise")
    doctor: Mapped[User] = relationship(foreign_keys=[doctor_id], lazy="raise")
    service: Mapped[Service] = relationship(lazy="raise")
