from pathlib import Path

import pytest
from pydantic import SecretStr

from kernel.settings import Settings
from kernel.tokens import load_jwt_secret


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
