"""What every response writes the same way: instants in UTC with `Z`, money as two-decimal strings;
and the hot reads, written straight from rows, exactly as their models would write them."""

from datetime import UTC, timedelta, timezone

from httpx import AsyncClient
from pydantic import BaseModel
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from generated import models as api
from persistence.models import Appointment, AppointmentStatus, Document, DocumentStatus, User
from tests.factories import make_user
from tests.handlers.conftest import AuthHeaders
from tests.pdfs import text_pdf
from tests.scheduling_fixtures import local, make_clinic

PLUS_ONE = timezone(timedelta(hours=1))


async def test_a_booking_sent_with_an_offset_is_answered_in_utc(
    client: AsyncClient, session: AsyncSession, patient: User, auth_headers: AuthHeaders
) -> None:
    clinic = await make_clinic(session)
    start = local(3, 10).astimezone(PLUS_ONE)
    body = {
        "doctorId": str(clinic.doctor.id),
        "serviceId": str(clinic.service.id),
        "startTime": start.isoformat(),
        "type": "in_person",
    }

    created = await client.post("/appointments", headers=auth_headers(patient), json=body)

    assert created.status_code == 201, created.text
    booked = created.json()
    expected_start = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert booked["startTime"] == expected_start
    assert booked["endTime"].endswith("Z") and booked["createdAt"].endswith("Z")
    read = await client.get(f"/appointments/{booked['id']}", headers=auth_headers(patient))
    assert read.json()["startTime"] == booked["startTime"]


async def test_a_price_is_answered_with_two_decimals_however_it_was_sent(
    client: AsyncClient, admin: User, auth_headers: AuthHeaders
) -> None:
    sent = {"name": "Consultation", "durationMinutes": 30, "price": "45"}

    created = await client.post("/services", headers=auth_headers(admin), json=sent)
    changed = await client.patch(
        f"/services/{created.json()['id']}", headers=auth_headers(admin), json={"price": "47.5"}
    )

    assert created.json()["price"] == "45.00"
    assert changed.json()["price"] == "47.50"


def _written_by_the_model(model: type[BaseModel], body: bytes) -> bytes:
    """What `model`'s own serialiser writes for the instance `body` describes."""
    return model.model_validate_json(body).model_dump_json(by_alias=True).encode()


async def test_a_page_of_appointments_is_written_as_its_model_would_write_it(
    client: AsyncClient, session: AsyncSession, patient: User, auth_headers: AuthHeaders
) -> None:
    clinic = await make_clinic(session)
    # A patient holds at most 3 upcoming appointments.
    notes = [None, 'Zoë’s "first" visit\n\ttwo lines \u2028 <b>&amp;</b> \x01 🦷', "x" * 2000]
    for day, note in enumerate(notes, start=2):
        booked = await client.post(
            "/appointments",
            headers=auth_headers(patient),
            json={
                "doctorId": str(clinic.doctor.id),
                "serviceId": str(clinic.service.id),
                "startTime": local(day, 10).isoformat(),
                "type": "video" if day % 2 else "in_person",
                "notes": note,
            },
        )
        assert booked.status_code == 201, booked.text
    # Instants with microseconds, as rows written by the database's clock hold them.
    await session.execute(
        update(Appointment).values(updated_at=func.clock_timestamp(), status=AppointmentStatus.confirmed)
    )

    page = await client.get("/appointments", headers=auth_headers(patient))

    assert page.status_code == 200
    assert len(page.json()["items"]) == len(notes)
    assert page.content == _written_by_the_model(api.AppointmentPage, page.content)


async def test_availability_is_written_as_its_model_would_write_it(
    client: AsyncClient, session: AsyncSession, patient: User, auth_headers: AuthHeaders
) -> None:
    clinic = await make_clinic(session)
    params = {
        "serviceId": str(clinic.service.id),
        "from": local(2, 9, 7).astimezone(PLUS_ONE).isoformat(),
        "to": local(5, 0).isoformat(),
    }

    response = await client.get(
        f"/doctors/{clinic.doctor.id}/availability", params=params, headers=auth_headers(patient)
    )

    assert response.status_code == 200
    assert len(response.json()["items"]) > 39
    assert response.content == _written_by_the_model(api.Availability, response.content)


async def test_a_page_of_doctors_is_written_as_its_model_would_write_it(
    client: AsyncClient, session: AsyncSession, patient: User, auth_headers: AuthHeaders
) -> None:
    clinic = await make_clinic(session)
    name = 'Dr. Zoë "Ann" Ńowak'
    await make_user(session, "doctor", name=name, specialty="Eyes", service_ids=[clinic.service.id])

    page = await client.get("/doctors", headers=auth_headers(patient))

    assert page.status_code == 200
    assert len(page.json()["items"]) == 2
    assert page.content == _written_by_the_model(api.DoctorPage, page.content)


async def test_a_page_of_documents_is_written_as_its_model_would_write_it(
    client: AsyncClient, session: AsyncSession, patient: User, auth_headers: AuthHeaders
) -> None:
    for title, lines in (("Zoë’s \"results\"\n", ["Blood test"]), (None, ["Scan"])):
        uploaded = await client.post(
            "/documents",
            headers=auth_headers(patient),
            files={"file": ("results.pdf", text_pdf(lines), "application/pdf")},
            data={"title": title} if title else {},
        )
        assert uploaded.status_code == 202, uploaded.text
    await session.execute(
        update(Document)
        .where(Document.title.is_(None))
        .values(status=DocumentStatus.failed, error="No text on page 1 \u2028", page_count=1, chunk_count=0)
    )

    page = await client.get("/documents", headers=auth_headers(patient))

    assert page.status_code == 200
    assert len(page.json()["items"]) == 2
    assert page.content == _written_by_the_model(api.DocumentPage, page.content)
