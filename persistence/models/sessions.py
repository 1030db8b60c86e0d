import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, text
from sqlalchemy.orm import Mapped, mapped_column

from persistence.db import Base
from persistence.models._columns import CreatedAt, UUIDPk


class RefreshToken(Base):
    """One refresh token of a sign-in. Its family is the sign-in: every rotation adds a row with
    the same family_id and marks the presented one used; a used one presented again, or a
    logout, revokes the whole family."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        Index("refresh_tokens_user_id_idx", "user_id", postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[UUIDPk]
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # SHA-256 of the token; the token itself is never stored.
    token_digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[CreatedAt]
