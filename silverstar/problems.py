"""The one place that turns exceptions into application/problem+json responses."""

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

from kernel.errors import PROBLEM_MEDIA_TYPE, ProblemError, ServiceUnavailable, problem_type
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
        {**body, **extensions},
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return JSONResponse(
        exc.to_problem(), status_code=exc.status, headers=exc.headers, media_type=PROBLEM_MEDIA_TYPE
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
    return problem_response(500, "Internal Server Error", "An unexpected error occurred.", "internal-error")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(UnicodeEncodeError, _database_error)
    for unavailable in _UNAVAILABLE_ERRORS:
        app.add_exception_handler(unavailable, _unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
