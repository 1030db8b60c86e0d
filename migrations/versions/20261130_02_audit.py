"""audit_events: an append-only, hash-chained record of every access to patient data.

The chain is kept by PostgreSQL itself: a BEFORE INSERT trigger takes the chain's head row
(FOR UPDATE, so concurrent inserts on one chain serialise), links the event to the head's
hash, and moves the head. Four chains (picked by backend pid; 4 below) let four connections append
at once. UPDATE, DELETE and TRUNCATE of events raise, except a DELETE by the retention purge
(`silverstar.audit_purge` set for its transaction) of events at or before the chain's
checkpoint, which keeps the last purged event's hash as the anchor of what remains.

Revision ID: 20261130_02
Revises: 20261130_01
Create Date: 2026-11-30 00:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261130_02"
down_revision: str | None = "20261130_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
CREATE TABLE audit_chain_heads (
    chain smallint PRIMARY KEY,
    last_seq bigint NOT NULL,
    last_hash bytea NOT NULL
);
CREATE TABLE audit_checkpoints (
    chain smallint PRIMARY KEY,
    seq bigint NOT NULL,
    hash bytea NOT NULL,
    purged_before timestamptz
);
INSERT INTO audit_chain_heads (chain, last_seq, last_hash)
    SELECT c, 0, sha256(convert_to('silverstar-audit-genesis:' || c, 'UTF8'))
    FROM generate_series(0, 3) AS c;
INSERT INTO audit_checkpoints (chain, seq, hash)
    SELECT chain, last_seq, last_hash FROM audit_chain_heads;

CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    chain smallint NOT NULL,
    chain_seq bigint NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_id uuid,
    actor_role text,
    action text NOT NULL,
    object_type text NOT NULL,
    object_id text,
    patient_id uuid,
    outcome text NOT NULL,
    request_id text,
    client_ip text,
    user_agent text,
    detail jsonb,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL,
    CONSTRAINT audit_events_pkey PRIMARY KEY (id),
    CONSTRAINT audit_events_chain_chain_seq_key UNIQUE (chain, chain_seq)
);
CREATE INDEX audit_events_patient_id_occurred_at_idx ON audit_events (patient_id, occurred_at)
    WHERE patient_id IS NOT NULL;
CREATE INDEX audit_events_actor_id_occurred_at_idx ON audit_events (actor_id, occurred_at);
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);

-- One field of the hashed text: its length, a colon, the value; '-' for NULL. Unambiguous.
CREATE FUNCTION audit_field(value text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN value IS NULL THEN '-' ELSE length(value) || ':' || value END
$$;

CREATE FUNCTION audit_events_link() RETURNS trigger
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
    NEW.hash := sha256(NEW.prev_hash || convert_to(
        audit_field(NEW.chain::text) || audit_field(NEW.chain_seq::text)
        || audit_field(to_char(NEW.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))
        || audit_field(NEW.actor_id::text) || audit_field(NEW.actor_role) || audit_field(NEW.action)
        || audit_field(NEW.object_type) || audit_field(NEW.object_id) || audit_field(NEW.patient_id::text)
        || audit_field(NEW.outcome) || audit_field(NEW.request_id) || audit_field(NEW.client_ip)
        || audit_field(NEW.user_agent) || audit_field(NEW.detail::text),
        'UTF8'));
    UPDATE audit_chain_heads SET last_seq = NEW.chain_seq, last_hash = NEW.hash WHERE chain = NEW.chain;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_events_link BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_link();

CREATE FUNCTION audit_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('silverstar.audit_purge', true) = 'on' THEN
        IF OLD.chain_seq <= (SELECT seq FROM audit_checkpoints WHERE chain = OLD.chain) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- A head moves only inside the linking trigger; a checkpoint only forward, only by the purge.
CREATE FUNCTION audit_chain_heads_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% of an audit chain head refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_chain_heads_guard BEFORE UPDATE OR DELETE ON audit_chain_heads
    FOR EACH ROW EXECUTE FUNCTION audit_chain_heads_guard();

CREATE FUNCTION audit_checkpoints_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('silverstar.audit_purge', true) = 'on' THEN
        IF NEW.seq >= OLD.seq THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% of an audit checkpoint refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_checkpoints_guard BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_guard();
"""

DOWNGRADE = """
DROP TABLE audit_events;
DROP TABLE audit_checkpoints;
DROP TABLE audit_chain_heads;
DROP FUNCTION audit_checkpoints_guard();
DROP FUNCTION audit_chain_heads_guard();
DROP FUNCTION audit_events_append_only();
DROP FUNCTION audit_events_link();
DROP FUNCTION audit_field(text);
"""


def _statements(script: str) -> list[str]:
    """Splits at a `;` ending a line outside a $$-quoted function body."""
    statements, current, in_body = [], [], False
    for line in script.strip().splitlines():
        current.append(line)
        in_body ^= line.count("$$") % 2 == 1
        if not in_body and line.rstrip().endswith(";"):
            statements.append("\n".join(current))
            current = []
    return statements


def _run(script: str) -> None:
    # exec_driver_sql: no bind-parameter parsing, so `:` and `%` in the SQL stay as written.
    for statement in _statements(script):
        op.get_bind().exec_driver_sql(statement)


def upgrade() -> None:
    _run(UPGRADE)


def downgrade() -> None:
    _run(DOWNGRADE)
