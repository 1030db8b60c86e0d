"""A local server speaking Gemini's REST protocol, for the real google-genai client to call.

It answers `POST /v1beta/models/{model}:generateContent` and
`:streamGenerateContent?alt=sse` (one `data: {...}` line per piece) from a script of
replies, and records every request (path, headers, JSON body) for the tests to inspect.
With an empty script it answers `DEFAULT_ANSWER`.
"""

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_ANSWER = ["The clinic opens ", "at 8 am [1]."]
_PATH = re.compile(r"^/v1beta/models/(?P<model>[^:/]+):(?P<method>generateContent|streamGenerateContent)")


@dataclass(frozen=True)
class Reply:
    """One scripted answer: an HTTP error, a block, or text (streamed piece by piece)."""

    pieces: tuple[str, ...] = tuple(DEFAULT_ANSWER)
    status: int = 200
    finish_reason: str = "STOP"
    block_reason: str | None = None
    prompt_tokens: int = 42
    completion_tokens: int = 7

    @classmethod
    def error(cls, status: int) -> "Reply":
        return cls(pieces=(), status=status)

    @classmethod
    def text(cls, *pieces: str) -> "Reply":
        return cls(pieces=pieces)


@dataclass(frozen=True)
class Recorded:
    method: str  # generateContent or streamGenerateContent
    model: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def system_instruction(self) -> str:
        parts = self.body.get("systemInstruction", {}).get("parts", [])
        return "".join(part.get("text", "") for part in parts)

    @property
    def contents(self) -> list[tuple[str, str]]:
        """(role, text) of each content sent: the history, then the question."""
        return [
            (c.get("role", ""), "".join(p.get("text", "") for p in c.get("parts", [])))
            for c in self.body.get("contents", [])
        ]


@dataclass
class GeminiServer:
    script: deque[Reply] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def reset(self) -> None:
        self.script.clear()
        self.requests.clear()

    def next_reply(self) -> Reply:
        return self.script.popleft() if self.script else Reply()


def _usage(reply: Reply) -> dict[str, int]:
    return {
        "promptTokenCount": reply.prompt_tokens,
        "candidatesTokenCount": reply.completion_tokens,
        "totalTokenCount": reply.prompt_tokens + reply.completion_tokens,
    }


def _response(reply: Reply, text: str, *, last: bool) -> dict[str, Any]:
    if reply.block_reason:
        return {"promptFeedback": {"blockReason": reply.block_reason}, "usageMetadata": _usage(reply)}
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}
    body: dict[str, Any] = {"candidates": [candidate], "modelVersion": "local"}
    if last:
        candidate["finishReason"] = reply.finish_reason
        body["usageMetadata"] = _usage(reply)
    return body


def _handler(server: GeminiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            match = _PATH.match(self.path)
            if match is None:
                self._send(404, b'{"error": {"code": 404, "message": "not found"}}', "application/json")
                return
            server.requests.append(
                Recorded(
                    method=match["method"],
                    model=match["model"],
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw),
                )
            )
            reply = server.next_reply()
            if reply.status != 200:
                error = {"error": {"code": reply.status, "message": "scripted failure", "status": "ERROR"}}
                self._send(reply.status, json.dumps(error).encode(), "application/json")
                return
            if match["method"] == "generateContent":
                body = _response(reply, "".join(reply.pieces), last=True)
                self._send(200, json.dumps(body).encode(), "application/json")
                return
            pieces = list(reply.pieces) or [""]
            events = b"".join(
                b"data: "
                + json.dumps(_response(reply, piece, last=i == len(pieces) - 1)).encode()
                + b"\r\n\r\n"
                for i, piece in enumerate(pieces)
            )
            self._send(200, events, "text/event-stream")

    return Handler


def start_gemini_server() -> tuple[GeminiServer, ThreadingHTTPServer]:
    """Serves on 127.0.0.1 (a free port) in a daemon thread; `shutdown()` the second value."""
    state = GeminiServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, name="gemini-server", daemon=True).start()
    return state, httpd
