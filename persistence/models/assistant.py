import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from persistence.db import Base
from persistence.models._columns import CreatedAt, UUIDPk, pg_enum


class MessageRole(StrEnum):
    user = "user"
    assistant = "assistant"


class AIChannel(StrEnum):
    chat = "chat"
    phone = "phone"


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[CreatedAt]

    messages: Mapped[list["ConversationMessage"]] = relationship(
        order_by="ConversationMessage.created_at", passive_deletes=True, lazy="raise"
    )


class ConversationMessage(Base):
    __tablename__ = "conversation_messages"
    __table_args__ = (Index(None, "conversation_id", "created_at"),)

    id: Mapped[UUIDPk]
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[MessageRole] = mapped_column(pg_enum(MessageRole, "message_role"))
    content: Mapped[str]
    created_at: Mapped[CreatedAt]


class AILog(Base):
    """One answer of the assistant, on chat or phone, for audit and cost tracking."""

    __tablename__ = "ai_logs"

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    channel: Mapped[AIChannel] = mapped_column(pg_enum(AIChannel, "ai_channel"))
    query: Mapped[str]
    response: Mapped[str]
    created_at: Mapped[CreatedAt] = mapped_column(index=True)
    source_documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    model: Mapped[str] = mapped_column(String(200))
    latency_ms: Mapped[int]
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    error: Mapped[str | None]
