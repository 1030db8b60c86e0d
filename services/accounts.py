"""Accounts: patient registration, sign-in, and the admin's management of users."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.errors import Conflict, Forbidden, NotFound, Unprocessable
from kernel.passwords import check_password_policy, hash_password, needs_rehash, verify_password
from persistence.models import Doctor, Patient, Principal, User, UserRole
from persistence.repositories.catalog import DoctorRepository, ServiceRepository
from persistence.repositories.users import UserRepository
from services.policies import ADMIN_ONLY_FIELDS, may_change_account_fields


@dataclass(frozen=True)
class NewUser:
    email: str
    password: str
    name: str
    phone: str | None = None
    role: UserRole = UserRole.patient
    specialty: str | None = None
    service_ids: Sequence[uuid.UUID] = ()


@dataclass(frozen=True)
class UserChanges:
    """Only the fields the client sent; `None` in `phone` clears it."""

    fields: dict[str, object]


@dataclass(frozen=True)
class UpdatedUser:
    user: User
    previous_role: UserRole  # the audit records a role change as an event of its own


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _could_be_stored(email: str) -> bool:
    """False for an email no account can have: PostgreSQL refuses NUL in text."""
    return "\x00" not in email


async def _keep_connection() -> None:
    pass


class AccountService:
    """`release_connection` gives the request's pooled connection back before password hashing
    (a large part of a second of CPU), so a burst of sign-ins cannot exhaust the pool; it is
    called only before this service has written anything."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        password_min_length: int,
        release_connection: Callable[[], Awaitable[None]] = _keep_connection,
    ) -> None:
        self._session = session
        self._users = UserRepository(session)
        self._password_min_length = password_min_length
        self._release_connection = release_connection

    async def create(self, new: NewUser) -> User:
        # The account's own words (the email's name part, the name) make a guessable password.
        await check_password_policy(
            new.password,
            min_length=self._password_min_length,
            context=(new.email.partition("@")[0], new.name),
        )
        email = normalise_email(new.email)
        # Hashed before looking the email up, so a taken email costs the same time as a free
        # one: the answer's timing does not tell which emails have accounts.
        await self._release_connection()
        password_hash = await hash_password(new.password)
        if await self._users.get_by_email(email) is not None:
            raise Conflict("An account with this email already exists.")
        user = User(
            id=uuid.uuid4(),
            email=email,
            password_hash=password_hash,
            role=new.role,
            name=new.name.strip(),
            phone=new.phone,
            is_active=True,
        )
        profiles: list[Patient | Doctor] = []
        if new.role == UserRole.patient:
            profiles.append(Patient(user_id=user.id))
        elif new.role == UserRole.doctor:
            profiles.append(Doctor(user_id=user.id, specialty=new.specialty))
        elif new.specialty or new.service_ids:
            raise Unprocessable("Only doctors have a specialty and services.")
        if not await self._users.add(user, *profiles):
            raise Conflict("An account with this email already exists.")
        if new.role == UserRole.doctor and new.service_ids:
            await self._check_services_exist(new.service_ids)
            await DoctorRepository(self._session).replace_services(user.id, new.service_ids)
        return user

    async def _check_services_exist(self, service_ids: Sequence[uuid.UUID]) -> None:
        services = await ServiceRepository(self._session).get_many(service_ids)
        if len(services) != len(set(service_ids)):
            raise Unprocessable("One or more services do not exist.")

    async def authenticate(self, email: str, password: str) -> User | None:
        """The active user with these credentials, else None, after the same work either way."""
        email = normalise_email(email)
        user = await self._users.get_by_email(email) if _could_be_stored(email) else None
        await self._release_connection()
        if not await verify_password(user.password_hash if user else None, password):
            return None
        assert user is not None
        if not user.is_active:
            return None
        if needs_rehash(user.password_hash):
            user.password_hash = await hash_password(password)
            await self._session.flush()
        return user

    async def change_password(self, user: User, current: str, new: str) -> None:
        """The user's own password, after proving the current one (403 if it is wrong)."""
        await check_password_policy(
            new, min_length=self._password_min_length, context=(user.email.partition("@")[0], user.name)
        )
        await self._release_connection()
        if not await verify_password(user.password_hash, current):
            raise Forbidden("The current password is incorrect.")
        user.password_hash = await hash_password(new)
        await self._session.flush()

    async def get_visible(self, actor: Principal, user_id: uuid.UUID) -> User:
        """An account the actor may see (`readable_users`); anyone else's is not found (404, not 403)."""
        user = await self._users.get_readable(actor, user_id)
        if user is None:
            raise NotFound("No such user.")
        return user

    async def update(self, actor: Principal, user_id: uuid.UUID, changes: UserChanges) -> UpdatedUser:
        user = await self.get_visible(actor, user_id)
        previous_role = user.role
        fields = dict(changes.fields)
        if not may_change_account_fields(actor, fields):
            raise Forbidden("Only an admin can change roles or deactivate accounts.")
        if actor.id == user.id and ADMIN_ONLY_FIELDS & fields.keys():
            raise Conflict("Admins cannot change their own role or deactivate themselves.")
        if "role" in fields and fields["role"] != user.role:
            await self._change_role(user, UserRole(str(fields.pop("role"))))
        for name, value in fields.items():
            setattr(user, name, value.strip() if isinstance(value, str) else value)
        await self._session.flush()
        return UpdatedUser(user, previous_role)

    async def _change_role(self, user: User, role: UserRole) -> None:
        user.role = role
        await self._users.ensure_profile(user)

    async def page(
        self, *, role: UserRole | None, query: str | None, limit: int, offset: int
    ) -> tuple[Sequence[User], int]:
        return await self._users.page(role=role, query=query, limit=limit, offset=offset)


async def ensure_first_admin(session: AsyncSession, *, email: str, password: str) -> User:
    """Idempotent: creates the admin unless an account with that email exists."""
    existing = await UserRepository(session).get_by_email(normalise_email(email))
    if existing is not None:
        return existing
    service = AccountService(session, password_min_length=10)
    return await service.create(
        NewUser(email=email, password=password, name="Administrator", role=UserRole.admin)
    )
