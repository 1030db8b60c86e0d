"""The appointment state machine: which status changes exist, and who may make them."""

from persistence.models import AppointmentStatus, UserRole

S = AppointmentStatus
STAFF = frozenset({UserRole.doctor, UserRole.admin})
EVERYONE = frozenset({UserRole.patient, UserRole.doctor, UserRole.admin})

# (from, to) → roles allowed to make the change. Patients may only cancel, and only before the start.
TRANSITIONS: dict[tuple[AppointmentStatus, AppointmentStatus], frozenset[UserRole]] = {
    (S.scheduled, S.confirmed): STAFF,
    (S.scheduled, S.cancelled): EVERYONE,
    (S.confirmed, S.cancelled): EVERYONE,
    (S.confirmed, S.completed): STAFF,
    (S.confirmed, S.no_show): STAFF,
}

RESCHEDULABLE = (S.scheduled, S.confirmed)


def allowed_targets(current: AppointmentStatus, role: UserRole) -> list[str]:
    return [to.value for (frm, to), roles in TRANSITIONS.items() if frm == current and role in roles]


def sources_of(target: AppointmentStatus) -> list[AppointmentStatus]:
    """The statuses from which `target` can be reached (the compare-and-swap's expected set)."""
    return [frm for (frm, to) in TRANSITIONS if to == target]
