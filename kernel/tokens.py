"""JWT access tokens (HS256 only, expiry, issuer and audience always checked) and the opaque
refresh tokens that renew them; a refresh token is stored only as its SHA-256."""

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from kernel.errors import InvalidToken
from kernel.settings import Settings

ALGORITHM = "HS256"
MIN_SECRET_LENGTH = 32
REFRESH_TOKEN_BYTES = 32
# Tokens verified lately, remembered until they expire: a client sends the same one with every
# request for its 15 minutes. Beyond this many, the oldest are verified again when next seen.
MAX_VERIFIED_TOKENS = 10_000


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    role: str
    jti: str
    expires_at: datetime
    # The sign-in (refresh-token family) the token belongs to; None for tokens made outside one.
    session_id: uuid.UUID | None = None


class TokenService:
    def __init__(self, settings: Settings, secret: str, *, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._clock = clock
        self._verified: dict[str, TokenClaims] = {}
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.ttl = timedelta(seconds=settings.access_token_ttl_seconds)
        self.refresh_ttl = timedelta(days=settings.refresh_token_ttl_days)

    def issue(self, user_id: uuid.UUID, role: str, *, session_id: uuid.UUID | None = None) -> str:
        now = datetime.now(UTC)
        claims: dict[str, object] = {
            "sub": str(user_id),
            "role": role,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + self.ttl,
            "jti": secrets.token_hex(8),
        }
        if session_id is not None:
            claims["sid"] = str(session_id)
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> TokenClaims:
        """The token's claims if its signature, issuer, audience and expiry hold; InvalidToken else.

        The same token string verified before is not decoded again (the signature and claims of
        those exact bytes were checked), only its expiry."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._decode(token)
            if len(self._verified) >= MAX_VERIFIED_TOKENS:
                self._verified.pop(next(iter(self._verified)))
            self._verified[token] = claims
        if claims.expires_at.timestamp() <= self._clock():
            del self._verified[token]
            raise InvalidToken()
        return claims

    def _decode(self, token: str) -> TokenClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud", "jti"]},
            )
            session = claims.get("sid")
            return TokenClaims(
                user_id=uuid.UUID(claims["sub"]),
                role=str(claims["role"]),
                jti=str(claims["jti"]),
                expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
                session_id=uuid.UUID(session) if session is not None else None,
            )
        except (jwt.InvalidTokenError, KeyError, ValueError, TypeError) as exc:
            raise InvalidToken() from exc


def new_refresh_token() -> str:
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def refresh_token_digest(token: str) -> bytes:
    """What is stored: 256 random bits need no slow hash, and a lookup by digest stays indexed."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def load_jwt_secret(settings: Settings) -> str:
    """The configured secret; in development a generated one kept under data_dir."""
    if settings.jwt_secret is not None:
        secret = settings.jwt_secret.get_secret_value()
        if settings.environment == "production" and len(secret) < MIN_SECRET_LENGTH:
            raise RuntimeError(f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters.")
        return secret
    if settings.environment == "production":
        raise RuntimeError("JWT_SECRET must be set in production.")
    path = settings.data_dir / "jwt_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
