import urllib.parse
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Runtime
from persistence.models import Appointment, Document, User
from silverstar.app import create_app
from tests.factories import make_service, make_user
from tests.handlers.conftest import AuthHeaders
from tests.pdfs import PNG_BYTES, encrypted_pdf, text_pdf

PROBLEM = "application/problem+json"


@pytest.fixture
def document_storage(runtime: Runtime) -> Path:
    return runtime.settings.data_dir / "documents"


def _pdf_upload(content: bytes, filename: str = "results.pdf", **fields: str) -> dict[str, object]:
    return {"files": {"file": (filename, content, "application/pdf")}, "data": fields}


async def _upload(
    client: AsyncClient, headers: dict[str, str], content: bytes, **kwargs: str
) -> httpx.Response:
    return await client.post("/documents", headers=headers, **_pdf_upload(content, **kwargs))  # type: ignore[arg-type]


async def test_a_patient_uploads_a_pdf_and_it_waits_for_processing(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, document_storage: Path
) -> None:
    response = await _upload(client, auth_headers(patient), text_pdf(["Blood test"]), title="Lab results")

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["patientId"], body["title"]) == ("pending", str(patient.id), "Lab results")
    assert len(body["sha256"]) == 64
    assert (document_storage / f"{body['id']}.pdf").read_bytes() == text_pdf(["Blood test"])


async def test_the_stored_name_is_ours_and_the_filename_is_sanitised(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, document_storage: Path
) -> None:
    response = await _upload(client, auth_headers(patient), text_pdf(["x"]), filename="../../etc/passwd;rm")

    assert response.json()["filename"] == "passwd_rm.pdf"
    assert [p.name for p in document_storage.iterdir()] == [f"{response.json()['id']}.pdf"]


async def test_the_same_file_uploaded_again_returns_the_existing_document(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    first = await _upload(client, auth_headers(patient), text_pdf(["Same"]))
    again = await _upload(client, auth_headers(patient), text_pdf(["Same"]), filename="copy.pdf")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


async def test_a_png_renamed_to_pdf_is_unsupported(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, document_storage: Path
) -> None:
    response = await _upload(client, auth_headers(patient), PNG_BYTES, filename="scan.pdf")

    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM
    assert not document_storage.exists() or not any(document_storage.iterdir())


async def test_an_encrypted_pdf_is_accepted_for_processing(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await _upload(client, auth_headers(patient), encrypted_pdf())

    assert response.status_code == 202


@pytest_asyncio.fixture
async def small_limit_client(runtime: Runtime) -> AsyncIterator[AsyncClient]:
    settings = runtime.settings.model_copy(update={"max_upload_bytes": 100 * 1024})
    app = create_app(settings, runtime.with_settings(settings))
    async with AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def test_an_oversized_upload_is_refused_and_the_api_keeps_serving(
    small_limit_client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    big = text_pdf(["x"]) + b"%" + b"0" * (200 * 1024)

    response = await _upload(small_limit_client, auth_headers(patient), big)

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert (await small_limit_client.get("/health")).status_code == 200


async def test_a_file_just_over_the_limit_is_refused_by_its_own_size(
    small_limit_client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    just_over = text_pdf(["x"]) + b"%" + b"0" * (100 * 1024)

    response = await _upload(small_limit_client, auth_headers(patient), just_over)

    assert response.status_code == 413


async def test_patients_never_see_each_others_documents(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(session, "patient")
    theirs = (await _upload(client, auth_headers(other), text_pdf(["Private diagnosis"]))).json()
    mine = (await _upload(client, auth_headers(patient), text_pdf(["My results"]))).json()
    me = auth_headers(patient)

    listed = await client.get("/documents", headers=me)
    read = await client.get(f"/documents/{theirs['id']}", headers=me)
    download = await client.get(f"/documents/{theirs['id']}/file", headers=me)
    delete = await client.delete(f"/documents/{theirs['id']}", headers=me)

    assert [d["id"] for d in listed.json()["items"]] == [mine["id"]]
    assert (read.status_code, download.status_code, delete.status_code) == (404, 404, 404)


async def test_documents_are_listed_newest_first(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    uploaded = [
        (await _upload(client, auth_headers(patient), text_pdf([f"Result {n}"]))).json() for n in range(3)
    ]
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    for days, document in zip((1, 5, 3), uploaded, strict=True):  # one transaction: distinct times
        await session.execute(
            update(Document)
            .where(Document.id == document["id"])
            .values(created_at=long_ago + timedelta(days=days))
        )

    listed = await client.get("/documents", headers=auth_headers(patient))

    assert [d["id"] for d in listed.json()["items"]] == [uploaded[i]["id"] for i in (1, 2, 0)]


async def test_a_doctor_sees_the_knowledge_base_their_uploads_and_their_patients_documents_only(
    client: AsyncClient,
    doctor: User,
    patient: User,
    admin: User,
    auth_headers: AuthHeaders,
    session: AsyncSession,
) -> None:
    service = await make_service(session)
    start = datetime(2030, 1, 7, 9, tzinfo=UTC)
    session.add(
        Appointment(
            doctor_id=doctor.id,
            patient_id=patient.id,
            service_id=service.id,
            start_time=start,
            end_time=start + timedelta(minutes=30),
        )
    )
    await session.flush()
    stranger = await make_user(session, "patient")
    handbook = (await _upload(client, auth_headers(admin), text_pdf(["Handbook"]))).json()
    treated = (await _upload(client, auth_headers(patient), text_pdf(["My results"]))).json()
    referral = await _upload(client, auth_headers(doctor), text_pdf(["Referral"]), patientId=str(patient.id))
    hidden = (await _upload(client, auth_headers(stranger), text_pdf(["Not theirs"]))).json()
    as_doctor = auth_headers(doctor)

    listed = await client.get("/documents", headers=as_doctor)
    hidden_read = await client.get(f"/documents/{hidden['id']}", headers=as_doctor)
    treated_read = await client.get(f"/documents/{treated['id']}", headers=as_doctor)

    expected = {handbook["id"], treated["id"], referral.json()["id"]}
    assert referral.status_code == 202  # accepted for processing
    assert {d["id"] for d in listed.json()["items"]} == expected
    assert listed.json()["total"] == 3
    assert (hidden_read.status_code, treated_read.status_code) == (404, 200)


async def test_the_knowledge_base_is_readable_by_everyone(
    client: AsyncClient, patient: User, admin: User, auth_headers: AuthHeaders
) -> None:
    uploaded = (await _upload(client, auth_headers(admin), text_pdf(["Opening hours"]))).json()

    assert uploaded["patientId"] is None
    download = await client.get(f"/documents/{uploaded['id']}/file", headers=auth_headers(patient))
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content == text_pdf(["Opening hours"])


async def test_a_patient_cannot_upload_into_another_patients_records(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(session, "patient")

    response = await _upload(client, auth_headers(patient), text_pdf(["x"]), patientId=str(other.id))

    assert response.status_code == 403


async def test_a_doctor_uploads_only_for_their_own_patients(
    client: AsyncClient, doctor: User, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await _upload(client, auth_headers(doctor), text_pdf(["Referral"]), patientId=str(patient.id))

    assert response.status_code == 403


async def test_deleting_removes_the_document_and_its_file(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, document_storage: Path
) -> None:
    uploaded = (await _upload(client, auth_headers(patient), text_pdf(["Old scan"]))).json()

    response = await client.delete(f"/documents/{uploaded['id']}", headers=auth_headers(patient))

    assert response.status_code == 204
    assert (
        await client.get(f"/documents/{uploaded['id']}", headers=auth_headers(patient))
    ).status_code == 404
    assert not (document_storage / f"{uploaded['id']}.pdf").exists()


async def test_a_patient_listing_another_patients_documents_is_forbidden(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(session, "patient")
    await _upload(client, auth_headers(other), text_pdf(["Their results"]))
    me = auth_headers(patient)

    theirs = await client.get("/documents", params={"patientId": str(other.id)}, headers=me)
    mine = await client.get("/documents", params={"patientId": str(patient.id)}, headers=me)

    assert theirs.status_code == 403
    assert theirs.headers["content-type"] == PROBLEM
    assert mine.status_code == 200


async def test_a_document_with_a_non_ascii_name_downloads_under_that_name(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    uploaded = await _upload(client, auth_headers(patient), text_pdf(["Befund"]), filename="病历 Müller.pdf")
    assert uploaded.status_code == 202
    assert uploaded.json()["filename"] == "病历 Müller.pdf"

    download = await client.get(f"/documents/{uploaded.json()['id']}/file", headers=auth_headers(patient))

    assert download.status_code == 200
    assert download.content == text_pdf(["Befund"])
    disposition = download.headers["content-disposition"]
    assert disposition.isascii()
    # RFC 6266: an ASCII fallback for old clients, then the exact name (RFC 5987, UTF-8).
    assert disposition == (
        "attachment; filename=\"__ Muller.pdf\"; filename*=UTF-8''%E7%97%85%E5%8E%86%20M%C3%BCller.pdf"
    )
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert urllib.parse.unquote(encoded) == "病历 Müller.pdf"
