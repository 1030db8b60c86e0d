import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import RefreshToken


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: RefreshToken) -> None:
        self._session.add(token)
        await self._session.flush()

    async def spend(self, digest: bytes, now: datetime) -> RefreshToken | None:
        """Marks the live token with this digest used and returns it; None if there is none.

        One UPDATE: of two requests presenting the same token at once, exactly one spends it.
        """
        spent = await self._session.scalar(
            update(RefreshToken)
            .where(
                RefreshToken.token_digest == digest,
                RefreshToken.used_at.is_(None),
                RefreshToken.revoked_at.is_(None),
                RefreshToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(RefreshToken)
            .execution_options(synchronize_session=False)
        )
        return spent

    async def get_by_digest(self, digest: bytes) -> RefreshToken | None:
        return await self._session.scalar(select(RefreshToken).where(RefreshToken.token_digest == digest))

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )

    async def revoke_user(
        self, user_id: uuid.UUID, now: datetime, *, keep: uuid.UUID | None
    ) -> Sequence[uuid.UUID]:
        """Revokes every family of the user but `keep`; the families it revoked."""
        query = update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        if keep is not None:
            query = query.where(RefreshToken.family_id != keep)
        revoked = await self._session.scalars(
            query.values(revoked_at=now)
            .returning(RefreshToken.family_id)
            .execution_options(synchronize_session=False)
        )
        return sorted(set(revoked))
