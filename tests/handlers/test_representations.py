"""What every response writes the same way: instants in UTC with `Z`, money as two-decimal strings."""

from datetime import UTC, timedelta, timezone

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import User
from tests.handlers.conftest import AuthHeaders
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
