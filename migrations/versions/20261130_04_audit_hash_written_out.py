"""audit_events: the link trigger's canonical text written out instead of `audit_field` calls.

PostgreSQL does not inline a SQL function whose parameter is used more than once when the
argument is costly (`to_char(...)`, a jsonb's text), so each of the 14 `audit_field(...)` calls
ran as a function call of its own: in psql, 4,000 events cost 232 ms to insert with them and
90 ms with the same text written out (52 ms with no hash at all). A doctor's page records up
to 20 events. The text, and so every hash, is byte for byte what it was (`<length>:<value>`,
`-` for NULL; services/audit_chain.py checks it independently). `audit_field`, which nothing
calls any more, is dropped (and restored by the downgrade).

Revision ID: 20261130_04
Revises: 20261130_03
Create Date: 2026-11-30 00:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261130_04"
down_revision: str | None = "20261130_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The event's fields, in the hashed order of 20261130_02.
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


def _link_function(canonical_text: str) -> str:
    """audit_events_link() as 20261130_03 defined it, hashing `canonical_text`."""
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


# audit_field(v) was `CASE WHEN v IS NULL THEN '-' ELSE length(v) || ':' || v END` (dropped here).
WRITTEN_OUT = "\n        || ".join(f"coalesce(length({field}) || ':' || {field}, '-')" for field in _FIELDS)
CALLED = "\n        || ".join(f"audit_field({field})" for field in _FIELDS)


_AUDIT_FIELD = """
CREATE FUNCTION audit_field(value text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN value IS NULL THEN '-' ELSE length(value) || ':' || value END
$$"""


def upgrade() -> None:
    # exec_driver_sql: no bind-parameter parsing, so `:` and `%` in the SQL stay as written.
    op.get_bind().exec_driver_sql(_link_function(WRITTEN_OUT))
    op.get_bind().exec_driver_sql("DROP FUNCTION audit_field(text)")  # nothing calls it any more


def downgrade() -> None:
    op.get_bind().exec_driver_sql(_AUDIT_FIELD)
    op.get_bind().exec_driver_sql(_link_function(CALLED))
