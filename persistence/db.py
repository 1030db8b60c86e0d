"""Declarative base, naming convention, engine and session factory."""

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Text, event
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session

from kernel.telemetry import instrument_engine

# Names as PostgreSQL would pick them, so migrations are deterministic and error handlers
# can match a violated constraint by name (e.g. "appointments_no_doctor_overlap").
NAMING_CONVENTION: dict[Any, str] = {
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
    ExcludeConstraint: "%(table_name)s_%(constraint_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSONB,
        str: Text,
    }


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine for one process; keyword arguments override the pool defaults."""
    options: dict[str, Any] = {
        "pool_size": 10,
        "max_overflow": 10,
        "pool_timeout": 10,
        # No pre-ping: with asyncpg it costs three round trips per checkout (measured ~9 % of a
        # list request). A connection killed by a database restart fails one request instead.
        "pool_pre_ping": False,
        "pool_recycle": 1800,
    }
    options.update(kwargs)
    return instrument_engine(create_async_engine(url, **options))


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class ReadOnlySession(Session):
    """A session whose statements each run on their own (autocommit): it refuses to write."""


class WriteInReadOnlySession(RuntimeError):
    pass


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_flush(session: Session, *_: Any) -> None:
    raise WriteInReadOnlySession("a read-only (GET) request tried to flush changes")


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _refuse_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise WriteInReadOnlySession("a read-only (GET) request tried to write")


def create_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: no BEGIN/COMMIT round trips around their queries.

    Under READ COMMITTED every statement sees its own snapshot anyway, so a read-only
    request's answer is the same with or without the surrounding transaction.
    """
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        sync_session_class=ReadOnlySession,
    )
