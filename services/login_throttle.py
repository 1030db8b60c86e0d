"""Sign-in and registration attempts counted in Redis; over a limit → 429 with Retry-After.

An attempt is counted before any password work, in one atomic script that checks every
limit and takes a place under all of them together, so a burst can never get more attempts
past the door than the limits allow. A successful sign-in gives its places back. Redis
unreachable raises its ConnectionError, which answers 503: without the counters, sign-in
fails closed.
"""

import hashlib
from dataclasses import dataclass

from redis.asyncio import Redis

from kernel.errors import TooManyRequests
from kernel.settings import Settings

# An IP may legitimately front many users (a clinic's reception), so it gets more room.
_IP_ALLOWANCE_FACTOR = 4

# KEYS: counters; ARGV: their limits, then the window in seconds. Returns 0 when a place
# was taken under every limit, else the seconds until the first full counter expires.
_TAKE_PLACE = """
local window = tonumber(ARGV[#ARGV])
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i]) then
    local ttl = redis.call('TTL', key)
    if ttl > 0 then return ttl end
    return window
  end
end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, window, 'NX')
end
return 0
"""

# KEYS: the email's counter (deleted), the IP's (given one place back, if it still counts).
_FORGIVE = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0
"""


@dataclass(frozen=True)
class _Limit:
    key: str
    limit: int


class _Attempts:
    def __init__(self, redis: Redis, window_seconds: int) -> None:
        self._redis = redis
        self._window = window_seconds

    async def take(self, limits: list[_Limit], detail: str) -> None:
        args = [str(limit.limit) for limit in limits] + [str(self._window)]
        keys = [limit.key for limit in limits]
        retry_after = int(await self._redis.eval(_TAKE_PLACE, len(keys), *keys, *args))
        if retry_after:
            raise TooManyRequests(detail, retry_after=retry_after)


def _digest(text: str) -> str:
    return hashlib.sha256(text.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()


class LoginThrottle:
    def __init__(self, redis: Redis, settings: Settings) -> None:
        self._redis = redis
        self._attempts = _Attempts(redis, settings.login_failure_window_seconds)
        self._max = settings.login_max_failures
        self._prefix = f"{settings.redis_key_prefix}login-attempts"

    def email_key(self, email: str) -> str:
        return f"{self._prefix}:email:{_digest(email)}"

    def ip_key(self, ip: str) -> str:
        return f"{self._prefix}:ip:{ip}"

    async def take_attempt(self, email: str, ip: str) -> None:
        """Counts one attempt for the email and the IP, or refuses it (429) before any work."""
        await self._attempts.take(
            [
                _Limit(self.email_key(email), self._max),
                _Limit(self.ip_key(ip), self._max * _IP_ALLOWANCE_FACTOR),
            ],
            "Too many failed sign-in attempts. Try again later.",
        )

    async def record_success(self, email: str, ip: str) -> None:
        """The email's failures are forgiven; the IP gets its attempt back."""
        await self._redis.eval(_FORGIVE, 2, self.email_key(email), self.ip_key(ip))


class RegistrationThrottle:
    def __init__(self, redis: Redis, settings: Settings) -> None:
        self._attempts = _Attempts(redis, settings.registration_window_seconds)
        self._max = settings.registration_max_per_ip
        self._prefix = f"{settings.redis_key_prefix}registrations"

    async def take_attempt(self, ip: str) -> None:
        await self._attempts.take(
            [_Limit(f"{self._prefix}:ip:{ip}", self._max)],
            "Too many registrations from this address. Try again later.",
        )
