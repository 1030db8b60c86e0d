import uuid
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence import driver
from persistence.models import Caller, Doctor, Patient, Principal, User, UserRole
from persistence.paging import page_of


def readable_users(actor: Principal) -> Select[User]:
    """Admins see every account; everyone else only their own."""
    query = select(User)
    return query if actor.role == UserRole.admin else query.where(User.id == actor.id)


class CallerStatus(NamedTuple):
    caller: Caller
    is_active: bool
    session_ended: bool


# $2 NULL (a token without a session) matches no family: the session has not ended.
_CALLER_STATUS = """
SELECT users.role, users.is_active, EXISTS (
    SELECT FROM refresh_tokens
    WHERE refresh_tokens.family_id = $2 AND refresh_tokens.revoked_at IS NOT NULL
)
FROM users WHERE users.id = $1
"""


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self._session.get(User, user_id)

    async def get_caller(self, user_id: uuid.UUID, session_id: uuid.UUID | None) -> CallerStatus | None:
        """The account behind an access token, whether it is active and whether the token's
        session has ended (its refresh tokens revoked), in one statement; None if there is no
        such account."""
        row = await driver.fetchrow(self._session, _CALLER_STATUS, user_id, session_id)
        if row is None:
            return None
        role, is_active, session_ended = row
        return CallerStatus(Caller(user_id, UserRole(role)), is_active, session_ended)

    async def get_active_patient(self, user_id: uuid.UUID) -> User | None:
        """The user, if they are a patient whose account is active."""
        return await self._session.scalar(
            select(User).where(User.id == user_id, User.role == UserRole.patient, User.is_active)
        )

    async def get_readable(self, actor: Principal, user_id: uuid.UUID) -> User | None:
        return await self._session.scalar(readable_users(actor).where(User.id == user_id))

    async def get_by_email(self, email: str) -> User | None:
        # email is citext: equality is case-insensitive.
        return await self._session.scalar(select(User).where(User.email == email))

    async def add(self, user: User, *profiles: Patient | Doctor) -> bool:
        """False when the email is taken (a concurrent registration can still race us here)."""
        try:
            async with self._session.begin_nested():
                self._session.add(user)
                await self._session.flush()
                self._session.add_all(profiles)
                await self._session.flush()
        except IntegrityError:
            return False
        return True

    async def ensure_profile(self, user: User) -> None:
        """Every doctor has a doctors row and every patient a patients row."""
        model: type[Patient] | type[Doctor]
        model = Doctor if user.role == UserRole.doctor else Patient
        if user.role != UserRole.admin and await self._session.get(model, user.id) is None:
            self._session.add(model(user_id=user.id))
            await self._session.flush()

    async def page(
        self, *, role: UserRole | None, query: str | None, limit: int, offset: int
    ) -> tuple[Sequence[User], int]:
        stmt = select(User)
        if role is not None:
            stmt = stmt.where(User.role == role)
        if query:
            pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(or_(User.name.ilike(pattern), User.email.ilike(pattern)))
        return await page_of(self._session, stmt, (User.created_at, User.id), limit=limit, offset=offset)
