"""The one place that turns exceptions into application/problem+json responses."""

import json
import logging
from http import HTTPStatus
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import InterfaceError as SQLAlchemyInterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel.errors import PROBLEM_MEDIA_TYPE, PayloadTooLarge, ProblemError, ServiceUnavailable, problem_type
from kernel.observability import REQUEST_ID_SCOPE_KEY, request_id_var
from silverstar.contract import allowed_methods

log = logging.getLogger(__name__)

_HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


def problem_response(
    status: int,
    title: str,
    detail: str,
    slug: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = {"type": problem_type(slug), "title": title, "status": status, "detail": detail}
    return JSONResponse(
        with_request_id({**body, **extensions}),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def with_request_id(problem: dict[str, Any], request: Request | None = None) -> dict[str, Any]:
    """The request's id in the body too (the X-Request-ID header is lost when a body is pasted).

    A 500 is rendered outside the request id's middleware: there it comes from the scope.
    """
    request_id = request_id_var.get() or (request.scope.get(REQUEST_ID_SCOPE_KEY) if request else None)
    if request_id is not None:
        problem["requestId"] = request_id
    return problem


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return JSONResponse(
        with_request_id(exc.to_problem()),
        status_code=exc.status,
        headers=exc.headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(p) if not isinstance(p, int) else p for p in e["loc"]],
            "msg": e["msg"],
            "type": e["type"],
        }
        for e in exc.errors()
    ]


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(400, "Bad Request", "The request body is not valid JSON.", "bad-request")
    return problem_response(
        422,
        "Unprocessable Content",
        "The request did not validate; see errors.",
        "validation-error",
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    title = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else title
    slug = _HTTP_SLUGS.get(exc.status_code, "http-error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette only knows the first route matching the path; the contract knows them all.
        headers["Allow"] = ", ".join(allowed_methods(request.url.path))
    return problem_response(exc.status_code, title, detail, slug, headers=headers)


# PostgreSQL refuses NUL characters and text that isn't valid UTF-8 (lone surrogates).
_UNSTORABLE_TEXT_SQLSTATES = {"22021", "22P05"}


def _is_unstorable_text(exc: BaseException) -> bool:
    """A text the database refused (NUL, lone surrogates), raised by the driver or on encoding."""
    if isinstance(exc, UnicodeEncodeError):
        return True
    if isinstance(exc, asyncpg.PostgresError):  # from a statement persistence/driver.py ran
        return exc.sqlstate in _UNSTORABLE_TEXT_SQLSTATES
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        if getattr(exc.orig, "sqlstate", None) in _UNSTORABLE_TEXT_SQLSTATES:
            return True
        return isinstance(exc.orig.__cause__, UnicodeEncodeError)
    return False


# Failures of the servers we depend on, not of the request: 503 with Retry-After, never 500.
# OSError covers sockets refused or reset (PostgreSQL restarting, its Unix socket gone).
_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    PoolTimeoutError,
    RedisConnectionError,
    RedisTimeoutError,
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.InterfaceError,
)
# Class 08: connection exceptions; 57P01-57P03: the server shutting down, crashed or starting.
_UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03"}


def _is_database_unavailable(exc: DBAPIError) -> bool:
    if exc.connection_invalidated or isinstance(exc, SQLAlchemyInterfaceError):
        return True
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    if sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES:
        return True
    return isinstance(exc.orig, _UNAVAILABLE_ERRORS) or isinstance(
        getattr(exc.orig, "__cause__", None), _UNAVAILABLE_ERRORS
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("a dependency is unavailable: %s", type(exc).__name__, exc_info=exc)
    return await _problem_error(
        request, ServiceUnavailable("A server the API depends on is unavailable; try again shortly.")
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DBAPIError) and _is_database_unavailable(exc):
        return await _unavailable(request, exc)
    if not _is_unstorable_text(exc):
        raise exc
    return problem_response(
        422,
        "Unprocessable Content",
        "The request contains characters that cannot be stored (NUL or invalid Unicode).",
        "validation-error",
        errors=[],
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    body = {
        "type": problem_type("internal-error"),
        "title": "Internal Server Error",
        "status": 500,
        "detail": "An unexpected error occurred.",
    }
    return JSONResponse(with_request_id(body, request), status_code=500, media_type=PROBLEM_MEDIA_TYPE)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(asyncpg.PostgresError, _database_error)
    app.add_exception_handler(UnicodeEncodeError, _database_error)
    for unavailable in _UNAVAILABLE_ERRORS:
        app.add_exception_handler(unavailable, _unavailable)
    app.add_exception_handler(Exception, _unexpected_error)


class FrameworkTooLargeAsProblem:
    """Starlette's body limiter answers a declared Content-Length over the limit itself, in plain
    text, around every handler; this outermost layer turns that answer into our problem+json."""

    def __init__(self, app: ASGIApp, max_body_size: int | None) -> None:
        self.app = app
        self._max_mb = (max_body_size or 0) // (1024 * 1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replacing = False

        async def send_problem(message: Message) -> None:
            nonlocal replacing
            if message["type"] == "http.response.start" and message["status"] == 413:
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                replacing = content_type.startswith(b"text/plain")
            if not replacing:
                await send(message)
            elif message["type"] == "http.response.start":
                await self._send_problem(scope, send)

        await self.app(scope, receive, send_problem)

    async def _send_problem(self, scope: Scope, send: Send) -> None:
        problem = PayloadTooLarge(f"Requests are limited to {self._max_mb} MB.").to_problem()
        body = json.dumps(with_request_id(problem, Request(scope))).encode()
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        if request_id := scope.get(REQUEST_ID_SCOPE_KEY):
            headers.append((b"x-request-id", str(request_id).encode("latin-1")))
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
