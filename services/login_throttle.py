"""Counts failed logins per email and per client IP in Redis; too many → 429 with Retry-After."""

import hashlib

from redis.asyncio import Redis

from silverstar.errors import TooManyRequests
from silverstar.settings import Settings

# An IP may legitimately front many users (a clinic's reception), so it gets more room.
_IP_ALLOWANCE_FACTOR = 4


class LoginThrottle:
    def __init__(self, redis: Redis, settings: Settings) -> None:
        self._redis = redis
        self._max = settings.login_max_failures
        self._window = settings.login_failure_window_seconds
        self._prefix = f"{settings.redis_key_prefix}login-failures"

    def _keys(self, email: str, ip: str) -> tuple[str, str]:
        email_digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return f"{self._prefix}:email:{email_digest}", f"{self._prefix}:ip:{ip}"

    async def ensure_allowed(self, email: str, ip: str) -> None:
        email_key, ip_key = self._keys(email, ip)
        email_count, ip_count = await self._redis.mget(email_key, ip_key)
        for key, count, limit in (
            (email_key, email_count, self._max),
            (ip_key, ip_count, self._max * _IP_ALLOWANCE_FACTOR),
        ):
            if count is not None and int(count) >= limit:
                retry_after = await self._redis.ttl(key)
                raise TooManyRequests(
                    "Too many failed sign-in attempts. Try again later.",
                    retry_after=retry_after if retry_after > 0 else self._window,
                )

    async def record_failure(self, email: str, ip: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in self._keys(email, ip):
                pipe.incr(key)
                pipe.expire(key, self._window, nx=True)
            await pipe.execute()

    async def record_success(self, email: str, ip: str) -> None:
        email_key, _ = self._keys(email, ip)
        await self._redis.delete(email_key)
