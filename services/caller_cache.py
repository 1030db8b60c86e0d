"""Callers checked a moment ago, so a burst of requests does not check the same token each time.

Every authenticated request needs its account active and its session not ended (one statement,
persistence/repositories/users.py). A caller found so is trusted for CALLER_CACHE_SECONDS
(2 s by default, 0 turns this off) by the process that checked it. Whatever changes a role,
deactivates an account or ends a session forgets that account here once committed, so this
process acts on it at once; another worker process does within those seconds.
"""

import time
import uuid
from collections.abc import Callable

from persistence.repositories.users import CallerStatus

# Enough for every signed-in user of a clinic; beyond it, the oldest entries go first.
MAX_CALLERS = 10_000


class CallerCache:
    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._found: dict[tuple[uuid.UUID, uuid.UUID | None], tuple[float, CallerStatus]] = {}

    def get(self, user_id: uuid.UUID, session_id: uuid.UUID | None) -> CallerStatus | None:
        entry = self._found.get((user_id, session_id))
        if entry is None:
            return None
        expires, status = entry
        if self._clock() >= expires:
            del self._found[(user_id, session_id)]
            return None
        return status

    def put(self, user_id: uuid.UUID, session_id: uuid.UUID | None, status: CallerStatus) -> None:
        if self._seconds <= 0:
            return
        if len(self._found) >= MAX_CALLERS:
            self._found.pop(next(iter(self._found)))
        self._found[(user_id, session_id)] = (self._clock() + self._seconds, status)

    def forget_user(self, user_id: uuid.UUID) -> None:
        for key in [key for key in self._found if key[0] == user_id]:
            del self._found[key]
