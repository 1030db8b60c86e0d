import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from persistence.db import Base
from persistence.models._columns import CreatedAt, UUIDPk, pg_enum


class CallTurnStatus(StrEnum):
    pending = "pending"
    done = "done"
    failed = "failed"


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[UUIDPk]
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_number: Mapped[str | None] = mapped_column(String(32))
    to_number: Mapped[str | None] = mapped_column(String(32))
    # Twilio's CallStatus vocabulary (queued, ringing, in-progress, completed, ...), kept as sent.
    status: Mapped[str] = mapped_column(String(32))
    duration_seconds: Mapped[int | None]
    silent_turns: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    started_at: Mapped[CreatedAt]
    ended_at: Mapped[datetime | None]

    turns: Mapped[list["CallTurn"]] = relationship(
        order_by="CallTurn.created_at", passive_deletes=True, lazy="raise"
    )


class CallTurn(Base):
    """One caller utterance (a recording) and the assistant's answer to it."""

    __tablename__ = "call_turns"

    id: Mapped[UUIDPk]
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    recording_url: Mapped[str]
    status: Mapped[CallTurnStatus] = mapped_column(
        pg_enum(CallTurnStatus, "call_turn_status"),
        default=CallTurnStatus.pending,
        server_default=CallTurnStatus.pending.value,
    )
    transcript: Mapped[str | None]
    answer: Mapped[str | None]
    error: Mapped[str | None]
    timings: Mapped[dict[str, Any] | None]
    created_at: Mapped[CreatedAt]
    completed_at: Mapped[datetime | None]
