from uuid import UUID

from generated import models as api
from handlers.context import RequestContext
from handlers.representations import user_out
from persistence.models import UserRole
from services.accounts import AccountService, NewUser, UserChanges
from services.audit import AuditAction, patient_of, record_user_change
from services.sessions import SessionService


def _accounts(ctx: RequestContext) -> AccountService:
    return AccountService(
        ctx.session,
        password_min_length=ctx.runtime.settings.password_min_length,
        release_connection=ctx.release_connection,
    )


class UsersHandlers:
    async def list_users(
        self, ctx: RequestContext, *, role: api.Role | None, q: str | None, limit: int, offset: int
    ) -> api.UserPage:
        users, total = await _accounts(ctx).page(
            role=UserRole(role) if role else None, query=q, limit=limit, offset=offset
        )
        ctx.audit.listed(AuditAction.USER_LIST, "user", (patient_of(u) for u in users))
        return api.UserPage(items=[user_out(u) for u in users], total=total, limit=limit, offset=offset)

    async def create_user(self, ctx: RequestContext, *, body: api.UserCreate) -> api.User:
        user = await _accounts(ctx).create(
            NewUser(
                email=str(body.email),
                password=body.password,
                name=body.name,
                phone=body.phone,
                role=UserRole(body.role),
                specialty=body.specialty,
                service_ids=body.service_ids or (),
            )
        )
        ctx.audit.record(AuditAction.USER_CREATE, "user", user.id, patient_id=patient_of(user))
        return user_out(user)

    async def get_user(self, ctx: RequestContext, *, user_id: UUID) -> api.User:
        user = await _accounts(ctx).get_visible(ctx.user, user_id)
        ctx.audit.read(AuditAction.USER_READ, "user", user.id, patient_of(user))
        return user_out(user)

    async def update_user(self, ctx: RequestContext, *, user_id: UUID, body: api.UserUpdate) -> api.User:
        sent = body.model_dump(exclude_unset=True)
        if sent.get("role") is not None:
            sent["role"] = sent["role"].value
        changes = {name: value for name, value in sent.items() if value is not None or name == "phone"}
        updated = await _accounts(ctx).update(ctx.user, user_id, UserChanges(changes))
        user = updated.user
        record_user_change(ctx.audit, user, updated.previous_role, changes)
        ctx.forget_caller(user.id)
        if changes.get("is_active") is False:
            # A deactivated account's sessions end: no refresh (its access tokens die with the
            # account, which no request accepts once inactive).
            await SessionService(ctx.session, ctx.runtime.tokens).end_all(user.id)
        return user_out(user)
