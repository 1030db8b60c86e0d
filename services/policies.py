"""Who may change what: the named write rules the services apply, one per decision.

Reads never check ownership here: every read goes through its repository's readable query
(`readable_documents`, `readable_appointments`, `readable_users`), which returns only the
rows the actor may see, so another patient's object is simply not found.
"""

import uuid
from collections.abc import Iterable

from kernel.errors import Forbidden
from persistence.models import Document, Principal, UserRole

# Account fields only an admin may change.
ADMIN_ONLY_FIELDS = frozenset({"role", "is_active"})


def require_own_patient_filter(actor: Principal, patient_id: uuid.UUID | None, listing: str) -> None:
    """A patient may filter a list by no patient or by themselves, never by someone else."""
    if actor.role == UserRole.patient and patient_id not in (None, actor.id):
        raise Forbidden(f"Patients can only list their own {listing}.")


def may_delete_document(actor: Principal, document: Document) -> bool:
    """Admins delete any document; others what they uploaded, and patients their own file too."""
    return (
        actor.role == UserRole.admin
        or document.user_id == actor.id
        or (actor.role == UserRole.patient and document.patient_id == actor.id)
    )


def may_change_schedule(actor: Principal, doctor_id: uuid.UUID) -> bool:
    """Admins change any doctor's schedule; doctors their own."""
    return actor.role == UserRole.admin or actor.id == doctor_id


def may_change_account_fields(actor: Principal, fields: Iterable[str]) -> bool:
    """Roles and deactivation are an admin's; the rest of one's own profile is one's own."""
    return actor.role == UserRole.admin or not ADMIN_ONLY_FIELDS & set(fields)
