from generated import models as api
from handlers.representations import user_out
from kernel.errors import Unauthorized
from persistence.models import User
from services.accounts import AccountService, NewUser
from services.audit import AuditAction, Outcome, patient_of, storable
from services.login_throttle import LoginThrottle, RegistrationThrottle
from silverstar.context import RequestContext


def _token_response(ctx: RequestContext, user: User) -> api.TokenResponse:
    tokens = ctx.runtime.tokens
    return api.TokenResponse(
        access_token=tokens.issue(user.id, user.role),
        token_type=api.TokenType.bearer,
        expires_in=int(tokens.ttl.total_seconds()),
        user=user_out(user),
    )


def _accounts(ctx: RequestContext) -> AccountService:
    return AccountService(
        ctx.session,
        password_min_length=ctx.runtime.settings.password_min_length,
        release_connection=ctx.release_connection,
    )


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
    return _token_response(ctx, user)


class AuthHandlers:
    async def register_patient(self, ctx: RequestContext, *, body: api.RegisterRequest) -> api.TokenResponse:
        await RegistrationThrottle(ctx.runtime.redis, ctx.runtime.settings).take_attempt(ctx.client_ip)
        # Whatever role or id the client sent is ignored: self-registration makes patients.
        user = await _accounts(ctx).create(
            NewUser(email=str(body.email), password=body.password, name=body.name, phone=body.phone)
        )
        ctx.audit.record(AuditAction.USER_CREATE, "user", user.id, patient_id=user.id, actor=user)
        return _token_response(ctx, user)

    async def login(self, ctx: RequestContext, *, body: api.LoginRequest) -> api.TokenResponse:
        return await _sign_in(ctx, body.email, body.password)

    async def issue_token(self, ctx: RequestContext, *, body: api.OAuth2PasswordForm) -> api.TokenResponse:
        return await _sign_in(ctx, body.username, body.password)

    async def get_current_user(self, ctx: RequestContext) -> api.User:
        ctx.audit.read(AuditAction.USER_READ, "user", ctx.user.id, patient_of(ctx.user))
        return user_out(ctx.user)
