import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from pydantic import SecretStr

from kernel.errors import InvalidToken
from kernel.settings import Settings
from kernel.tokens import TokenService, load_jwt_secret, new_refresh_token, refresh_token_digest


def test_production_refuses_to_start_without_a_jwt_secret(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="JWT_SECRET"):
        load_jwt_secret(Settings(environment="production", data_dir=tmp_path))


def test_production_refuses_a_short_jwt_secret(tmp_path: Path) -> None:
    weak = Settings(environment="production", data_dir=tmp_path, jwt_secret=SecretStr("too-short"))

    with pytest.raises(RuntimeError, match="at least 32"):
        load_jwt_secret(weak)


def test_development_generates_a_secret_once_and_keeps_it_private(tmp_path: Path) -> None:
    settings = Settings(environment="development", data_dir=tmp_path)

    first, second = load_jwt_secret(settings), load_jwt_secret(settings)

    assert first == second and len(first) >= 32
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o777 == 0o600


def _service(tmp_path: Path) -> TokenService:
    settings = Settings(environment="test", data_dir=tmp_path, access_token_ttl_seconds=120)
    return TokenService(settings, "s" * 40)


def test_an_access_token_names_its_session_and_expiry(tmp_path: Path) -> None:
    tokens = _service(tmp_path)
    session_id = uuid.uuid4()

    claims = tokens.verify(tokens.issue(uuid.uuid4(), "patient", session_id=session_id))

    assert claims.session_id == session_id
    assert timedelta(seconds=60) < claims.expires_at - datetime.now(UTC) <= timedelta(seconds=120)


def test_a_token_without_a_jti_is_an_invalid_token(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    claims = {"sub": str(uuid.uuid4()), "role": "patient", "iss": "silverstar", "aud": "silverstar-app"}
    token = jwt.encode(claims | {"iat": now, "exp": now + timedelta(minutes=1)}, "s" * 40, algorithm="HS256")

    with pytest.raises(InvalidToken):
        _service(tmp_path).verify(token)


def test_a_token_verified_before_is_refused_once_it_expires(tmp_path: Path) -> None:
    now = [datetime.now(UTC).timestamp()]
    settings = Settings(environment="test", data_dir=tmp_path, access_token_ttl_seconds=120)
    tokens = TokenService(settings, "s" * 40, clock=lambda: now[0])
    token = tokens.issue(uuid.uuid4(), "patient")

    first, again = tokens.verify(token), tokens.verify(token)
    now[0] += 121

    assert again == first
    with pytest.raises(InvalidToken):
        tokens.verify(token)


def test_a_token_tampered_with_after_one_was_verified_is_refused(tmp_path: Path) -> None:
    tokens = _service(tmp_path)
    token = tokens.issue(uuid.uuid4(), "patient")
    tokens.verify(token)
    header, payload, signature = token.split(".")
    admin = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"patient"', b'"admin"')
    ).decode()

    with pytest.raises(InvalidToken):
        tokens.verify(f"{header}.{admin}.{signature}")


def test_refresh_tokens_are_random_and_stored_as_a_digest() -> None:
    first, second = new_refresh_token(), new_refresh_token()

    assert first != second and len(first) >= 43
    assert refresh_token_digest(first) != refresh_token_digest(second)
    assert len(refresh_token_digest(first)) == 32
