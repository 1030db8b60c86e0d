"""audit_events: a chain's head row moves once per insert statement, not once per event.

The linking trigger of 20261130_02 updated the head row for every event: an insert of n
events made n versions of that row in one transaction (each found again by the next event's
`FOR UPDATE`), and left them dead for vacuum (after a benchmark run, 4 live heads held 15 MB).
Now the first event of a statement takes the head `FOR UPDATE` as before; the events after it
link to the previous one through a transaction-local setting (`silverstar.audit_link`: seq
and hash of the statement's last event), and an AFTER STATEMENT trigger writes that to the head
once. A BEFORE STATEMENT trigger clears the setting, so a value set by anyone else before the
statement is never linked to. The hashes, sequence numbers and verification are unchanged.

Revision ID: 20261130_03
Revises: 20261130_02
Create Date: 2026-11-30 00:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261130_03"
down_revision: str | None = "20261130_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The event's hashed text, as 20261130_02 defined it.
_HASH = """sha256(NEW.prev_hash || convert_to(
        audit_field(NEW.chain::text) || audit_field(NEW.chain_seq::text)
        || audit_field(to_char(NEW.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))
        || audit_field(NEW.actor_id::text) || audit_field(NEW.actor_role) || audit_field(NEW.action)
        || audit_field(NEW.object_type) || audit_field(NEW.object_id) || audit_field(NEW.patient_id::text)
        || audit_field(NEW.outcome) || audit_field(NEW.request_id) || audit_field(NEW.client_ip)
        || audit_field(NEW.user_agent) || audit_field(NEW.detail::text),
        'UTF8'))"""

UPGRADE = [
    """
CREATE FUNCTION audit_events_statement_begins() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('silverstar.audit_link', '', true);
    RETURN NULL;
END
$$""",
    f"""
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
    NEW.hash := {_HASH};
    PERFORM set_config('silverstar.audit_link', NEW.chain_seq || ':' || encode(NEW.hash, 'hex'), true);
    RETURN NEW;
END
$$""",
    """
CREATE FUNCTION audit_events_statement_ends() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    link text := current_setting('silverstar.audit_link', true);
BEGIN
    IF coalesce(link, '') <> '' THEN
        UPDATE audit_chain_heads
            SET last_seq = split_part(link, ':', 1)::bigint, last_hash = decode(split_part(link, ':', 2), 'hex')
            WHERE chain = pg_backend_pid() % 4;
        PERFORM set_config('silverstar.audit_link', '', true);
    END IF;
    RETURN NULL;
END
$$""",
    """
CREATE TRIGGER audit_events_statement_begins BEFORE INSERT ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_statement_begins()""",
    """
CREATE TRIGGER audit_events_statement_ends AFTER INSERT ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_statement_ends()""",
]

DOWNGRADE = [
    "DROP TRIGGER audit_events_statement_ends ON audit_events",
    "DROP TRIGGER audit_events_statement_begins ON audit_events",
    "DROP FUNCTION audit_events_statement_ends()",
    "DROP FUNCTION audit_events_statement_begins()",
    f"""
CREATE OR REPLACE FUNCTION audit_events_link() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_heads%ROWTYPE;
BEGIN
    NEW.chain := pg_backend_pid() % 4;
    SELECT * INTO head FROM audit_chain_heads WHERE chain = NEW.chain FOR UPDATE;
    NEW.chain_seq := head.last_seq + 1;
    NEW.prev_hash := head.last_hash;
    -- Taken under the head's lock: times never go backwards along a chain.
    NEW.occurred_at := date_trunc('microseconds', clock_timestamp());
    NEW.hash := {_HASH};
    UPDATE audit_chain_heads SET last_seq = NEW.chain_seq, last_hash = NEW.hash WHERE chain = NEW.chain;
    RETURN NEW;
END
$$""",
]


def upgrade() -> None:
    # exec_driver_sql: no bind-parameter parsing, so `:` and `%` in the SQL stay as written.
    for statement in UPGRADE:
        op.get_bind().exec_driver_sql(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.get_bind().exec_driver_sql(statement)
