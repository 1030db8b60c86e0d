"""A per-user quota of assistant questions per minute (each one costs model time), in Redis."""

import uuid

from redis.asyncio import Redis

from kernel.errors import TooManyRequests
from kernel.settings import Settings

WINDOW_SECONDS = 60


class ChatQuota:
    def __init__(self, redis: Redis, settings: Settings) -> None:
        self._redis = redis
        self._limit = settings.chat_requests_per_minute
        self._prefix = f"{settings.redis_key_prefix}chat-quota"

    async def take(self, user_id: uuid.UUID) -> None:
        """Counts one question; over the limit → 429 with the seconds until the window resets.

        The window starts with a user's first question and lasts a minute.
        """
        key = f"{self._prefix}:{user_id}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS, nx=True)
            pipe.ttl(key)
            count, _, ttl = await pipe.execute()
        if count > self._limit:
            retry_after = ttl if ttl > 0 else WINDOW_SECONDS
            raise TooManyRequests(
                f"At most {self._limit} questions a minute; please wait a moment.", retry_after=retry_after
            )
