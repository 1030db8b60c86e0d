import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import AIChannel, AILog, Conversation, ConversationMessage, MessageRole
from persistence.paging import page_of


class ConversationRepository:
    """Adds are flushed with the exchange's log row (`AILogRepository.add`): one round trip."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_own(self, user_id: uuid.UUID, conversation_id: uuid.UUID) -> Conversation | None:
        """The one rule for conversations: each is readable by the user who holds it, only."""
        return await self._session.scalar(
            select(Conversation).where(Conversation.id == conversation_id, Conversation.user_id == user_id)
        )

    def create(self, user_id: uuid.UUID, *, conversation_id: uuid.UUID, at: datetime) -> Conversation:
        conversation = Conversation(id=conversation_id, user_id=user_id, created_at=at)
        self._session.add(conversation)
        return conversation

    async def last_messages(self, conversation_id: uuid.UUID, count: int) -> list[ConversationMessage]:
        """The latest `count` messages, oldest first."""
        if count <= 0:
            return []
        rows = await self._session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation_id)
            # The enum orders user before assistant: a question precedes its answer on a tie.
            .order_by(ConversationMessage.created_at.desc(), ConversationMessage.role.desc())
            .limit(count)
        )
        return list(reversed(rows.all()))

    def add_message(
        self, conversation_id: uuid.UUID, role: MessageRole, content: str, *, at: datetime
    ) -> None:
        self._session.add(
            ConversationMessage(conversation_id=conversation_id, role=role, content=content, created_at=at)
        )


class AILogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        user_id: uuid.UUID | None,
        channel: AIChannel,
        query: str,
        response: str,
        at: datetime,
        source_documents: list[dict[str, Any]],
        model: str,
        latency_ms: int,
        prompt_tokens: int | None,
        completion_tokens: int | None,
        error: str | None,
    ) -> AILog:
        entry = AILog(
            id=uuid.uuid4(),
            user_id=user_id,
            channel=channel,
            query=query,
            response=response,
            created_at=at,
            source_documents=source_documents,
            model=model,
            latency_ms=latency_ms,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            error=error,
        )
        self._session.add(entry)
        await self._session.flush()
        return entry

    async def page(
        self,
        *,
        user_id: uuid.UUID | None,
        channel: AIChannel | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[AILog], int]:
        query = select(AILog)
        if user_id is not None:
            query = query.where(AILog.user_id == user_id)
        if channel is not None:
            query = query.where(AILog.channel == channel)
        if start is not None:
            query = query.where(AILog.created_at >= start)
        if end is not None:
            query = query.where(AILog.created_at < end)
        order = (AILog.created_at.desc(), AILog.id.desc())
        return await page_of(self._session, query, order, limit=limit, offset=offset)
