import json

from starlette.types import Message, Receive, Scope, Send

from silverstar.upload_limit import MULTIPART_OVERHEAD, UploadSizeLimit

LIMIT = 1000


async def _read_all_then_ok(scope: Scope, receive: Receive, send: Send) -> None:
    while (message := await receive())["type"] == "http.request" and message.get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"stored"})


async def _call(chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[list[Message], int]:
    app = UploadSizeLimit(_read_all_then_ok, paths=frozenset({"/documents"}), max_bytes=LIMIT)
    pending = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    delivered = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal delivered
        delivered += 1
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/documents", "headers": headers}
    await app(scope, receive, send)
    return sent, delivered


async def test_a_streamed_body_over_the_limit_is_cut_off_with_413() -> None:
    chunk = b"x" * 4096
    chunks = [chunk] * 100  # far over the limit, with no Content-Length

    sent, delivered = await _call(chunks, headers=[])

    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["status"] == 413
    assert delivered < len(chunks)  # it stopped reading early


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    too_long = str(LIMIT + MULTIPART_OVERHEAD + 1).encode()

    sent, delivered = await _call([b"x"], headers=[(b"content-length", too_long)])

    assert sent[0]["status"] == 413
    assert delivered == 0


async def test_a_body_within_the_limit_reaches_the_app() -> None:
    sent, _ = await _call([b"x" * 500, b"y" * 400], headers=[])

    assert sent[0]["status"] == 200
