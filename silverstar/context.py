"""Opening and committing the per-request context (handlers/context.py) once per operation.

The context dependency is declared with FastAPI's scope="function", so the commit
below runs before the response is sent: a client never sees a success for a
transaction that then failed. Work with effects outside the database runs only once
the commit succeeded: the jobs services queued on `ctx.jobs` are sent then (and
dropped on rollback), and actions registered with `after_commit` (deleting a file) run.
The audit events a handler records (`ctx.audit`, services/audit.py) are written just
before that commit, in its transaction; a GET's read events are committed with other
requests' by the runtime's `read_audit` (services/audit_reads.py) before the response.
"""

import logging
from collections.abc import AsyncIterator, Callable
from typing import NamedTuple

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import RequestContext, Runtime
from handlers.request_origin import client_ip, public_request_url
from kernel.errors import Forbidden, InvalidToken, ProblemError, Unauthorized
from kernel.observability import request_id_var
from kernel.settings import Settings
from kernel.tokens import TokenClaims
from persistence.db import ReadOnlySession
from persistence.models import Caller
from persistence.repositories.users import UserRepository
from services.audit import Actor, AuditTrail, RequestOrigin
from services.audit_catalog import AUDITED
from services.audit_log import record_refusal
from services.twilio_signature import verify_twilio_signature

log = logging.getLogger(__name__)

BEARER_SCHEME = "bearerAuth"
# The contract's GET operations only read (a write in one fails: see ReadOnlySession).
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
TWILIO_SCHEME = "twilioSignature"


class RequestCaller(NamedTuple):
    caller: Caller
    claims: TokenClaims


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return token.strip()


async def _authenticate(ctx: RequestContext) -> RequestCaller:
    runtime = ctx.runtime
    claims = runtime.tokens.verify(_bearer_token(ctx.request))
    found = runtime.callers.get(claims.user_id, claims.session_id)
    if found is None:
        found = await UserRepository(ctx.session).get_caller(claims.user_id, claims.session_id)
        if found is None or not found.is_active:
            raise InvalidToken()
        if found.session_ended:
            raise InvalidToken("The session has ended; sign in again.")
        runtime.callers.put(claims.user_id, claims.session_id, found)
    return RequestCaller(found.caller, claims)


# ---------------------------------------------------------------- Twilio webhook signatures


async def _verify_twilio_signature(runtime: Runtime, session: AsyncSession, request: Request) -> None:
    # Every posted parameter, empty ones included (Twilio signs them; the parsed model drops them).
    params = await request.form() if _is_urlencoded(request) else {}
    await verify_twilio_signature(
        session,
        runtime.settings,
        url=public_request_url(request, runtime.settings),
        params=params,
        signature=request.headers.get("x-twilio-signature", ""),
    )


def _is_urlencoded(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/x-www-form-urlencoded"


def request_context(
    *, scheme: str | None, roles: tuple[str, ...]
) -> Callable[..., AsyncIterator[RequestContext]]:
    """The ContextProvider that generated routes call, once per operation."""

    async def dependency(request: Request) -> AsyncIterator[RequestContext]:
        runtime: Runtime = request.app.state.runtime
        reading = request.method in READ_ONLY_METHODS
        factory = runtime.session_factory
        if runtime.read_session_factory is not None and reading:
            factory = runtime.read_session_factory
        trail = AuditTrail(_origin(request, runtime.settings), record_reads=runtime.settings.audit_reads)
        ctx = RequestContext(runtime=runtime, request=request, open_session=factory, audit=trail)
        try:
            try:
                if scheme == BEARER_SCHEME:
                    ctx.caller, ctx.claims = await _authenticate(ctx)
                    ctx.audit.actor = Actor.of(ctx.caller)
                    if roles and ctx.caller.role not in roles:
                        raise Forbidden("Your role does not allow this operation.")
                elif scheme == TWILIO_SCHEME:
                    await _verify_twilio_signature(runtime, ctx.session, request)
                yield ctx
            except BaseException as error:
                if isinstance(error, ProblemError) and error.keeps_changes:
                    await ctx.audit.write(ctx.session)
                    await ctx.session.commit()
                    await ctx._run_after_commit()
                else:
                    ctx.jobs.drop()
                    if ctx.opened_session is not None:
                        await ctx.opened_session.rollback()
                    await _keep_refusal(ctx, error)
                raise
            if not reading:
                # Last before the commit: the chain's head stays locked only until it.
                await ctx.audit.write(ctx.session)
            session = ctx.opened_session
            # Not if it never touched the database, nor for a read-only session: its statements
            # ran in autocommit, and closing it (below) is all it needs (~2 % of a list request).
            if session is not None and session.in_transaction() and not _read_only(session):
                await session.commit()
        finally:
            if ctx.opened_session is not None and _holds_anything(ctx.opened_session):
                await ctx.opened_session.close()
        if reading:
            # With the connection back in the pool, committed with other requests' reads.
            await runtime.read_audit.append(ctx.audit.take())
        await ctx._run_after_commit()

    return dependency


def _read_only(session: AsyncSession) -> bool:
    return isinstance(session.sync_session, ReadOnlySession)


def _holds_anything(session: AsyncSession) -> bool:
    """Whether closing the session releases anything. A read-only one whose statements all ran
    on connections of their own (persistence/driver.py) began no transaction and loaded nothing:
    closing it would only cost a greenlet switch and a fresh identity map (~55 µs)."""
    return (
        not _read_only(session) or session.in_transaction() or bool(session.identity_map) or bool(session.new)
    )


# ---------------------------------------------------------------- access audit


def _origin(request: Request, settings: Settings) -> RequestOrigin:
    return RequestOrigin(
        request_id=request_id_var.get(),
        client_ip=client_ip(request, settings.trusted_proxies),
        user_agent=request.headers.get("user-agent", "")[:512] or None,
    )


async def _keep_refusal(ctx: RequestContext, error: BaseException) -> None:
    """Records a signed-in caller's refused attempt, and what the handler asked to keep even
    on failure (a wrong password), in a transaction of its own: the request's rolled back."""
    route = ctx.request.scope.get("route")
    audited = AUDITED.get(getattr(route, "operation_id", None) or "")
    status = error.status if isinstance(error, ProblemError) else 0
    refused = audited is not None and status in (403, 404) and ctx.audit.actor is not None
    if not refused and not ctx.audit.kept_on_failure:
        return
    try:
        async with ctx.runtime.session_factory() as session:
            if audited is not None and refused:
                object_id = next(iter(ctx.request.path_params.values()), None)
                await record_refusal(session, ctx.audit, audited, object_id, status)
            await ctx.audit.write_refused(session)
            await session.commit()
    except Exception:
        log.exception("could not record a refused attempt in the audit trail")
