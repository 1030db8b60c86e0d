"""The per-request context every handler receives: one session, the caller, after-commit work.

The context dependency is declared with FastAPI's scope="function", so the commit
below runs before the response is sent: a client never sees a success for a
transaction that then failed. Work with effects outside the database (enqueueing
jobs, deleting files) is registered with `after_commit` and runs only once the
commit succeeded. The audit events a handler records (`ctx.audit`, services/audit.py) are
written just before that commit, in its transaction.
"""

import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from kernel.errors import Forbidden, ProblemError, Unauthorized
from kernel.observability import request_id_var
from kernel.settings import Settings
from persistence.models import User
from persistence.repositories.users import UserRepository
from services.audit import Actor, AuditTrail, RequestOrigin
from services.audit_catalog import AUDITED
from services.audit_log import record_refusal
from services.integrations import effective_twilio_credentials
from silverstar.runtime import Runtime

log = logging.getLogger(__name__)

BEARER_SCHEME = "bearerAuth"
# The contract's GET operations only read (a write in one fails: see ReadOnlySession).
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
TWILIO_SCHEME = "twilioSignature"


@dataclass
class RequestContext:
    runtime: Runtime
    session: AsyncSession
    request: Request
    caller: User | None = None
    audit: AuditTrail = field(default_factory=AuditTrail)
    _after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def user(self) -> User:
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


# ---------------------------------------------------------------- Twilio webhook signatures


def public_base_url(request: Request, settings: Settings) -> str:
    """The origin Twilio reaches us at: PUBLIC_BASE_URL, else what the request (or a trusted proxy) says."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    scheme, host = request.url.scheme, request.headers.get("host", request.url.netloc)
    if _from_trusted_proxy(request, settings.trusted_proxies):
        scheme = _first(request.headers.get("x-forwarded-proto")) or scheme
        host = _first(request.headers.get("x-forwarded-host")) or host
    return f"{scheme}://{host}"


def public_request_url(request: Request, settings: Settings) -> str:
    """The exact URL Twilio called and signed: the public base, then the raw path and query."""
    url = public_base_url(request, settings) + request.scope.get("raw_path", b"").decode("latin-1")
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{url}?{query}" if query else url


def client_ip(request: Request, trusted: list[str]) -> str:
    """The nearest address on the forwarded chain that is not one of our proxies.

    Each trusted proxy appends the address it saw, so the chain is read from the right; a
    value a client wrote itself sits left of the first untrusted address and is never used.
    """
    peer = request.client.host if request.client else "unknown"
    if not _is_trusted(peer, trusted):
        return peer
    forwarded = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([hop for hop in forwarded if hop]):
        if not _is_trusted(hop, trusted):
            return hop
        peer = hop
    return peer


def _first(header: str | None) -> str:
    return (header or "").split(",")[0].strip()


def _from_trusted_proxy(request: Request, trusted: list[str]) -> bool:
    return request.client is not None and _is_trusted(request.client.host, trusted)


def _is_trusted(address: str, trusted: list[str]) -> bool:
    if not trusted:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in trusted)


async def _verify_twilio_signature(runtime: Runtime, session: AsyncSession, request: Request) -> None:
    signature = request.headers.get("x-twilio-signature", "")
    if not signature:
        raise Forbidden("Missing X-Twilio-Signature.")
    credentials = await effective_twilio_credentials(session, runtime.settings)
    if credentials is None:
        log.error(
            "refusing a Twilio webhook: no Twilio auth token is configured "
            "(set TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN or save them under /integrations/twilio)"
        )
        raise Forbidden("The phone line is not configured.")
    # Every posted parameter, empty ones included (Twilio signs them; the parsed model drops them).
    params = await request.form() if _is_urlencoded(request) else {}
    url = public_request_url(request, runtime.settings)
    if not RequestValidator(credentials.auth_token).validate(url, params, signature):
        log.warning("refusing a Twilio webhook with an invalid signature for %s", url)
        raise Forbidden("Invalid X-Twilio-Signature.")


def _is_urlencoded(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/x-www-form-urlencoded"


def request_context(
    *, scheme: str | None, roles: tuple[str, ...]
) -> Callable[..., AsyncIterator[RequestContext]]:
    """The ContextProvider that generated routes call, once per operation."""

    async def dependency(request: Request) -> AsyncIterator[RequestContext]:
        runtime: Runtime = request.app.state.runtime
        factory = runtime.session_factory
        if runtime.read_session_factory is not None and request.method in READ_ONLY_METHODS:
            factory = runtime.read_session_factory
        async with factory() as session:
            trail = AuditTrail(_origin(request, runtime.settings), record_reads=runtime.settings.audit_reads)
            ctx = RequestContext(runtime=runtime, session=session, request=request, audit=trail)
            try:
                if scheme == BEARER_SCHEME:
                    ctx.caller = await _authenticate(runtime, session, request)
                    ctx.audit.actor = Actor.of(ctx.caller)
                    if roles and ctx.caller.role not in roles:
                        raise Forbidden("Your role does not allow this operation.")
                elif scheme == TWILIO_SCHEME:
                    await _verify_twilio_signature(runtime, session, request)
                yield ctx
            except BaseException as error:
                await session.rollback()
                await _keep_refusal(ctx, error)
                raise
            # Last before the commit: the chain's head stays locked only until it.
            await ctx.audit.write(session)
            await session.commit()
            await ctx._run_after_commit()

    return dependency


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
