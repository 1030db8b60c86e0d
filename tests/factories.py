"""Small factories per domain, writing through the same services the app uses."""

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Service, User, UserRole
from services.accounts import AccountService, NewUser
from services.catalog import CatalogService

PASSWORD = "correct-horse-battery"


async def make_user(
    session: AsyncSession,
    role: str = "patient",
    *,
    email: str | None = None,
    name: str = "Test Person",
    specialty: str | None = None,
    service_ids: list[uuid.UUID] | None = None,
) -> User:
    accounts = AccountService(session, password_min_length=10)
    return await accounts.create(
        NewUser(
            email=email or f"{role}-{uuid.uuid4().hex[:10]}@example.com",
            password=PASSWORD,
            name=name,
            role=UserRole(role),
            specialty=specialty,
            service_ids=service_ids or (),
        )
    )


async def make_service(
    session: AsyncSession, *, name: str | None = None, minutes: int = 30, active: bool = True
) -> Service:
    return await CatalogService(session).create_service(
        name=name or f"Service {uuid.uuid4().hex[:8]}",
        description=None,
        duration_minutes=minutes,
        price=Decimal("50.00"),
        currency="EUR",
        active=active,
    )
