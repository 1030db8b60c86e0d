"""Every date-time a client can send is bounded (years 2000-2099) and bookings by the horizon:
extreme values answer 422 naming the field, never a 500 from Python's or PostgreSQL's range."""

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import User
from tests.handlers.conftest import AuthHeaders
from tests.scheduling_fixtures import Clinic, local, make_clinic

CONTRACT = Path(__file__).resolve().parents[2] / "api-contract" / "openapi.yaml"
PROBLEM = "application/problem+json"
YEAR_ONE = "0001-01-01T00:00:00Z"
LAST_INSTANT = "9999-12-31T23:59:59-14:00"
LAST_SLOT = "9999-12-31T23:45:00Z"
NEXT_CENTURY = "2100-01-01T09:00:00+01:00"


@pytest_asyncio.fixture
async def clinic(session: AsyncSession) -> Clinic:
    return await make_clinic(session)


def _assert_names_field(response: Any, *loc: str | int) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert list(loc) in [e["loc"] for e in response.json()["errors"]], response.json()


def _booking(clinic: Clinic, start: str) -> dict[str, str]:
    return {
        "doctorId": str(clinic.doctor.id),
        "serviceId": str(clinic.service.id),
        "startTime": start,
        "type": "in_person",
    }


def _schedule(start: str, end: str) -> dict[str, object]:
    return {
        "weeklyHours": [{"weekday": 1, "start": "08:00", "end": "18:00"}],
        "timeOff": [{"start": start, "end": end}],
    }


@pytest.mark.parametrize("value", [YEAR_ONE, LAST_INSTANT, NEXT_CENTURY, "1999-12-31T23:59:59Z"])
@pytest.mark.parametrize("name", ["from", "to"])
async def test_availability_outside_the_years_2000_to_2099_is_unprocessable(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, name: str, value: str
) -> None:
    params = {
        "serviceId": str(clinic.service.id),
        "from": local(1, 0).isoformat(),
        "to": local(2, 0).isoformat(),
    }

    response = await client.get(
        f"/doctors/{clinic.doctor.id}/availability",
        params=params | {name: value},
        headers=auth_headers(patient),
    )

    _assert_names_field(response, "query", name)


@pytest.mark.parametrize("value", [YEAR_ONE, LAST_INSTANT])
@pytest.mark.parametrize("name", ["from", "to"])
async def test_listing_appointments_outside_the_bounds_is_unprocessable(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, name: str, value: str
) -> None:
    response = await client.get("/appointments", params={name: value}, headers=auth_headers(patient))

    _assert_names_field(response, "query", name)


@pytest.mark.parametrize("value", [YEAR_ONE, LAST_INSTANT])
@pytest.mark.parametrize("name", ["from", "to"])
async def test_the_ai_log_filter_outside_the_bounds_is_unprocessable(
    client: AsyncClient, admin: User, auth_headers: AuthHeaders, name: str, value: str
) -> None:
    response = await client.get("/ai/logs", params={name: value}, headers=auth_headers(admin))

    _assert_names_field(response, "query", name)


@pytest.mark.parametrize("value", [YEAR_ONE, LAST_SLOT, NEXT_CENTURY])
async def test_booking_outside_the_bounds_is_unprocessable(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, value: str
) -> None:
    response = await client.post("/appointments", json=_booking(clinic, value), headers=auth_headers(patient))

    _assert_names_field(response, "body", "startTime")


@pytest.mark.parametrize("value", [YEAR_ONE, LAST_SLOT])
async def test_rescheduling_outside_the_bounds_is_unprocessable(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, value: str
) -> None:
    booked = await client.post(
        "/appointments", json=_booking(clinic, local(2, 9).isoformat()), headers=auth_headers(patient)
    )
    assert booked.status_code == 201

    response = await client.patch(
        f"/appointments/{booked.json()['id']}", json={"startTime": value}, headers=auth_headers(patient)
    )

    _assert_names_field(response, "body", "startTime")


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2030-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "end"),
        (YEAR_ONE, "2030-01-01T00:00:00Z", "start"),
    ],
)
async def test_time_off_outside_the_bounds_is_unprocessable(
    client: AsyncClient,
    clinic: Clinic,
    admin: User,
    auth_headers: AuthHeaders,
    start: str,
    end: str,
    field: str,
) -> None:
    response = await client.put(
        f"/doctors/{clinic.doctor.id}/schedule", json=_schedule(start, end), headers=auth_headers(admin)
    )

    _assert_names_field(response, "body", "timeOff", 0, field)


async def test_time_off_to_the_end_of_2099_leaves_availability_answering(
    client: AsyncClient, clinic: Clinic, admin: User, auth_headers: AuthHeaders
) -> None:
    stored = await client.put(
        f"/doctors/{clinic.doctor.id}/schedule",
        json=_schedule("2000-01-01T00:00:00+14:00", "2099-12-31T23:59:59-14:00"),
        headers=auth_headers(admin),
    )
    assert stored.status_code == 200, stored.text
    params = {
        "serviceId": str(clinic.service.id),
        "from": "2099-12-03T00:00:00Z",
        "to": "2099-12-31T23:59:59-14:00",
    }

    response = await client.get(
        f"/doctors/{clinic.doctor.id}/availability", params=params, headers=auth_headers(admin)
    )

    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


async def test_the_widest_appointment_filter_answers(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    params = {"from": "2000-01-01T00:00:00+14:00", "to": "2099-12-31T23:59:59-14:00"}

    response = await client.get("/appointments", params=params, headers=auth_headers(patient))

    assert response.status_code == 200, response.text


async def test_booking_beyond_the_horizon_is_unprocessable(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.post(
        "/appointments", json=_booking(clinic, local(367, 10).isoformat()), headers=auth_headers(patient)
    )

    _assert_names_field(response, "body", "startTime")
    assert "365 days" in response.json()["detail"]


async def test_a_patient_cannot_book_in_2099(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.post(
        "/appointments", json=_booking(clinic, "2099-06-01T10:00:00+02:00"), headers=auth_headers(patient)
    )

    _assert_names_field(response, "body", "startTime")
    mine = await client.get("/appointments", headers=auth_headers(patient))
    assert mine.json()["total"] == 0  # nothing counts toward the cap


async def test_booking_just_inside_the_horizon_succeeds(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.post(
        "/appointments", json=_booking(clinic, local(363, 10).isoformat()), headers=auth_headers(patient)
    )

    assert response.status_code == 201, response.text


async def test_rescheduling_beyond_the_horizon_is_unprocessable(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    booked = await client.post(
        "/appointments", json=_booking(clinic, local(2, 9).isoformat()), headers=auth_headers(patient)
    )

    response = await client.patch(
        f"/appointments/{booked.json()['id']}",
        json={"startTime": local(367, 9).isoformat()},
        headers=auth_headers(patient),
    )

    _assert_names_field(response, "body", "startTime")
    unchanged = await client.get(f"/appointments/{booked.json()['id']}", headers=auth_headers(patient))
    assert datetime.fromisoformat(unchanged.json()["startTime"]) == local(2, 9)


def _inputs(contract: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, schema) of every date-time a client sends: parameters and request-body properties."""
    schemas = contract["components"]["schemas"]

    def walk(where: str, node: Any, seen: frozenset[str]) -> list[tuple[str, dict[str, Any]]]:
        if isinstance(node, list):
            return [found for item in node for found in walk(where, item, seen)]
        if not isinstance(node, dict):
            return []
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            return [] if name in seen else walk(f"{where} {name}", schemas[name], seen | {name})
        found = [(where, node)] if node.get("format") in ("date-time", "date") else []
        return found + [f for key, value in node.items() for f in walk(f"{where}.{key}", value, seen)]

    found = []
    for path, item in contract["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            where = f"{method.upper()} {path}"
            found += walk(where, operation.get("parameters", []), frozenset())
            found += walk(where, operation.get("requestBody", {}), frozenset())
    return found


def test_every_date_time_a_client_sends_is_bounded_in_the_contract() -> None:
    inputs = _inputs(yaml.safe_load(CONTRACT.read_text()))

    assert len(inputs) >= 10  # the walk reaches the parameters and the bodies
    assert [where for where, schema in inputs if schema.get("pattern") != "^20[0-9]{2}-"] == []
