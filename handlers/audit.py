from uuid import UUID

from pydantic import AwareDatetime

from generated import models as api
from handlers.context import RequestContext
from persistence.models import AuditEvent, User
from persistence.repositories.audit import AuditFilter
from services.audit import AuditAction, patient_of
from services.audit_log import access_log, search_events


def _event_out(event: AuditEvent, actor: User | None) -> api.AuditEvent:
    return api.AuditEvent(
        id=event.id,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        actor_name=actor.name if actor else None,
        action=api.AuditAction(event.action),
        object_type=event.object_type,
        object_id=event.object_id,
        patient_id=event.patient_id,
        patient_ids=event.patient_ids,
        outcome=api.AuditOutcome(event.outcome),
        request_id=event.request_id,
        client_ip=event.client_ip,
        user_agent=event.user_agent,
        detail=event.detail,
    )


def _entry_out(event: AuditEvent, actor: User | None) -> api.AccessLogEntry:
    return api.AccessLogEntry(
        occurred_at=event.occurred_at,
        actor_name=actor.name if actor else None,
        actor_role=event.actor_role,
        action=api.AuditAction(event.action),
        object_type=event.object_type,
        object_id=event.object_id,
        outcome=api.AuditOutcome(event.outcome),
    )


class AuditHandlers:
    async def list_audit_events(
        self,
        ctx: RequestContext,
        *,
        patient_id: UUID | None,
        actor_id: UUID | None,
        action: api.AuditAction | None,
        object_type: str | None,
        object_id: str | None,
        from_: AwareDatetime | None,
        to: AwareDatetime | None,
        limit: int,
        offset: int,
    ) -> api.AuditEventPage:
        where = AuditFilter(
            patient_id=patient_id,
            actor_id=actor_id,
            action=action.value if action else None,
            object_type=object_type,
            object_id=object_id,
            since=from_,
            until=to,
        )
        events, total = await search_events(ctx.session, where, limit=limit, offset=offset)
        ctx.audit.read(AuditAction.AUDIT_LIST, "audit_event", None, patient_id)
        return api.AuditEventPage(
            items=[_event_out(e, actor) for e, actor in events], total=total, limit=limit, offset=offset
        )

    async def get_my_access_log(self, ctx: RequestContext, *, limit: int, offset: int) -> api.AccessLogPage:
        events, total = await access_log(ctx.session, ctx.user, limit=limit, offset=offset)
        ctx.audit.read(AuditAction.ACCESS_LOG_READ, "audit_event", None, patient_of(ctx.user))
        return api.AccessLogPage(
            items=[_entry_out(e, actor) for e, actor in events], total=total, limit=limit, offset=offset
        )
