import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, String, func, literal_column, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import (
    Call,
    CallTurn,
    CallTurnStatus,
    Doctor,
    Document,
    DocumentStatus,
    Service,
    User,
    UserRole,
)


class CallRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_or_create(
        self, call_sid: str, *, from_number: str | None, to_number: str | None, status: str
    ) -> tuple[Call, bool]:
        """The call with this CallSid and whether this request created it (an upsert: Twilio may
        send two webhooks of one call at once)."""
        created_id = await self._session.scalar(
            insert(Call)
            .values(call_sid=call_sid, from_number=from_number, to_number=to_number, status=status)
            .on_conflict_do_nothing(index_elements=[Call.call_sid])
            .returning(Call.id)
        )
        call = await self._session.scalar(
            select(Call).where(Call.call_sid == call_sid), execution_options={"populate_existing": True}
        )
        assert call is not None
        return call, created_id is not None

    async def count_silence(self, call_id: uuid.UUID) -> int:
        """One more silent turn in a row; returns how many now."""
        silent = await self._session.scalar(
            update(Call)
            .where(Call.id == call_id)
            .values(silent_turns=Call.silent_turns + 1)
            .returning(Call.silent_turns)
        )
        return silent or 0

    async def reset_silence(self, call_id: uuid.UUID) -> None:
        await self._session.execute(update(Call).where(Call.id == call_id).values(silent_turns=0))

    async def record_status(
        self, call: Call, *, status: str, duration_seconds: int | None, ended_at: datetime | None
    ) -> None:
        call.status = status
        if duration_seconds is not None:
            call.duration_seconds = duration_seconds
        if ended_at is not None and call.ended_at is None:
            call.ended_at = ended_at
        await self._session.flush()


class CallTurnRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_or_create(
        self, call: Call, *, recording_sid: str, recording_url: str
    ) -> tuple[CallTurn, bool]:
        """The turn of this recording and whether it is new (Twilio may post a recording twice)."""
        created_id = await self._session.scalar(
            insert(CallTurn)
            .values(call_id=call.id, recording_sid=recording_sid, recording_url=recording_url)
            .on_conflict_do_nothing(index_elements=[CallTurn.recording_sid])
            .returning(CallTurn.id)
        )
        turn = await self._session.scalar(select(CallTurn).where(CallTurn.recording_sid == recording_sid))
        assert turn is not None
        return turn, created_id is not None

    async def get_with_call(
        self, turn_id: uuid.UUID, *, for_update: bool = False
    ) -> tuple[CallTurn, Call] | None:
        query = select(CallTurn, Call).join(Call, Call.id == CallTurn.call_id).where(CallTurn.id == turn_id)
        if for_update:
            query = query.with_for_update(of=CallTurn)
        row = (await self._session.execute(query, execution_options={"populate_existing": True})).first()
        return (row[0], row[1]) if row else None

    async def status(self, turn_id: uuid.UUID) -> CallTurnStatus | None:
        return await self._session.scalar(select(CallTurn.status).where(CallTurn.id == turn_id))

    async def earlier_exchanges(self, turn: CallTurn, *, limit: int) -> Sequence[tuple[str, str]]:
        """The call's last answered (question, answer) pairs before `turn`, oldest first."""
        rows = await self._session.execute(
            select(CallTurn.transcript, CallTurn.answer)
            .where(
                CallTurn.call_id == turn.call_id,
                CallTurn.created_at < turn.created_at,
                CallTurn.status == CallTurnStatus.done,
                func.length(func.coalesce(CallTurn.transcript, "")) > 0,
                CallTurn.answer.is_not(None),
            )
            .order_by(CallTurn.created_at.desc())
            .limit(limit)
        )
        return [(q or "", a or "") for q, a in reversed(rows.all())]


class ClinicVocabularyRepository:
    """The names a caller is likely to say, to prime speech recognition."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def doctor_names(self, *, limit: int) -> Sequence[str]:
        rows = await self._session.scalars(
            select(User.name)
            .join(Doctor, Doctor.user_id == User.id)
            .where(User.role == UserRole.doctor, User.is_active)
            .order_by(User.name)
            .limit(limit)
        )
        return rows.all()

    async def service_names(self, *, limit: int) -> Sequence[str]:
        rows = await self._session.scalars(
            select(Service.name).where(Service.active).order_by(Service.name).limit(limit)
        )
        return rows.all()

    async def version(self) -> tuple[object, ...]:
        """Changes whenever a doctor, a service or a knowledge-base document is added, edited or
        removed: one cheap query, so a cached vocabulary is rebuilt only when it is stale."""
        doctor = (User.role == UserRole.doctor,)
        document = (Document.patient_id.is_(None), Document.status == DocumentStatus.ready)
        row = (
            await self._session.execute(
                select(
                    *(
                        select(aggregate).where(*where).scalar_subquery()
                        for aggregate, where in (
                            (func.count(User.id), doctor),
                            (func.max(User.updated_at), doctor),
                            (func.count(Service.id), ()),
                            (func.max(Service.updated_at), ()),
                            (func.count(Document.id), document),
                            (func.max(Document.updated_at), document),
                        )
                    )
                )
            )
        ).one()
        return tuple(row)

    async def knowledge_base_words(self, *, limit: int) -> Sequence[tuple[str, int]]:
        """The knowledge base's words (lower-cased, not stemmed) by the number of chunks holding
        them, most frequent first: PostgreSQL's ts_stat, so the chunks' text never leaves the
        database."""
        word, chunks = literal_column("word", String), literal_column("ndoc", Integer)
        rows = await self._session.execute(
            select(word, chunks)
            .select_from(
                text(
                    "ts_stat('SELECT to_tsvector(''simple'', text) FROM document_chunks "
                    "WHERE patient_id IS NULL')"
                )
            )
            .where(func.length(word) >= 4, word.op("~")("^[a-z-]+$"))
            .order_by(chunks.desc(), word)
            .limit(limit)
        )
        return [(str(w), int(c)) for w, c in rows.all()]
