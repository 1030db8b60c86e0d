"""Both storage backends, the S3 one against moto's S3 server over HTTP."""

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from adapters.storage import LocalStorage, S3Storage

BUCKET = "silverstar-documents"


@pytest.fixture(scope="module")
def s3_endpoint(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch_module.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    yield endpoint
    server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_s3_storage_puts_reads_and_deletes_over_http(s3_endpoint: str) -> None:
    storage = S3Storage(BUCKET, endpoint_url=s3_endpoint, region="eu-central-1")

    url = storage.put("documents/a.pdf", io.BytesIO(b"%PDF-1.7 content"))

    assert url == f"s3://{BUCKET}/documents/a.pdf"
    assert storage.read("documents/a.pdf") == b"%PDF-1.7 content"
    storage.delete("documents/a.pdf")
    storage.delete("documents/a.pdf")  # idempotent
    listed = boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(Bucket=BUCKET)
    assert listed.get("KeyCount", 0) == 0


def test_local_storage_round_trips_and_refuses_keys_outside_its_root(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)

    url = storage.put("documents/b.pdf", io.BytesIO(b"%PDF-1.4"))

    assert url == (tmp_path / "documents" / "b.pdf").as_uri()
    assert storage.read("documents/b.pdf") == b"%PDF-1.4"
    storage.delete("documents/b.pdf")
    storage.delete("documents/b.pdf")
    with pytest.raises(ValueError):
        storage.put("../escape.pdf", io.BytesIO(b"x"))


def test_local_storage_keeps_files_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask, under which files were written 0644
    try:
        LocalStorage(tmp_path).put("documents/c.pdf", io.BytesIO(b"%PDF-1.4"))
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "documents" / "c.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "documents").stat().st_mode) == 0o700


def test_local_storage_narrows_an_existing_documents_folder(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir(mode=0o755)
    (tmp_path / "documents").chmod(0o755)

    LocalStorage(tmp_path).put("documents/d.pdf", io.BytesIO(b"%PDF-1.4"))

    assert stat.S_IMODE((tmp_path / "documents").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "documents" / "d.pdf").stat().st_mode) == 0o600
