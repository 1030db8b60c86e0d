"""Encryption at rest for secrets kept in the database (Fernet, with key rotation).

Keys come from ENCRYPTION_KEYS, newest first: new values are encrypted with the newest,
and every listed key still decrypts, so a key is rotated by prepending a new one and
dropped once nothing encrypted with it is left. With no keys configured, development
and test use a key generated once into ``data_dir/encryption_key``; production refuses.
"""

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from kernel.settings import Settings

LOCAL_KEY_FILE = "encryption_key"


class SecretBox:
    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise RuntimeError("SecretBox needs at least one Fernet key.")
        try:
            fernets = [Fernet(key) for key in keys]
        except ValueError:
            # Never echo the key itself: say which one, by position.
            bad = next(i for i, key in enumerate(keys) if not _is_fernet_key(key))
            raise RuntimeError(
                f"Encryption key #{bad + 1} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes; see Fernet.generate_key())."
            ) from None
        self._fernet = MultiFernet(fernets)

    @classmethod
    def from_settings(cls, settings: Settings) -> "SecretBox":
        return cls(encryption_keys(settings))

    def encrypt(self, plaintext: str) -> bytes:
        """Encrypted with the newest key."""
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        """Tries every key; a value none of them opens is an operator error (a key was dropped)."""
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise RuntimeError(
                "A stored secret cannot be decrypted with any configured encryption key: "
                "was the key it was encrypted with removed from ENCRYPTION_KEYS?"
            ) from None


def _is_fernet_key(key: bytes) -> bool:
    try:
        Fernet(key)
    except ValueError:
        return False
    return True


def encryption_keys(settings: Settings) -> list[bytes]:
    """The configured keys, newest first; else the local key outside production."""
    if settings.encryption_keys:
        return [key.get_secret_value().strip().encode() for key in settings.encryption_keys]
    if settings.environment == "production":
        raise RuntimeError(
            "ENCRYPTION_KEYS is not set: production needs at least one Fernet key "
            "(generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        )
    return [local_key(settings.data_dir)]


def local_key(data_dir: Path) -> bytes:
    """The key in ``data_dir/encryption_key``, created (mode 0600) on first use.

    Written to a temporary file then linked into place, so a concurrent process either
    wins the link or reads the complete key of the one that did.
    """
    path = data_dir / LOCAL_KEY_FILE
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    temporary = data_dir / f".{LOCAL_KEY_FILE}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(Fernet.generate_key())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_bytes().strip()
