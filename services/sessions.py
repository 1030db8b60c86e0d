"""Sessions: a sign-in is a family of one-time refresh tokens, each renewing a short access token.

- `start` opens a family; `rotate` spends the presented refresh token and issues the next one.
  A spent token presented again means it was copied: the caller learns only that it is
  invalid, and the handler revokes the whole family (see `ReusedRefreshToken`).
- Access tokens carry their family as `sid`. Ending a family (logout, password change,
  deactivation) revokes its refresh tokens; the request context's account lookup refuses an
  access token whose family has a revoked token, in the same query, so the access tokens die
  with the commit that ended their session (in other worker processes, within
  CALLER_CACHE_SECONDS: services/caller_cache.py).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.errors import InvalidToken
from kernel.tokens import TokenService, new_refresh_token, refresh_token_digest
from persistence.models import RefreshToken, User
from persistence.repositories.sessions import RefreshTokenRepository
from persistence.repositories.users import UserRepository


@dataclass(frozen=True)
class IssuedSession:
    user: User
    session_id: uuid.UUID
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class ReusedRefreshToken(InvalidToken):
    """A refresh token presented after it was spent. Its family has been revoked in the
    session; the caller commits that before answering 401 (an error rolls back otherwise)."""

    def __init__(self, family_id: uuid.UUID, user_id: uuid.UUID) -> None:
        super().__init__("The refresh token is invalid, expired or revoked.")
        self.family_id = family_id
        self.user_id = user_id


def _invalid_refresh_token() -> InvalidToken:
    return InvalidToken("The refresh token is invalid, expired or revoked.")


class SessionService:
    def __init__(self, session: AsyncSession, tokens: TokenService) -> None:
        self._tokens = tokens
        self._refresh_tokens = RefreshTokenRepository(session)
        self._users = UserRepository(session)

    async def start(self, user: User) -> IssuedSession:
        return await self._issue(user, uuid.uuid4())

    async def rotate(self, refresh_token: str) -> IssuedSession:
        now = datetime.now(UTC)
        digest = refresh_token_digest(refresh_token)
        spent = await self._refresh_tokens.spend(digest, now)
        if spent is None:
            known = await self._refresh_tokens.get_by_digest(digest)
            if known is not None and known.used_at is not None and known.revoked_at is None:
                await self._refresh_tokens.revoke_family(known.family_id, now)
                raise ReusedRefreshToken(known.family_id, known.user_id)
            raise _invalid_refresh_token()
        user = await self._users.get(spent.user_id)
        if user is None or not user.is_active:
            raise _invalid_refresh_token()
        return await self._issue(user, spent.family_id)

    async def end(self, session_id: uuid.UUID) -> None:
        await self._refresh_tokens.revoke_family(session_id, datetime.now(UTC))

    async def end_all(self, user_id: uuid.UUID, *, keep: uuid.UUID | None = None) -> Sequence[uuid.UUID]:
        """Ends every session of the user except `keep`; the sessions it ended."""
        return await self._refresh_tokens.revoke_user(user_id, datetime.now(UTC), keep=keep)

    async def _issue(self, user: User, family_id: uuid.UUID) -> IssuedSession:
        refresh_token = new_refresh_token()
        await self._refresh_tokens.add(
            RefreshToken(
                id=uuid.uuid4(),
                family_id=family_id,
                user_id=user.id,
                token_digest=refresh_token_digest(refresh_token),
                expires_at=datetime.now(UTC) + self._tokens.refresh_ttl,
            )
        )
        return IssuedSession(
            user=user,
            session_id=family_id,
            access_token=self._tokens.issue(user.id, user.role, session_id=family_id),
            expires_in=int(self._tokens.ttl.total_seconds()),
            refresh_token=refresh_token,
            refresh_expires_in=int(self._tokens.refresh_ttl.total_seconds()),
        )
