"""Recording accesses to patient data: what a request (or job) did, written with its transaction.

A request collects its events in an `AuditTrail`; the request context writes them all in one
statement just before its commit, so a change is never committed without its event and a
rolled-back change leaves none. A GET's read events are committed before its response, in a
batch with other requests' (services/audit_reads.py): durable once the caller has the data.
Events marked `keep_on_failure` (refused attempts, failed sign-ins) are written in a
transaction of their own when the request fails.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Principal, User, UserRole
from persistence.repositories.audit import NewAuditEvent, append_events


class AuditAction(StrEnum):
    LOGIN = "auth.login"
    TOKEN_REFRESH = "auth.refresh"  # noqa: S105 (an action name)
    LOGOUT = "auth.logout"
    USER_READ = "user.read"
    USER_LIST = "user.list"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    ROLE_CHANGE = "user.role_change"
    PASSWORD_CHANGE = "user.password_change"  # noqa: S105 (an action name)
    APPOINTMENT_READ = "appointment.read"
    APPOINTMENT_LIST = "appointment.list"
    APPOINTMENT_CREATE = "appointment.create"
    APPOINTMENT_UPDATE = "appointment.update"
    DOCUMENT_READ = "document.read"
    DOCUMENT_LIST = "document.list"
    DOCUMENT_CREATE = "document.create"
    DOCUMENT_DELETE = "document.delete"
    DOCUMENT_DOWNLOAD = "document.download"
    CONVERSATION_MESSAGE = "conversation.message"
    AI_LOG_LIST = "ai_log.list"
    TWILIO_SETTINGS_CHANGE = "integration.twilio_change"
    AUDIT_LIST = "audit.list"
    ACCESS_LOG_READ = "audit.access_log_read"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"  # e.g. a wrong password
    REFUSED = "refused"  # 401/403/404 on someone else's object or a role's limit


def storable(text: str) -> str:
    """Text PostgreSQL accepts: no NUL, no lone surrogates (an attempt's raw input may hold them)."""
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def patient_of(user: Principal) -> uuid.UUID | None:
    """The patient a user account's data concerns: itself, when it is a patient's."""
    return user.id if user.role == UserRole.patient else None


@dataclass(frozen=True)
class Actor:
    """Who acted, copied out of the account row (which a rollback expires)."""

    id: uuid.UUID
    role: str

    @classmethod
    def of(cls, user: Principal) -> "Actor":
        return cls(user.id, user.role.value)


@dataclass(frozen=True)
class RequestOrigin:
    request_id: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass
class AuditTrail:
    """The events of one request or job, written by whoever owns its transaction."""

    origin: RequestOrigin = field(default_factory=RequestOrigin)
    actor: Actor | None = None
    record_reads: bool = True
    pending: list[NewAuditEvent] = field(default_factory=list)
    kept_on_failure: list[NewAuditEvent] = field(default_factory=list)

    def record(
        self,
        action: AuditAction,
        object_type: str,
        object_id: object | None = None,
        *,
        patient_id: uuid.UUID | None = None,
        patient_ids: list[uuid.UUID] | None = None,
        outcome: Outcome = Outcome.SUCCESS,
        detail: dict[str, Any] | None = None,
        actor: Principal | None = None,
        keep_on_failure: bool = False,
    ) -> None:
        """One event. `actor` overrides the caller (a sign-in's user, before there is a caller)."""
        who = Actor.of(actor) if actor else self.actor
        event = NewAuditEvent(
            action=action.value,
            object_type=object_type,
            outcome=outcome.value,
            object_id=None if object_id is None else storable(str(object_id))[:200],
            patient_id=patient_id,
            actor_id=who.id if who else None,
            actor_role=who.role if who else None,
            request_id=self.origin.request_id,
            client_ip=self.origin.client_ip,
            user_agent=self.origin.user_agent,
            detail=detail,
            patient_ids=patient_ids,
        )
        (self.kept_on_failure if keep_on_failure else self.pending).append(event)

    def read(
        self, action: AuditAction, object_type: str, object_id: object, patient_id: uuid.UUID | None
    ) -> None:
        """A read of one object (skipped when AUDIT_READS is off)."""
        if self.record_reads:
            self.record(action, object_type, object_id, patient_id=patient_id)

    def listed(self, action: AuditAction, object_type: str, patient_ids: Iterable[uuid.UUID | None]) -> None:
        """A list read: one event naming every patient whose rows were returned (none, if none)."""
        if self.record_reads:
            patients = sorted({p for p in patient_ids if p is not None})
            self.record(action, object_type, patient_ids=patients)

    def take(self) -> list[NewAuditEvent]:
        """The pending events (and those kept on failure), handed to whoever writes them."""
        events, self.pending, self.kept_on_failure = [*self.pending, *self.kept_on_failure], [], []
        return events

    async def write(self, session: AsyncSession) -> None:
        """Appends the pending events (and those kept on failure) in the session's transaction."""
        await append_events(session, self.take())

    async def write_refused(self, session: AsyncSession) -> None:
        """After a rollback: only what must be kept even so."""
        events, self.kept_on_failure = self.kept_on_failure, []
        self.pending = []
        await append_events(session, events)


def record_user_change(trail: AuditTrail, user: User, old_role: UserRole, fields: Iterable[str]) -> None:
    """An account changed, and its role change (an event of its own) if it was one."""
    patient_id = patient_of(user) or (user.id if old_role == UserRole.patient else None)
    trail.record(
        AuditAction.USER_UPDATE, "user", user.id, patient_id=patient_id, detail={"fields": sorted(fields)}
    )
    if user.role != old_role:
        detail = {"from": old_role.value, "to": user.role.value}
        trail.record(AuditAction.ROLE_CHANGE, "user", user.id, patient_id=patient_id, detail=detail)
