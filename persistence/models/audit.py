"""The access audit trail. Its chain, guards and triggers live in the migration (20261130_02)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Identity, Index, LargeBinary, SmallInteger, UniqueConstraint, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from persistence.db import Base


class AuditEvent(Base):
    """One access to patient data (or a sign-in, or a setting changed); never updated.

    chain, chain_seq, occurred_at, prev_hash and hash are set by the insert trigger.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("chain", "chain_seq"),
        Index(None, "patient_id", "occurred_at", postgresql_where=text("patient_id IS NOT NULL")),
        Index(None, "patient_ids", postgresql_using="gin", postgresql_where=text("patient_ids IS NOT NULL")),
        Index(None, "actor_id", "occurred_at"),
        Index(None, "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    chain: Mapped[int] = mapped_column(SmallInteger)
    chain_seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str | None]
    action: Mapped[str]
    object_type: Mapped[str]
    object_id: Mapped[str | None]
    patient_id: Mapped[uuid.UUID | None]  # the patient of a single-object event
    # A list read's: every patient whose rows it returned (NULL for other events). Hashed after
    # the other fields, and only when not NULL (migration 20261202_01).
    patient_ids: Mapped[list[uuid.UUID] | None] = mapped_column(ARRAY(Uuid))
    outcome: Mapped[str]
    request_id: Mapped[str | None]
    client_ip: Mapped[str | None]
    user_agent: Mapped[str | None]
    detail: Mapped[dict[str, Any] | None]
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class AuditChainHead(Base):
    """The last event of each chain; moved only by the insert trigger."""

    __tablename__ = "audit_chain_heads"

    chain: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[bytes] = mapped_column(LargeBinary)


class AuditCheckpoint(Base):
    """The last purged event of each chain (seq 0 and the genesis hash before any purge)."""

    __tablename__ = "audit_checkpoints"

    chain: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[bytes] = mapped_column(LargeBinary)
    purged_before: Mapped[datetime | None]
