from datetime import time
from decimal import Decimal
from uuid import UUID

from pydantic import AwareDatetime

from generated import models as api
from generated.routes import RenderedJson
from handlers.context import RequestContext
from handlers.representations import (
    availability_out,
    doctor_out,
    doctor_page,
    schedule_out,
    service_out,
)
from services.catalog import CatalogService, TimeOffPeriod, WeeklyInterval
from services.scheduling import SchedulingService


def _timezone(ctx: RequestContext) -> str:
    return ctx.runtime.settings.clinic_timezone


class CatalogHandlers:
    async def list_services(
        self, ctx: RequestContext, *, include_inactive: bool, limit: int, offset: int
    ) -> api.ServicePage:
        services, total = await CatalogService(ctx.session).list_services(
            ctx.user, include_inactive=include_inactive, limit=limit, offset=offset
        )
        return api.ServicePage(
            items=[service_out(s) for s in services], total=total, limit=limit, offset=offset
        )

    async def create_service(self, ctx: RequestContext, *, body: api.ServiceCreate) -> api.Service:
        service = await CatalogService(ctx.session).create_service(
            name=body.name,
            description=body.description,
            duration_minutes=body.duration_minutes,
            price=Decimal(body.price),
            currency=body.currency,
            active=body.active,
        )
        return service_out(service)

    async def update_service(
        self, ctx: RequestContext, *, service_id: UUID, body: api.ServiceUpdate
    ) -> api.Service:
        changes = {
            k: v
            for k, v in body.model_dump(exclude_unset=True).items()
            if v is not None or k == "description"
        }
        if "price" in changes:
            changes["price"] = Decimal(changes["price"])
        return service_out(await CatalogService(ctx.session).update_service(service_id, changes))

    async def list_doctors(
        self,
        ctx: RequestContext,
        *,
        service_id: UUID | None,
        specialty: str | None,
        limit: int,
        offset: int,
    ) -> RenderedJson[api.DoctorPage]:
        doctors, total = await CatalogService(ctx.session).list_doctors(
            service_id=service_id, specialty=specialty, limit=limit, offset=offset
        )
        return doctor_page(doctors, _timezone(ctx), total=total, limit=limit, offset=offset)

    async def get_doctor(self, ctx: RequestContext, *, doctor_id: UUID) -> api.Doctor:
        return doctor_out(await CatalogService(ctx.session).get_doctor(doctor_id), _timezone(ctx))

    async def get_doctor_schedule(self, ctx: RequestContext, *, doctor_id: UUID) -> api.DoctorSchedule:
        return schedule_out(await CatalogService(ctx.session).get_schedule(doctor_id), _timezone(ctx))

    async def replace_doctor_schedule(
        self, ctx: RequestContext, *, doctor_id: UUID, body: api.DoctorScheduleInput
    ) -> api.DoctorSchedule:
        schedule = await CatalogService(ctx.session).replace_schedule(
            ctx.user,
            doctor_id,
            weekly_hours=[
                WeeklyInterval(i.weekday, time.fromisoformat(i.start), time.fromisoformat(i.end))
                for i in body.weekly_hours
            ],
            time_off=[TimeOffPeriod(p.start, p.end, p.reason) for p in body.time_off],
            service_ids=body.service_ids,
        )
        return schedule_out(schedule, _timezone(ctx))

    async def get_doctor_availability(
        self,
        ctx: RequestContext,
        *,
        doctor_id: UUID,
        service_id: UUID,
        from_: AwareDatetime,
        to: AwareDatetime,
    ) -> RenderedJson[api.Availability]:
        slots = await SchedulingService(ctx.session, ctx.runtime.settings).availability(
            doctor_id, service_id, from_, to
        )
        return availability_out(slots, _timezone(ctx))
