"""Refuses oversized uploads while they stream in, before the whole body is read.

A declared Content-Length over the limit is refused at once; a body that grows past it
(chunked, or a lying header) is cut off, the app's own answer is discarded, and the
client gets 413. The handler still checks the file's own size exactly.
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel.errors import PROBLEM_MEDIA_TYPE, PayloadTooLarge

# Room for the multipart framing around the file (boundaries, part headers, the title).
MULTIPART_OVERHEAD = 64 * 1024


class UploadSizeLimit:
    def __init__(self, app: ASGIApp, *, paths: frozenset[str], max_bytes: int) -> None:
        self.app = app
        self._paths = paths
        self._limit = max_bytes + MULTIPART_OVERHEAD
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self._paths:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._limit:
            await self._refuse(send)
            return
        received = 0
        exceeded = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not exceeded:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        problem = PayloadTooLarge(f"Uploads are limited to {self._max_bytes // (1024 * 1024)} MB.")
        body = json.dumps(problem.to_problem()).encode()
        await send(
            {
                "type": "http.response.start",
                "status": problem.status,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
