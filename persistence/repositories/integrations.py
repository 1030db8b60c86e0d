from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import TwilioConfig

TWILIO_CONFIG_ID = 1


class TwilioConfigRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self) -> TwilioConfig | None:
        return await self._session.get(TwilioConfig, TWILIO_CONFIG_ID)

    async def save(self, *, account_sid: str, auth_token_encrypted: bytes, phone_number: str) -> TwilioConfig:
        """Insert or replace the single row; an upsert, so two first saves cannot collide."""
        values = {
            "account_sid": account_sid,
            "auth_token_encrypted": auth_token_encrypted,
            "phone_number": phone_number,
        }
        stmt = (
            insert(TwilioConfig)
            .values(id=TWILIO_CONFIG_ID, **values)
            .on_conflict_do_update(
                index_elements=[TwilioConfig.id], set_={**values, "updated_at": func.now()}
            )
            .returning(TwilioConfig)
        )
        row = await self._session.scalar(stmt, execution_options={"populate_existing": True})
        assert row is not None
        return row
