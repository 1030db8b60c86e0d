import uuid
from decimal import Decimal

from sqlalchemy import CHAR, CheckConstraint, ForeignKey, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from persistence.db import Base
from persistence.models._columns import CreatedAt, UpdatedAt, UUIDPk


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration_minutes"),
        CheckConstraint("price >= 0", name="price"),
    )

    id: Mapped[UUIDPk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None]
    duration_minutes: Mapped[int]
    price: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    currency: Mapped[str] = mapped_column(CHAR(3), default="EUR", server_default="EUR")
    active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class DoctorService(Base):
    """Which services a doctor offers."""

    __tablename__ = "doctor_services"

    doctor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("doctors.user_id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True, index=True
    )
