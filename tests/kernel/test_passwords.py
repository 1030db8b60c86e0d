"""Password work runs off the event loop, on a bounded pool of threads below the loop's priority."""

import asyncio
import os
import threading

from kernel.passwords import HASHING_NICENESS, hash_password, verify_password


def _hashing_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("argon2")]


async def test_a_burst_of_hashes_uses_a_pool_one_thread_smaller_than_the_machine() -> None:
    hashes = await asyncio.gather(*(hash_password(f"burst-password-{i}") for i in range(8)))

    assert await verify_password(hashes[3], "burst-password-3")
    assert 1 <= len(_hashing_threads()) <= max(1, (os.cpu_count() or 2) - 1)


async def test_hashing_threads_run_below_the_event_loops_priority() -> None:
    await hash_password("any-password-at-all")
    loop_niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    niceness = {os.getpriority(os.PRIO_PROCESS, thread.native_id or 0) for thread in _hashing_threads()}

    # A process already nicer than HASHING_NICENESS may not go back below it: its threads stay level.
    assert niceness == {max(loop_niceness, HASHING_NICENESS)}
