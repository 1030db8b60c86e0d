"""audit_events.patient_ids: a list read is one event naming every patient whose rows it returned.

Before, a list read was one event per patient: a doctor's page of 20 patients' appointments
wrote 20 rows, each hashed into a chain, and its PostgreSQL CPU per page about doubled. Now it
is one row whose `patient_ids` holds them all (a GIN index finds a patient's), and `patient_id`
names the patient of single-object events only. Earlier list events keep their one-patient
form and their hashes: the link trigger appends `patient_ids` to the canonical text only when
it is not NULL (`<length>:<its text>`, e.g. `{uuid,uuid}`), so every existing event hashes as
before and `silverstar audit verify` checks both forms.

The downgrade refuses while any event names its patients in `patient_ids`: dropping the column
would break those events' hashes.

Revision ID: 20261202_01
Revises: 20261201_01
Create Date: 2026-12-02 00:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261202_01"
down_revision: str | None = "20261201_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The event's fields, in the hashed order of 20261130_02 (as written out by 20261130_04).
_FIELDS = (
    "NEW.chain::text",
    "NEW.chain_seq::text",
    """to_char(NEW.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')""",
    "NEW.actor_id::text",
    "NEW.actor_role",
    "NEW.action",
    "NEW.object_type",
    "NEW.object_id",
    "NEW.patient_id::text",
    "NEW.outcome",
    "NEW.request_id",
    "NEW.client_ip",
    "NEW.user_agent",
    "NEW.detail::text",
)
WRITTEN_OUT = "\n        || ".join(f"coalesce(length({field}) || ':' || {field}, '-')" for field in _FIELDS)
# Nothing at all when NULL (not `-`): the events written before this column hash as they did.
WITH_PATIENT_IDS = (
    WRITTEN_OUT + "\n        || coalesce(length(NEW.patient_ids::text) || ':' || NEW.patient_ids::text, '')"
)


def _link_function(canonical_text: str) -> str:
    """audit_events_link() as 20261130_04 defined it, hashing `canonical_text`."""
    return f"""
CREATE OR REPLACE FUNCTION audit_events_link() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    link text := current_setting('silverstar.audit_link', true);
    last_seq bigint;
    last_hash bytea;
BEGIN
    NEW.chain := pg_backend_pid() % 4;
    IF coalesce(link, '') = '' THEN
        SELECT h.last_seq, h.last_hash INTO last_seq, last_hash
            FROM audit_chain_heads h WHERE h.chain = NEW.chain FOR UPDATE;
    ELSE
        last_seq := split_part(link, ':', 1)::bigint;
        last_hash := decode(split_part(link, ':', 2), 'hex');
    END IF;
    NEW.chain_seq := last_seq + 1;
    NEW.prev_hash := last_hash;
    -- Taken under the head's lock: times never go backwards along a chain.
    NEW.occurred_at := date_trunc('microseconds', clock_timestamp());
    NEW.hash := sha256(NEW.prev_hash || convert_to({canonical_text}, 'UTF8'));
    PERFORM set_config('silverstar.audit_link', NEW.chain_seq || ':' || encode(NEW.hash, 'hex'), true);
    RETURN NEW;
END
$$"""


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("patient_ids", postgresql.ARRAY(sa.Uuid()), nullable=True))
    op.get_bind().exec_driver_sql(_link_function(WITH_PATIENT_IDS))
    # Built beside the appends of the servers still running: a plain CREATE INDEX would hold
    # them (every audited request) for as long as it takes to scan a long trail.
    with op.get_context().autocommit_block():
        op.create_index(
            "audit_events_patient_ids_idx",
            "audit_events",
            ["patient_ids"],
            postgresql_using="gin",
            postgresql_where=sa.text("patient_ids IS NOT NULL"),
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    listed = op.get_bind().exec_driver_sql(
        "SELECT count(*) FROM audit_events WHERE patient_ids IS NOT NULL"
    ).scalar_one()
    if listed:
        raise RuntimeError(
            f"{listed} audit events name their patients in patient_ids; "
            "dropping the column would break their hashes"
        )
    op.get_bind().exec_driver_sql(_link_function(WRITTEN_OUT))
    op.drop_index("audit_events_patient_ids_idx", table_name="audit_events")
    op.drop_column("audit_events", "patient_ids")
