"""The caller cache: trusted for its seconds, forgotten per account, bounded, off at 0."""

import uuid

from persistence.models import Caller, UserRole
from persistence.repositories.users import CallerStatus
from services.caller_cache import MAX_CALLERS, CallerCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _status(user_id: uuid.UUID) -> CallerStatus:
    return CallerStatus(Caller(user_id, UserRole.patient), is_active=True, session_ended=False)


def test_a_caller_is_trusted_for_the_configured_seconds_and_no_longer() -> None:
    clock = Clock()
    cache = CallerCache(2.0, clock=clock)
    user, session = uuid.uuid4(), uuid.uuid4()
    cache.put(user, session, _status(user))

    clock.now += 1.9
    trusted = cache.get(user, session)
    clock.now += 0.1
    expired = cache.get(user, session)

    assert trusted == _status(user)
    assert expired is None


def test_a_session_is_trusted_only_for_itself() -> None:
    cache = CallerCache(2.0)
    user = uuid.uuid4()
    cache.put(user, uuid.uuid4(), _status(user))

    assert cache.get(user, uuid.uuid4()) is None
    assert cache.get(user, None) is None


def test_forgetting_an_account_forgets_every_session_of_it_and_nobody_elses() -> None:
    cache = CallerCache(2.0)
    user, other = uuid.uuid4(), uuid.uuid4()
    phone, laptop, theirs = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    cache.put(user, phone, _status(user))
    cache.put(user, laptop, _status(user))
    cache.put(other, theirs, _status(other))

    cache.forget_user(user)

    assert cache.get(user, phone) is None and cache.get(user, laptop) is None
    assert cache.get(other, theirs) == _status(other)


def test_zero_seconds_keeps_nothing() -> None:
    cache = CallerCache(0)
    user, session = uuid.uuid4(), uuid.uuid4()
    cache.put(user, session, _status(user))

    assert cache.get(user, session) is None


def test_the_cache_holds_at_most_its_bound_dropping_the_oldest() -> None:
    cache = CallerCache(60.0)
    users = [uuid.uuid4() for _ in range(MAX_CALLERS + 1)]
    for user in users:
        cache.put(user, None, _status(user))

    assert cache.get(users[0], None) is None
    assert cache.get(users[1], None) == _status(users[1])
    assert cache.get(users[-1], None) == _status(users[-1])
