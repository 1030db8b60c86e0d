import uuid
from collections.abc import Sequence

from sqlalchemy import Select, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Doctor, Patient, RefreshToken, User, UserRole
from persistence.paging import page_of


def readable_users(actor: User) -> Select[User]:
    """Admins see every account; everyone else only their own."""
    query = select(User)
    return query if actor.role == UserRole.admin else query.where(User.id == actor.id)


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self._session.get(User, user_id)

    async def get_caller(self, user_id: uuid.UUID, session_id: uuid.UUID | None) -> tuple[User, bool] | None:
        """The account behind an access token and whether the token's session has ended
        (its refresh tokens revoked), in one query; None if there is no such account."""
        ended = (
            select(RefreshToken.id)
            .where(RefreshToken.family_id == session_id, RefreshToken.revoked_at.is_not(None))
            .exists()
            if session_id is not None
            else false()
        )
        row = (await self._session.execute(select(User, ended).where(User.id == user_id))).first()
        return None if row is None else (row[0], bool(row[1]))

    async def get_active_patient(self, user_id: uuid.UUID) -> User | None:
        """The user, if they are a patient whose account is active."""
        return await self._session.scalar(
            select(User).where(User.id == user_id, User.role == UserRole.patient, User.is_active)
        )

    async def get_readable(self, actor: User, user_id: uuid.UUID) -> User | None:
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
