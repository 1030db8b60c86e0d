"""JWT access tokens: HS256 only, with expiry, issuer and audience always checked."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from kernel.errors import Unauthorized
from kernel.settings import Settings

ALGORITHM = "HS256"
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    role: str


class TokenService:
    def __init__(self, settings: Settings, secret: str) -> None:
        self._secret = secret
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.ttl = timedelta(minutes=settings.jwt_ttl_minutes)

    def issue(self, user_id: uuid.UUID, role: str) -> str:
        now = datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "role": role,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + self.ttl,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> TokenClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            return TokenClaims(user_id=uuid.UUID(claims["sub"]), role=str(claims["role"]))
        except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
            raise Unauthorized("The access token is invalid or expired.") from exc


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
