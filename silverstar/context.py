"""The per-request context every handler receives: one session, the caller, after-commit work.

The context dependency is declared with FastAPI's scope="function", so the commit
below runs before the response is sent: a client never sees a success for a
transaction that then failed. Work with effects outside the database (enqueueing
jobs, deleting files) is registered with `after_commit` and runs only once the
commit succeeded.
"""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import User
from persistence.repositories.users import UserRepository
from silverstar.errors import Forbidden, Unauthorized
from silverstar.runtime import Runtime

log = logging.getLogger(__name__)

BEARER_SCHEME = "bearerAuth"


@dataclass
class RequestContext:
    runtime: Runtime
    session: AsyncSession
    request: Request
    caller: User | None = None
    _after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def user(self) -> User:
        if self.caller is None:
            raise Unauthorized()
        return self.caller

    @property
    def client_ip(self) -> str:
        return self.request.client.host if self.request.client else "unknown"

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        self._after_commit.append(action)

    async def _run_after_commit(self) -> None:
        # The transaction is committed: a failing follow-up must not turn success into an error.
        for action in self._after_commit:
            try:
                await action()
            except Exception:
                log.exception("an after-commit action failed")


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return token.strip()


async def _authenticate(runtime: Runtime, session: AsyncSession, request: Request) -> User:
    claims = runtime.tokens.verify(_bearer_token(request))
    user = await UserRepository(session).get(claims.user_id)
    if user is None or not user.is_active:
        raise Unauthorized()
    return user


def request_context(
    *, scheme: str | None, roles: tuple[str, ...]
) -> Callable[..., AsyncIterator[RequestContext]]:
    """The ContextProvider that generated routes call, once per operation."""

    async def dependency(request: Request) -> AsyncIterator[RequestContext]:
        runtime: Runtime = request.app.state.runtime
        async with runtime.session_factory() as session:
            ctx = RequestContext(runtime=runtime, session=session, request=request)
            if scheme == BEARER_SCHEME:
                ctx.caller = await _authenticate(runtime, session, request)
                if roles and ctx.caller.role not in roles:
                    raise Forbidden("Your role does not allow this operation.")
            try:
                yield ctx
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
            await ctx._run_after_commit()

    return dependency
