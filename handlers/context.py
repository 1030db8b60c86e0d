"""What every handler receives: the process's runtime and the per-request context.

The context is opened and committed by the composition root (silverstar/context.py) once per
operation; handlers use its session and caller, and never commit. Work with effects outside
the database runs only once the commit succeeded: the jobs services queued on `ctx.jobs`
are sent then (and dropped on rollback), then the `after_commit` actions (deleting a file).
"""

import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio
from fastapi import Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.request_origin import client_ip
from kernel.errors import Unauthorized
from kernel.settings import Settings
from kernel.tokens import TokenClaims, TokenService
from persistence.models import Caller
from services.audit import AuditTrail
from services.audit_reads import GroupedReadAudit
from services.caller_cache import CallerCache
from services.jobs import JobBuffer, Jobs
from services.outside_world import OutsideWorld

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    redis: Redis
    tokens: TokenService
    world: OutsideWorld
    # Where requests' jobs go once committed (adapters.job_queue.DramatiqJobSender).
    job_sender: Jobs
    # Commits GET requests' read events, many requests' at once.
    read_audit: GroupedReadAudit
    # Callers checked a moment ago (services/caller_cache.py).
    callers: CallerCache
    # For requests that only read (GET); None: they use session_factory like the rest.
    read_session_factory: async_sessionmaker[AsyncSession] | None = None

    def with_settings(self, settings: Settings) -> "Runtime":
        """The same connections with other settings, and an outside world built from them."""
        return dataclasses.replace(self, settings=settings, world=self.world.reconfigured(settings))


@dataclass
class RequestContext:
    runtime: Runtime
    request: Request
    # Makes the request's session on first use (`session`): an operation that never touches
    # the database (GET /health) never builds one, ~50 µs, a seventh of such a request.
    open_session: Callable[[], AsyncSession]
    caller: Caller | None = None
    # The verified access token's claims (its session, expiry), for callers with one.
    claims: TokenClaims | None = None
    jobs: JobBuffer = field(default_factory=JobBuffer)
    audit: AuditTrail = field(default_factory=AuditTrail)
    _after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.open_session()
        return self._session

    @property
    def opened_session(self) -> AsyncSession | None:
        """The session, if anything used it."""
        return self._session

    @property
    def user(self) -> Caller:
        if self.caller is None:
            raise Unauthorized()
        return self.caller

    @property
    def client_ip(self) -> str:
        """The peer's address; X-Forwarded-For only as far as it was written by TRUSTED_PROXIES."""
        return client_ip(self.request, self.runtime.settings.trusted_proxies)

    async def release_connection(self) -> None:
        """Gives the pooled connection back before slow work that needs no database.

        Only before the request has written anything: the transaction so far (reads) ends,
        loaded objects stay readable, and the next query takes a connection again.
        """
        if self.session.new or self.session.dirty or self.session.deleted:
            raise RuntimeError("release_connection() after a change: it would commit it early")
        await self.session.commit()

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        self._after_commit.append(action)

    def forget_caller(self, user_id: uuid.UUID) -> None:
        """Once committed, the account's requests are checked afresh: its role, its active flag
        or its sessions changed."""

        async def forget() -> None:
            self.runtime.callers.forget_user(user_id)

        self.after_commit(forget)

    async def _run_after_commit(self) -> None:
        # The transaction is committed: a failing follow-up must not turn success into an error.
        if self.jobs.pending:
            await anyio.to_thread.run_sync(self.jobs.send_to, self.runtime.job_sender)
        for action in self._after_commit:
            try:
                await action()
            except Exception:
                log.exception("an after-commit action failed")
