from uuid import UUID

from pydantic import AwareDatetime

from generated import models as api
from handlers.context import RequestContext
from handlers.representations import appointment_out
from persistence.models import AppointmentStatus, AppointmentType
from services.scheduling import AppointmentChanges, AppointmentFilter, Booking, SchedulingService


def _scheduling(ctx: RequestContext) -> SchedulingService:
    return SchedulingService(ctx.session, ctx.runtime.settings)


class AppointmentsHandlers:
    async def list_appointments(
        self,
        ctx: RequestContext,
        *,
        patient_id: UUID | None,
        doctor_id: UUID | None,
        status: api.AppointmentStatus | None,
        from_: AwareDatetime | None,
        to: AwareDatetime | None,
        limit: int,
        offset: int,
    ) -> api.AppointmentPage:
        filters = AppointmentFilter(
            patient_id=patient_id,
            doctor_id=doctor_id,
            status=AppointmentStatus(status) if status else None,
            start_from=from_,
            start_to=to,
        )
        appointments, total = await _scheduling(ctx).page(ctx.user, filters, limit=limit, offset=offset)
        return api.AppointmentPage(
            items=[appointment_out(a) for a in appointments], total=total, limit=limit, offset=offset
        )

    async def create_appointment(
        self, ctx: RequestContext, *, body: api.AppointmentCreate
    ) -> api.Appointment:
        booking = Booking(
            doctor_id=body.doctor_id,
            service_id=body.service_id,
            start=body.start_time,
            type=AppointmentType(body.type),
            notes=body.notes,
            patient_id=body.patient_id,
        )
        return appointment_out(await _scheduling(ctx).book(ctx.user, booking))

    async def get_appointment(self, ctx: RequestContext, *, appointment_id: UUID) -> api.Appointment:
        return appointment_out(await _scheduling(ctx).get(ctx.user, appointment_id))

    async def update_appointment(
        self, ctx: RequestContext, *, appointment_id: UUID, body: api.AppointmentUpdate
    ) -> api.Appointment:
        changes = AppointmentChanges(
            status=AppointmentStatus(body.status) if body.status else None,
            start=body.start_time,
            notes=body.notes,
            notes_sent="notes" in body.model_fields_set,
        )
        return appointment_out(await _scheduling(ctx).change(ctx.user, appointment_id, changes))
