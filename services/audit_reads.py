"""Read events of concurrent requests appended together: one statement and one commit per batch.

A read's event must be durable before its caller has the data (an audit of reads that a crash
can lose is no audit), so a GET waits for its commit. Committed one request at a time, each
read costs its own statement and WAL flush while the request holds a pooled connection. Here a
request hands its events over, gives its connection back, and waits; one writer appends all
the events handed over since its last commit in one statement and commits once (group
commit). Under load a batch covers many requests; a lone request waits for a batch of its own.
"""

import asyncio
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persistence.repositories.audit import NewAuditEvent, append_events

# Bounds one statement's arrays; more waiting events go in the next batch.
MAX_BATCH_EVENTS = 2000


class GroupedReadAudit:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._waiting: list[tuple[Sequence[NewAuditEvent], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def append(self, events: Sequence[NewAuditEvent]) -> None:
        """Returns once `events` are committed; raises what the batch's write raised."""
        if not events:
            return
        committed = asyncio.get_running_loop().create_future()
        self._waiting.append((events, committed))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        await committed

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch = self._take_batch()
            try:
                async with self._session_factory() as session:
                    await append_events(session, [event for events, _ in batch for event in events])
                    if session.in_transaction():  # a read-only session's append has committed itself
                        await session.commit()
            except Exception as error:  # each waiting request answers it (e.g. a 503)
                for _, committed in batch:
                    if not committed.done():
                        committed.set_exception(error)
            else:
                for _, committed in batch:
                    if not committed.done():  # its request may have been cancelled meanwhile
                        committed.set_result(None)

    def _take_batch(self) -> list[tuple[Sequence[NewAuditEvent], asyncio.Future[None]]]:
        size, taken = 0, 0
        for events, _ in self._waiting:
            if taken and size + len(events) > MAX_BATCH_EVENTS:
                break
            size += len(events)
            taken += 1
        batch, self._waiting = self._waiting[:taken], self._waiting[taken:]
        return batch
