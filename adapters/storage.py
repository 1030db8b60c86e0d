"""Where uploaded files live: a local directory (the default) or S3-compatible object storage.

Keys are ours (`documents/<uuid>.pdf`), never the client's filename. The storage URL
recorded on a document (`file://...` or `s3://bucket/key`) says which backend holds it.
Both backends are blocking; async callers run them in a thread.
"""

import os
import shutil
from pathlib import Path
from typing import BinaryIO, Protocol

from kernel.settings import Settings

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


class DocumentStorage(Protocol):
    def put(self, key: str, source: BinaryIO) -> str:
        """Stores the stream under `key` and returns its storage URL."""
        ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None:
        """Idempotent: deleting a missing object is not an error."""
        ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, key: str) -> Path:
        path = (self._root / key).resolve()
        if not path.is_relative_to(self._root.resolve()):
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return path

    def put(self, key: str, source: BinaryIO) -> str:
        path = self._path(key)
        self._make_private_dirs(path.parent)
        partial = path.with_suffix(path.suffix + ".partial")
        # Patients' records: readable by the service's own user only, whatever the umask.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        os.fchmod(descriptor, FILE_MODE)  # an existing leftover .partial keeps its old mode otherwise
        with os.fdopen(descriptor, "wb") as target:
            shutil.copyfileobj(source, target)
        partial.replace(path)
        return path.as_uri()

    def _make_private_dirs(self, directory: Path) -> None:
        """`directory` and its parents below the root, created or narrowed to DIRECTORY_MODE. The
        root itself (DATA_DIR, shared with other data such as the embedded database) is left alone."""
        root = self._root.resolve()
        directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        for folder in (directory, *directory.parents):
            if folder == root or not folder.is_relative_to(root):
                break
            folder.chmod(DIRECTORY_MODE)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    def __init__(self, bucket: str, *, endpoint_url: str | None, region: str | None) -> None:
        import boto3

        self._bucket = bucket
        self._client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)

    def put(self, key: str, source: BinaryIO) -> str:
        self._client.upload_fileobj(source, self._bucket, key, ExtraArgs={"ContentType": "application/pdf"})
        return f"s3://{self._bucket}/{key}"

    def read(self, key: str) -> bytes:
        body: bytes = self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        return body

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)


def create_storage(settings: Settings) -> DocumentStorage:
    if settings.s3_bucket:
        return S3Storage(settings.s3_bucket, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region)
    return LocalStorage(settings.data_dir)


def document_key(document_id: object) -> str:
    return f"documents/{document_id}.pdf"
