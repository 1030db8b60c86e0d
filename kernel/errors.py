"""Errors that carry their HTTP status and render as RFC 9457 problem+json.

Every error a client can cause is one of these classes; one exception handler
(silverstar.problems) renders them all.
"""

from typing import Any, ClassVar, Self

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemError(Exception):
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal Server Error"
    slug: ClassVar[str] = "internal-error"

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions
        self.keeps_changes = False

    def keeping_changes(self) -> Self:
        """The request's changes are committed before this problem is sent (not rolled back)."""
        self.keeps_changes = True
        return self

    @property
    def type(self) -> str:
        return problem_type(self.slug)

    def to_problem(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extensions,
        }


def problem_type(slug: str) -> str:
    return f"https://silverstar.dev/problems/{slug}"


BEARER_REALM = "silverstar"


class Unauthorized(ProblemError):
    """No credentials (RFC 6750 §3: a bare challenge), or credentials that were refused."""

    status, title, slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail: str = "Missing or invalid credentials.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": f'Bearer realm="{BEARER_REALM}"'})


class InvalidToken(Unauthorized):
    """A token that is expired, revoked, malformed or not ours: RFC 6750's `invalid_token`."""

    def __init__(self, detail: str = "The access token is invalid or expired.") -> None:
        super().__init__(detail)
        self.headers["WWW-Authenticate"] = f'Bearer realm="{BEARER_REALM}", error="invalid_token"'


class Forbidden(ProblemError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(ProblemError):
    status, title, slug = 404, "Not Found", "not-found"


class Conflict(ProblemError):
    status, title, slug = 409, "Conflict", "conflict"


class PayloadTooLarge(ProblemError):
    status, title, slug = 413, "Payload Too Large", "payload-too-large"


class UnsupportedMediaType(ProblemError):
    status, title, slug = 415, "Unsupported Media Type", "unsupported-media-type"


class Unprocessable(ProblemError):
    status, title, slug = 422, "Unprocessable Content", "validation-error"


class TooManyRequests(ProblemError):
    status, title, slug = 429, "Too Many Requests", "too-many-requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(retry_after, 1))})


class BadGateway(ProblemError):
    status, title, slug = 502, "Bad Gateway", "bad-gateway"


# How long a client should wait after a 503: a database restart or a Redis failover takes seconds.
UNAVAILABLE_RETRY_AFTER_SECONDS = 5


class ServiceUnavailable(ProblemError):
    status, title, slug = 503, "Service Unavailable", "service-unavailable"

    def __init__(
        self, detail: str, *, retry_after: int = UNAVAILABLE_RETRY_AFTER_SECONDS, **extensions: Any
    ) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(retry_after, 1))}, **extensions)
