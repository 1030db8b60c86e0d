from datetime import datetime

from sqlalchemy import CheckConstraint, LargeBinary, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from persistence.db import Base


class TwilioConfig(Base):
    """The clinic's Twilio account: a single row, id 1, edited by admins."""

    __tablename__ = "twilio_config"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=1, autoincrement=False)
    account_sid: Mapped[str] = mapped_column(String(64))
    auth_token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet token
    phone_number: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
