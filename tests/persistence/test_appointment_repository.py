"""A booking's insert: the exclusion constraints answer a taken time without aborting the transaction."""

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Appointment, AppointmentStatus, AppointmentType
from persistence.repositories.appointments import AppointmentRepository, NewAppointment
from tests.factories import make_user
from tests.scheduling_fixtures import local, make_clinic


async def test_a_taken_time_inserts_nothing_and_the_transaction_goes_on(session: AsyncSession) -> None:
    clinic = await make_clinic(session)
    first, second = await make_user(session, "patient"), await make_user(session, "patient")
    repository = AppointmentRepository(session)
    start = local(3, 10)

    def wanted(patient_id: uuid.UUID, minutes: int = 0) -> NewAppointment:
        at = start + timedelta(minutes=minutes)
        return NewAppointment(
            patient_id, clinic.doctor.id, clinic.service.id, at, at + timedelta(minutes=30),
            AppointmentType.video, "first visit",
        )  # fmt: skip

    booked = await repository.insert_unless_taken(wanted(first.id))
    assert booked is not None
    assert (booked.patient_id, booked.start_time, booked.type) == (first.id, start, AppointmentType.video)
    assert booked.status is AppointmentStatus.scheduled and booked.notes == "first visit"
    assert booked.created_at is not None

    # The doctor's time, wanted by another patient; then the first patient's own time, with
    # another doctor: neither is stored, and the session can still write.
    assert await repository.insert_unless_taken(wanted(second.id, minutes=15)) is None
    other = await make_clinic(session)
    clash = wanted(first.id)._replace(doctor_id=other.doctor.id, service_id=other.service.id)
    assert await repository.insert_unless_taken(clash) is None
    assert await repository.insert_unless_taken(wanted(second.id, minutes=30)) is not None

    stored = await session.scalar(
        select(func.count()).select_from(Appointment).where(Appointment.patient_id.in_([first.id, second.id]))
    )
    assert stored == 2
