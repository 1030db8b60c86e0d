from generated import models as api
from handlers.context import RequestContext
from handlers.representations import user_out
from kernel.errors import Unauthorized
from persistence.models import User
from services.accounts import AccountService, NewUser
from services.audit import AuditAction, Outcome, patient_of, storable
from services.login_throttle import LoginThrottle, RegistrationThrottle
from services.sessions import IssuedSession, ReusedRefreshToken, SessionService


def _token_response(issued: IssuedSession) -> api.TokenResponse:
    return api.TokenResponse(
        access_token=issued.access_token,
        token_type=api.TokenType.bearer,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        refresh_expires_in=issued.refresh_expires_in,
        user=user_out(issued.user),
    )


def _accounts(ctx: RequestContext) -> AccountService:
    return AccountService(
        ctx.session,
        password_min_length=ctx.runtime.settings.password_min_length,
        release_connection=ctx.release_connection,
    )


def _sessions(ctx: RequestContext) -> SessionService:
    return SessionService(ctx.session, ctx.runtime.tokens)


async def _own_account(ctx: RequestContext) -> User:
    """The caller's account row (the request context holds only its id and role)."""
    return await _accounts(ctx).get_visible(ctx.user, ctx.user.id)


async def _start_session(ctx: RequestContext, user: User) -> api.TokenResponse:
    return _token_response(await _sessions(ctx).start(user))


async def _sign_in(ctx: RequestContext, email: str, password: str) -> api.TokenResponse:
    throttle = LoginThrottle(ctx.runtime.redis, ctx.runtime.settings)
    # Counted before the password work, so a burst gets no more checks than the limits.
    await throttle.take_attempt(email, ctx.client_ip)
    user = await _accounts(ctx).authenticate(email, password)
    if user is None:
        ctx.audit.record(
            AuditAction.LOGIN,
            "user",
            outcome=Outcome.FAILURE,
            detail={"email": storable(email[:320])},
            keep_on_failure=True,
        )
        raise Unauthorized("The email or password is incorrect.")
    await throttle.record_success(email, ctx.client_ip)
    ctx.audit.record(AuditAction.LOGIN, "user", user.id, actor=user)
    return await _start_session(ctx, user)


class AuthHandlers:
    async def register_patient(self, ctx: RequestContext, *, body: api.RegisterRequest) -> api.TokenResponse:
        await RegistrationThrottle(ctx.runtime.redis, ctx.runtime.settings).take_attempt(ctx.client_ip)
        # Whatever role or id the client sent is ignored: self-registration makes patients.
        user = await _accounts(ctx).create(
            NewUser(email=str(body.email), password=body.password, name=body.name, phone=body.phone)
        )
        ctx.audit.record(AuditAction.USER_CREATE, "user", user.id, patient_id=user.id, actor=user)
        return await _start_session(ctx, user)

    async def login(self, ctx: RequestContext, *, body: api.LoginRequest) -> api.TokenResponse:
        return await _sign_in(ctx, body.email, body.password)

    async def issue_token(self, ctx: RequestContext, *, body: api.OAuth2PasswordForm) -> api.TokenResponse:
        return await _sign_in(ctx, body.username, body.password)

    async def refresh_session(self, ctx: RequestContext, *, body: api.RefreshRequest) -> api.TokenResponse:
        try:
            issued = await _sessions(ctx).rotate(body.refresh_token)
        except ReusedRefreshToken as reused:
            # The family's revocation is kept, though the answer is a 401.
            ctx.forget_caller(reused.user_id)
            raise reused.keeping_changes() from None
        ctx.audit.record(AuditAction.TOKEN_REFRESH, "user", issued.user.id, actor=issued.user)
        return _token_response(issued)

    async def logout(self, ctx: RequestContext) -> None:
        ctx.audit.record(AuditAction.LOGOUT, "user", ctx.user.id)
        session_id = ctx.claims.session_id if ctx.claims else None
        if session_id is None:
            return
        await _sessions(ctx).end(session_id)
        ctx.forget_caller(ctx.user.id)

    async def change_password(self, ctx: RequestContext, *, body: api.PasswordChange) -> api.TokenResponse:
        user = await _own_account(ctx)
        await _accounts(ctx).change_password(user, body.current_password, body.password)
        await _sessions(ctx).end_all(user.id)
        ctx.forget_caller(user.id)
        ctx.audit.record(AuditAction.PASSWORD_CHANGE, "user", user.id, patient_id=patient_of(user))
        return await _start_session(ctx, user)

    async def get_current_user(self, ctx: RequestContext) -> api.User:
        ctx.audit.read(AuditAction.USER_READ, "user", ctx.user.id, patient_of(ctx.user))
        return user_out(await _own_account(ctx))
