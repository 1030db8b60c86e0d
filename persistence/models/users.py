import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.dialects.postgresql import CITEXT
from sqlalchemy.orm import Mapped, mapped_column, relationship

from persistence.db import Base
from persistence.models._columns import CreatedAt, UpdatedAt, UUIDPk, pg_enum


class UserRole(StrEnum):
    patient = "patient"
    doctor = "doctor"
    admin = "admin"


class Principal(Protocol):
    """Who is asking, as the access rules read it: an account's id and role. A `User` row is
    one; so is the `Caller` behind a checked access token."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def role(self) -> UserRole: ...


@dataclass(frozen=True, slots=True)
class Caller:
    """The active account an access token was checked against: its id and role, no ORM row
    (loading one, for every request, cost about a fifth of a list's CPU)."""

    id: uuid.UUID
    role: UserRole


class User(Base):
    __tablename__ = "users"

    id: Mapped[UUIDPk]
    # citext: unique and compared case-insensitively, so lookups need no lower().
    email: Mapped[str] = mapped_column(CITEXT, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(pg_enum(UserRole, "user_role"))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class Patient(Base):
    __tablename__ = "patients"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    date_of_birth: Mapped[date | None]
    created_at: Mapped[CreatedAt]

    user: Mapped[User] = relationship(lazy="raise")


class Doctor(Base):
    __tablename__ = "doctors"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    specialty: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None]

    user: Mapped[User] = relationship(lazy="raise")
