"""Real Dramatiq worker processes for tests: started with the production command line, on the
test database and Redis, with documents stored under a temporary directory."""

import asyncio
import functools
import io
import os
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.job_queue import DramatiqJobSender
from adapters.storage import LocalStorage, document_key
from kernel.settings import Settings
from persistence.models import Document, DocumentStatus, User
from services.jobs import ACTOR_QUEUES, INGEST_DOCUMENT
from services.worker_health import fresh_workers
from tests.document_fixtures import make_document
from tests.factories import make_user
from workers.broker import build_broker
from workers.processes import Supervisor

FINAL = (DocumentStatus.ready, DocumentStatus.failed)
# Starting a worker (imports, then the embedding model on the first document) takes a while on
# a shared 2-core machine; these bound waits, they don't measure anything.
BOOT_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class WorkerEnvironment:
    env: dict[str, str]
    data_dir: Path
    key_prefix: str
    redis_url: str

    def job_sender(self) -> DramatiqJobSender:
        """A sender as the API's would be in this deployment: the same Redis and key prefix."""
        settings = Settings(redis_url=self.redis_url, redis_key_prefix=self.key_prefix)
        return DramatiqJobSender(functools.partial(build_broker, settings), ACTOR_QUEUES)


def worker_environment(database_url: str, data_dir: Path, **settings: str) -> WorkerEnvironment:
    """The environment of a worker on the test servers; a key prefix of its own for its heartbeats."""
    key_prefix = f"test-{uuid.uuid4().hex[:8]}:"
    redis_url = os.environ["REDIS_URL"]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": key_prefix,
        "DATA_DIR": str(data_dir),
        "EMBEDDING_PROVIDER": "local",
        **{name.upper(): value for name, value in settings.items()},
    }
    return WorkerEnvironment(env, data_dir, key_prefix, redis_url)


def wait_for_heartbeat(
    environment: WorkerEnvironment, queue: str, *, not_from: frozenset[str] = frozenset()
) -> str:
    """The name of a worker with a fresh heartbeat on `queue` (other than `not_from`), once there is one."""
    deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
    with redis.Redis.from_url(environment.redis_url) as client:
        while time.monotonic() < deadline:
            live = set(fresh_workers(client, environment.key_prefix, queue)) - not_from
            if live:
                return live.pop()
            time.sleep(0.2)
    raise AssertionError(f"no worker heartbeat on {queue} within {BOOT_TIMEOUT_SECONDS} s")


@contextmanager
def supervised_workers(
    commands: Mapping[str, list[str]], environment: WorkerEnvironment
) -> Iterator[Supervisor]:
    supervisor = Supervisor(commands, env=environment.env, min_backoff=0.5)
    supervisor.start()
    try:
        yield supervisor
    finally:
        supervisor.stop()


class Uploads:
    """Documents as an upload leaves them (a committed pending row, the file stored), then queued."""

    def __init__(self, committed: async_sessionmaker[AsyncSession], data_dir: Path) -> None:
        self.sessions = committed
        self._storage = LocalStorage(data_dir)
        self._uploader: User | None = None
        self.ids: list[uuid.UUID] = []

    async def add(self, data: bytes, filename: str = "leaflet.pdf") -> uuid.UUID:
        async with self.sessions() as session:
            if self._uploader is None:
                self._uploader = await make_user(session, "admin")
            document = await make_document(session, uploader_id=self._uploader.id, filename=filename)
            await session.commit()
        self._storage.put(document_key(document.id), io.BytesIO(data))
        self.ids.append(document.id)
        return document.id

    @staticmethod
    def enqueue(environment: WorkerEnvironment, document_id: uuid.UUID) -> None:
        environment.job_sender().enqueue(INGEST_DOCUMENT, str(document_id))

    async def statuses(self) -> dict[uuid.UUID, tuple[DocumentStatus, str | None]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(Document.id, Document.status, Document.error).where(Document.id.in_(self.ids))
            )
            return {row.id: (row.status, row.error) for row in rows}

    async def wait_until_final(
        self, ids: list[uuid.UUID], within_seconds: float
    ) -> dict[uuid.UUID, tuple[DocumentStatus, str | None]]:
        """The documents' statuses once all are ready or failed, or as they are at the timeout."""
        deadline = time.monotonic() + within_seconds
        while True:
            statuses = await self.statuses()
            if all(statuses[i][0] in FINAL for i in ids) or time.monotonic() > deadline:
                return {i: statuses[i] for i in ids}
            await asyncio.sleep(0.3)

    async def delete_all(self) -> None:
        async with self.sessions() as session:
            await session.execute(delete(Document).where(Document.id.in_(self.ids)))
            if self._uploader is not None:
                await session.execute(delete(User).where(User.id == self._uploader.id))
            await session.commit()
