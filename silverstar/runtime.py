"""The long-lived objects a running app shares between requests."""

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.settings import Settings
from kernel.tokens import TokenService
from services.jobs import Jobs


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    redis: Redis
    tokens: TokenService
    # Where requests' jobs go once committed (adapters.job_queue.DramatiqJobSender).
    job_sender: Jobs
    # For requests that only read (GET); None: they use session_factory like the rest.
    read_session_factory: async_sessionmaker[AsyncSession] | None = None
