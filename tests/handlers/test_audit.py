"""The access audit through HTTP: what is recorded, the admin's search, the patient's access log."""

import io
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Runtime
from persistence.models import Document, User
from services.documents import Upload, document_service
from services.jobs import JobBuffer
from silverstar.app import create_app
from tests.factories import PASSWORD, make_user
from tests.handlers.conftest import AuthHeaders
from tests.pdfs import text_pdf


async def _patient_document(session: AsyncSession, runtime: Runtime, patient: User) -> Document:
    upload = Upload(
        stream=io.BytesIO(text_pdf(["Blood test"])), filename="labs.pdf", title=None, patient_id=patient.id
    )
    # Its ingestion job is dropped: the audit needs the row, not the index.
    documents = document_service(session, runtime.world, JobBuffer())
    return (await documents.upload(patient, upload)).document


@pytest_asyncio.fixture
async def other(session: AsyncSession, runtime: Runtime, patient: User) -> User:
    """A second patient; each of the two has a document an admin's list returns."""
    other = await make_user(session, "patient", name="Olga Other")
    for owner in (patient, other):
        await _patient_document(session, runtime, owner)
    return other


async def _events(
    client: httpx.AsyncClient, headers: dict[str, str], **query: str
) -> list[dict[str, object]]:
    response = await client.get("/audit-events", params=query | {"limit": "100"}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_an_admin_reading_a_patients_document_appears_in_the_patients_access_log(
    client: httpx.AsyncClient,
    session: AsyncSession,
    runtime: Runtime,
    admin: User,
    patient: User,
    auth_headers: AuthHeaders,
) -> None:
    document = await _patient_document(session, runtime, patient)
    assert (await client.get(f"/documents/{document.id}", headers=auth_headers(patient))).status_code == 200

    read = await client.get(f"/documents/{document.id}", headers=auth_headers(admin))
    downloaded = await client.get(f"/documents/{document.id}/file", headers=auth_headers(admin))
    log = await client.get("/users/me/access-log", headers=auth_headers(patient))

    assert (read.status_code, downloaded.status_code, log.status_code) == (200, 200, 200)
    entries = log.json()["items"]
    assert [(e["actorName"], e["actorRole"], e["action"], e["objectId"]) for e in entries] == [
        ("Ada Admin", "admin", "document.download", str(document.id)),
        ("Ada Admin", "admin", "document.read", str(document.id)),
    ]  # newest first; the patient's own read and upload are not listed
    assert log.json()["total"] == 2


async def test_an_event_records_who_from_where_and_which_request(
    client: httpx.AsyncClient, admin: User, patient: User, auth_headers: AuthHeaders
) -> None:
    headers = auth_headers(admin) | {"User-Agent": "clinic-desk/1.0", "X-Request-ID": "audit-req-1"}
    assert (await client.get(f"/users/{patient.id}", headers=headers)).status_code == 200

    [event] = await _events(client, auth_headers(admin), action="user.read", patientId=str(patient.id))

    assert event["actorId"] == str(admin.id)
    assert (event["actorRole"], event["actorName"], event["objectType"]) == ("admin", "Ada Admin", "user")
    assert (event["objectId"], event["outcome"]) == (str(patient.id), "success")
    assert (event["requestId"], event["userAgent"], event["clientIp"]) == (
        "audit-req-1",
        "clinic-desk/1.0",
        "127.0.0.1",
    )


async def test_a_list_read_is_one_event_naming_each_patient_whose_rows_were_returned(
    client: httpx.AsyncClient,
    admin: User,
    patient: User,
    other: User,
    auth_headers: AuthHeaders,
) -> None:
    headers = auth_headers(admin) | {"X-Request-ID": "audit-list-1"}

    assert (await client.get("/documents", params={"limit": "100"}, headers=headers)).status_code == 200

    [event] = [
        e
        for e in await _events(client, auth_headers(admin), action="document.list")
        if e["requestId"] == "audit-list-1"
    ]
    assert event["patientId"] is None
    assert isinstance(event["patientIds"], list)
    assert {str(patient.id), str(other.id)} <= set(event["patientIds"])
    assert event["patientIds"] == sorted(event["patientIds"])
    for one in (patient, other):  # the admin's patient filter finds it among the others
        found = await _events(client, auth_headers(admin), action="document.list", patientId=str(one.id))
        assert "audit-list-1" in {e["requestId"] for e in found}


async def test_a_list_read_appears_in_each_listed_patients_access_log_without_the_others(
    client: httpx.AsyncClient,
    admin: User,
    patient: User,
    other: User,
    auth_headers: AuthHeaders,
) -> None:
    listed = await client.get("/documents", params={"limit": "100"}, headers=auth_headers(admin))
    assert listed.status_code == 200

    for one in (patient, other):
        log = await client.get("/users/me/access-log", headers=auth_headers(one))
        assert log.status_code == 200
        [entry] = [e for e in log.json()["items"] if e["action"] == "document.list"]
        assert (entry["actorName"], entry["objectId"]) == ("Ada Admin", None)
        assert str(patient.id if one is other else other.id) not in log.text


async def test_a_refused_attempt_on_another_patients_object_is_recorded(
    client: httpx.AsyncClient,
    session: AsyncSession,
    runtime: Runtime,
    admin: User,
    patient: User,
    auth_headers: AuthHeaders,
) -> None:
    other = await make_user(session, "patient")
    document = await _patient_document(session, runtime, other)

    response = await client.get(f"/documents/{document.id}/file", headers=auth_headers(patient))

    assert response.status_code == 404
    [event] = await _events(client, auth_headers(admin), actorId=str(patient.id), action="document.download")
    assert (event["outcome"], event["objectId"], event["detail"]) == (
        "refused",
        str(document.id),
        {"status": 404},
    )
    assert event["patientId"] == str(other.id)  # so it shows in the other patient's access log


async def test_sign_ins_are_recorded_the_failed_ones_too(
    client: httpx.AsyncClient, admin: User, patient: User, auth_headers: AuthHeaders
) -> None:
    wrong = await client.post("/auth/login", json={"email": patient.email, "password": "not-the-password"})
    right = await client.post("/auth/login", json={"email": patient.email, "password": PASSWORD})

    assert (wrong.status_code, right.status_code) == (401, 200)
    events = await _events(client, auth_headers(admin), action="auth.login")
    failed = [e for e in events if e["outcome"] == "failure" and e["detail"] == {"email": patient.email}]
    succeeded = [e for e in events if e["outcome"] == "success" and e["actorId"] == str(patient.id)]
    assert (len(failed), len(succeeded)) == (1, 1)


async def test_a_role_change_is_recorded_with_its_old_and_new_role(
    client: httpx.AsyncClient, session: AsyncSession, admin: User, auth_headers: AuthHeaders
) -> None:
    doctor = await make_user(session, "doctor")

    response = await client.patch(f"/users/{doctor.id}", json={"role": "admin"}, headers=auth_headers(admin))

    assert response.status_code == 200
    [event] = await _events(client, auth_headers(admin), action="user.role_change")
    assert (event["objectId"], event["detail"]) == (str(doctor.id), {"from": "doctor", "to": "admin"})


async def test_a_patient_cannot_search_the_trail_and_staff_have_no_access_log(
    client: httpx.AsyncClient, patient: User, doctor: User, auth_headers: AuthHeaders
) -> None:
    assert (await client.get("/audit-events", headers=auth_headers(patient))).status_code == 403
    assert (await client.get("/users/me/access-log", headers=auth_headers(doctor))).status_code == 403


async def test_the_admin_search_filters_by_time_and_pages(
    client: httpx.AsyncClient, admin: User, patient: User, auth_headers: AuthHeaders
) -> None:
    for _ in range(3):
        assert (await client.get(f"/users/{patient.id}", headers=auth_headers(admin))).status_code == 200
    query = {"patientId": str(patient.id), "action": "user.read"}

    first = await client.get("/audit-events", params=query | {"limit": "2"}, headers=auth_headers(admin))
    rest = await client.get(
        "/audit-events", params=query | {"limit": "2", "offset": "2"}, headers=auth_headers(admin)
    )
    future = await client.get(
        "/audit-events", params=query | {"from": "2099-01-01T00:00:00Z"}, headers=auth_headers(admin)
    )

    assert (first.json()["total"], len(first.json()["items"]), len(rest.json()["items"])) == (3, 2, 1)
    assert future.json()["total"] == 0


@pytest_asyncio.fixture(loop_scope="session")
async def reads_off_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    settings = runtime.settings.model_copy(update={"audit_reads": False})
    app = create_app(settings, runtime.with_settings(settings))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


async def test_with_audit_reads_off_changes_are_still_recorded(
    reads_off_client: httpx.AsyncClient,
    client: httpx.AsyncClient,
    admin: User,
    patient: User,
    auth_headers: AuthHeaders,
) -> None:
    read = await reads_off_client.get(f"/users/{patient.id}", headers=auth_headers(admin))
    changed = await reads_off_client.patch(
        f"/users/{patient.id}", json={"name": "P. Renamed"}, headers=auth_headers(admin)
    )

    assert (read.status_code, changed.status_code) == (200, 200)
    actions = [e["action"] for e in await _events(client, auth_headers(admin), patientId=str(patient.id))]
    assert "user.update" in actions
    assert "user.read" not in actions


async def test_a_failed_sign_in_with_unstorable_characters_is_recorded_without_them(
    client: httpx.AsyncClient, admin: User, auth_headers: AuthHeaders
) -> None:
    response = await client.post(
        "/auth/login", json={"email": "mallory\u0000@example.com", "password": "x" * 12}
    )

    assert response.status_code == 401
    events = await _events(client, auth_headers(admin), action="auth.login")
    # Other tests' failed sign-ins may have been committed (by a pooled app): only this one's.
    failures = [e["detail"] for e in events if e["outcome"] == "failure"]
    assert [d for d in failures if "mallory" in str(d)] == [{"email": "mallory\ufffd@example.com"}]
