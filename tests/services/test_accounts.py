import pytest
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.errors import Unprocessable
from services.accounts import AccountService, ensure_first_admin
from tests.factories import PASSWORD, make_user


async def test_a_login_upgrades_a_hash_made_with_old_parameters(session: AsyncSession) -> None:
    user = await make_user(session, "patient")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    old_hash = user.password_hash

    signed_in = await AccountService(session, password_min_length=10).authenticate(user.email, PASSWORD)

    assert signed_in is not None
    assert signed_in.password_hash != old_hash
    assert PasswordHasher().verify(signed_in.password_hash, PASSWORD)
    assert not PasswordHasher().check_needs_rehash(signed_in.password_hash)


async def test_the_first_admin_is_created_once(session: AsyncSession) -> None:
    first = await ensure_first_admin(session, email="Boss@Clinic.test", password="quiet-harbour-lantern")
    again = await ensure_first_admin(session, email="boss@clinic.test", password="another-harbour-lantern")

    assert first.id == again.id
    assert first.role == "admin"


async def test_the_first_admin_needs_a_password_the_policy_accepts(session: AsyncSession) -> None:
    with pytest.raises(Unprocessable) as refused:
        await ensure_first_admin(session, email="boss@clinic.test", password="aaaaaaaaaa")

    assert refused.value.extensions["errors"][0]["loc"] == ["body", "password"]
