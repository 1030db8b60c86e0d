import stat
from pathlib import Path
from typing import Literal

import pytest
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from kernel.secret_box import LOCAL_KEY_FILE, SecretBox
from kernel.settings import Settings


def _settings(
    tmp_path: Path, *keys: bytes, environment: Literal["development", "test", "production"] = "test"
) -> Settings:
    return Settings(
        environment=environment,
        data_dir=tmp_path,
        encryption_keys=[SecretStr(key.decode()) for key in keys],
    )


def test_a_value_encrypted_with_an_old_key_still_decrypts_after_rotation(tmp_path: Path) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    encrypted = SecretBox.from_settings(_settings(tmp_path, old)).encrypt("the secret")

    assert SecretBox.from_settings(_settings(tmp_path, new, old)).decrypt(encrypted) == "the secret"


def test_new_values_are_encrypted_with_the_newest_key(tmp_path: Path) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()

    encrypted = SecretBox.from_settings(_settings(tmp_path, new, old)).encrypt("the secret")

    assert Fernet(new).decrypt(encrypted) == b"the secret"
    with pytest.raises(InvalidToken):
        Fernet(old).decrypt(encrypted)


def test_a_value_no_configured_key_opens_is_a_clear_error(tmp_path: Path) -> None:
    encrypted = Fernet(Fernet.generate_key()).encrypt(b"the secret")

    with pytest.raises(RuntimeError, match="ENCRYPTION_KEYS"):
        SecretBox.from_settings(_settings(tmp_path, Fernet.generate_key())).decrypt(encrypted)


def test_without_keys_a_local_key_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "data")

    encrypted = SecretBox.from_settings(settings).encrypt("the secret")

    key_file = tmp_path / "data" / LOCAL_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Fernet(key_file.read_bytes()).decrypt(encrypted) == b"the secret"
    assert SecretBox.from_settings(settings).decrypt(encrypted) == "the secret"
    assert [p.name for p in key_file.parent.iterdir()] == [LOCAL_KEY_FILE]


def test_production_without_keys_refuses_and_writes_no_key(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ENCRYPTION_KEYS is not set"):
        SecretBox.from_settings(_settings(tmp_path, environment="production"))

    assert not (tmp_path / LOCAL_KEY_FILE).exists()


def test_a_malformed_key_is_reported_by_position_without_echoing_it(tmp_path: Path) -> None:
    bad = b"not-a-fernet-key-but-a-secret"

    with pytest.raises(RuntimeError, match="key #2") as raised:
        SecretBox.from_settings(_settings(tmp_path, Fernet.generate_key(), bad))

    assert bad.decode() not in str(raised.value)
