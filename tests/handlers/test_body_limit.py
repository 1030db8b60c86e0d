"""Oversized bodies are refused with a problem+json 413 while they stream in (FastAPI's max_body_size)."""

import dataclasses
import json

from starlette.types import Message

from handlers.context import Runtime
from silverstar.app import MULTIPART_OVERHEAD, create_app

LIMIT = 1000


async def _post_documents(
    runtime: Runtime, chunks: list[bytes], headers: list[tuple[bytes, bytes]]
) -> tuple[list[Message], int]:
    """POST /documents straight through ASGI, the body in chunks as a client streams it."""
    limited = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"max_upload_bytes": LIMIT})
    )
    app = create_app(limited.settings, limited)
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    delivered = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal delivered
        if not pending:
            return {"type": "http.disconnect"}
        delivered += 1
        return pending.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    boundary = [(b"content-type", b"multipart/form-data; boundary=xyz")]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/documents",
        "raw_path": b"/documents",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *boundary, *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return sent, delivered


def _problem(sent: list[Message]) -> tuple[int, dict[str, str], dict[str, object]]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, json.loads(body)


async def test_a_streamed_body_over_the_limit_is_cut_off_with_a_problem_413(runtime: Runtime) -> None:
    opening = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
    chunks = [opening] + [b"x" * 4096] * 100  # far over the limit, with no Content-Length

    sent, delivered = await _post_documents(runtime, chunks, headers=[])

    status, headers, problem = _problem(sent)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert problem["status"] == 413
    assert problem["requestId"] == headers["x-request-id"]
    assert delivered < len(chunks)  # it stopped reading early


async def test_a_declared_length_over_the_limit_is_refused_before_reading(runtime: Runtime) -> None:
    too_long = str(LIMIT + MULTIPART_OVERHEAD + 1).encode()

    sent, delivered = await _post_documents(runtime, [b"x"], headers=[(b"content-length", too_long)])

    status, headers, problem = _problem(sent)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert problem["status"] == 413
    assert delivered == 0
