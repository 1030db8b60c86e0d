"""The assistant's event stream pings (FastAPI's `: ping` comment) while the next event is slow to come."""

import asyncio
from collections.abc import AsyncIterator

from fastapi.sse import KEEPALIVE_COMMENT

from handlers.ai import _event, _with_keepalive


async def test_a_slow_event_is_preceded_by_pings_and_the_stream_ends_after_it() -> None:
    release = asyncio.Event()
    token = _event("token", {"text": "We open at 8."})

    async def slow() -> AsyncIterator[bytes]:
        await release.wait()
        yield token

    stream = _with_keepalive(slow(), interval=0.01)
    assert await anext(stream) == KEEPALIVE_COMMENT
    release.set()
    rest = [item async for item in stream]

    assert rest[-1] == token
    assert set(rest[:-1]) <= {KEEPALIVE_COMMENT}
    assert token == b'event: token\ndata: {"text": "We open at 8."}\n\n'


async def test_a_client_leaving_cancels_the_pending_event() -> None:
    cancelled = asyncio.Event()

    async def never() -> AsyncIterator[bytes]:
        try:
            await asyncio.Event().wait()
            yield b""
        except asyncio.CancelledError:
            cancelled.set()
            raise

    stream = _with_keepalive(never(), interval=0.01)
    assert await anext(stream) == KEEPALIVE_COMMENT
    await stream.aclose()
    await asyncio.wait_for(cancelled.wait(), timeout=10)
