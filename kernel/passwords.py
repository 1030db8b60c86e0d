"""Passwords: argon2id hashing off the event loop, and the policy a new password must meet.

Hashes are upgraded on login when the parameters change.
"""

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from kernel.errors import Unprocessable

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("silverstar-timing-equaliser")
# argon2 holds a core (and 64 MiB) per hash for a good part of a second and releases the GIL.
# A pool one thread smaller than the machine keeps a core for the event loop: a burst of
# logins queues here instead of stalling every other request, and memory stays bounded.
# Its threads also run below the event loop's priority (a nice value, per thread on Linux): on a
# contended core the loop wins over a hash, so a burst slows the sign-ins, not every request.
HASHING_NICENESS = 5


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux, or not permitted: same priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


_executor = ThreadPoolExecutor(
    max_workers=max(1, (os.cpu_count() or 2) - 1), thread_name_prefix="argon2", initializer=_lower_priority
)

# zxcvbn's 0..4 guess-based score (its bundled lists: common and leaked passwords, words,
# names, keyboard patterns, repeats, sequences, dates). 3 means "safely unguessable:
# moderate protection from offline slow-hash scenarios" (at least 10^8 guesses).
MIN_STRENGTH_SCORE = 3
# zxcvbn's matching time grows steeply with length (~50 ms at 32 characters, near a second at
# 64 here): only this prefix is scored, which a strong password's prefix passes anyway.
_SCORED_PREFIX = 32


T = TypeVar("T")


def _secret(password: str) -> bytes:
    # Lone surrogates (which JSON allows) hash as they came, instead of failing to encode.
    return password.encode("utf-8", "surrogatepass")


async def _off_loop(work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_executor, work)


async def hash_password(password: str) -> str:
    return await _off_loop(lambda: _hasher.hash(_secret(password)))


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, _secret(password)) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Always does the full work, also without a hash (unknown account), so timing tells nothing."""
    return await _off_loop(lambda: _verify(password_hash, password))


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


async def check_password_policy(password: str, *, min_length: int, context: tuple[str, ...] = ()) -> None:
    """422 naming the field unless the password is long enough and not common or guessable.

    `context` holds words the password must not lean on (the email, the name). Scoring is
    CPU work too: it runs in the hashing pool, not on the event loop.
    """
    if len(password) < min_length:
        _refuse(f"The password must be at least {min_length} characters.", "string_too_short")
    words = [part for value in context for part in _words(value)]
    scored = password[:_SCORED_PREFIX]
    score = await _off_loop(lambda: int(zxcvbn(scored, user_inputs=words)["score"]))
    if score < MIN_STRENGTH_SCORE:
        _refuse(
            "The password is too common or easy to guess (a known password, a word, a name, "
            "a repeat or a sequence); a few unrelated words make a strong one.",
            "password_too_weak",
        )


def _words(value: str) -> list[str]:
    separators = str.maketrans({c: " " for c in "@._-+"})
    return [w for w in value.lower().translate(separators).split() if len(w) >= 3]


def _refuse(detail: str, error_type: str) -> None:
    raise Unprocessable(detail, errors=[{"loc": ["body", "password"], "msg": detail, "type": error_type}])
