from uuid import UUID

from pydantic import AwareDatetime

from generated import models as api
from generated.routes import RenderedJson
from handlers.context import RequestContext
from handlers.representations import appointment_out, appointment_page
from persistence.models import AppointmentStatus, AppointmentType
from services.audit import AuditAction
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
    ) -> RenderedJson[api.AppointmentPage]:
        filters = AppointmentFilter(
            patient_id=patient_id,
            doctor_id=doctor_id,
            status=AppointmentStatus(status) if status else None,
            start_from=from_,
            start_to=to,
        )
        appointments, total = await _scheduling(ctx).page(ctx.user, filters, limit=limit, offset=offset)
        ctx.audit.listed(AuditAction.APPOINTMENT_LIST, "appointment", (a.patient_id for a in appointments))
        return appointment_page(appointments, total=total, limit=limit, offset=offset)

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
        booked = await _scheduling(ctx).book(ctx.user, booking)
        ctx.audit.record(
            AuditAction.APPOINTMENT_CREATE, "appointment", booked.id, patient_id=booked.patient_id
        )
        return appointment_out(booked)

    async def get_appointment(self, ctx: RequestContext, *, appointment_id: UUID) -> api.Appointment:
        appointment = await _scheduling(ctx).get(ctx.user, appointment_id)
        ctx.audit.read(AuditAction.APPOINTMENT_READ, "appointment", appointment.id, appointment.patient_id)
        return appointment_out(appointment)

    async def update_appointment(
        self, ctx: RequestContext, *, appointment_id: UUID, body: api.AppointmentUpdate
    ) -> api.Appointment:
        changes = AppointmentChanges(
            status=AppointmentStatus(body.status) if body.status else None,
            start=body.start_time,
            notes=body.notes,
            notes_sent="notes" in body.model_fields_set,
        )
        changed = await _scheduling(ctx).change(ctx.user, appointment_id, changes)
        fields = sorted(body.model_dump(exclude_unset=True, by_alias=True))
        ctx.audit.record(
            AuditAction.APPOINTMENT_UPDATE,
            "appointment",
            changed.id,
            patient_id=changed.patient_id,
            detail={"fields": fields},
        )
        return appointment_out(changed)
