import uuid
from datetime import datetime

import pytest_asyncio
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Appointment, AppointmentStatus, User
from services.appointment_status import TRANSITIONS
from tests.factories import make_service, make_user
from tests.handlers.conftest import AuthHeaders
from tests.scheduling_fixtures import Clinic, local, make_clinic


@pytest_asyncio.fixture
async def clinic(session: AsyncSession) -> Clinic:
    return await make_clinic(session)


def _booking(clinic: Clinic, start: object, **extra: object) -> dict[str, object]:
    body = {
        "doctorId": str(clinic.doctor.id),
        "serviceId": str(clinic.service.id),
        "startTime": start.isoformat(),
        "type": "in_person",
    }  # type: ignore[attr-defined]
    return body | extra


async def _book(client: AsyncClient, headers: dict[str, str], clinic: Clinic, start: object, **extra: object):  # type: ignore[no-untyped-def]
    return await client.post("/appointments", headers=headers, json=_booking(clinic, start, **extra))


async def test_availability_lists_free_slots_in_the_clinic_zone(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    params = {
        "serviceId": str(clinic.service.id),
        "from": local(2, 0).isoformat(),
        "to": local(3, 0).isoformat(),
    }

    response = await client.get(
        f"/doctors/{clinic.doctor.id}/availability", params=params, headers=auth_headers(patient)
    )

    assert response.status_code == 200
    slots = response.json()["items"]
    assert len(slots) == 39  # 08:00 … 17:30 every 15 minutes
    assert response.json()["timezone"] == "Europe/Berlin"


async def test_a_booked_slot_disappears_from_availability(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    await _book(client, auth_headers(patient), clinic, local(2, 10))
    params = {
        "serviceId": str(clinic.service.id),
        "from": local(2, 9).isoformat(),
        "to": local(2, 11).isoformat(),
    }

    response = await client.get(
        f"/doctors/{clinic.doctor.id}/availability", params=params, headers=auth_headers(patient)
    )

    starts = [datetime.fromisoformat(s["startTime"]) for s in response.json()["items"]]
    # 30-minute slots: none may overlap the booking at 10:00–10:30.
    assert starts == [local(2, 9), local(2, 9, 15), local(2, 9, 30), local(2, 10, 30), local(2, 10, 45)]


async def test_availability_over_more_than_31_days_is_unprocessable(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    params = {
        "serviceId": str(clinic.service.id),
        "from": local(1, 0).isoformat(),
        "to": local(40, 0).isoformat(),
    }

    response = await client.get(
        f"/doctors/{clinic.doctor.id}/availability", params=params, headers=auth_headers(patient)
    )

    assert response.status_code == 422


async def test_availability_for_a_service_the_doctor_does_not_offer_is_unprocessable(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_service(session)
    params = {"serviceId": str(other.id), "from": local(1, 0).isoformat(), "to": local(2, 0).isoformat()}

    response = await client.get(
        f"/doctors/{clinic.doctor.id}/availability", params=params, headers=auth_headers(patient)
    )

    assert response.status_code == 422


async def test_a_patient_books_a_free_slot(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await _book(client, auth_headers(patient), clinic, local(2, 10), notes="First visit")

    assert response.status_code == 201
    body = response.json()
    assert body["patientId"] == str(patient.id)
    assert body["status"] == "scheduled"
    assert datetime.fromisoformat(body["startTime"]) == local(2, 10)
    assert datetime.fromisoformat(body["endTime"]) == local(2, 10, 30)


async def test_a_taken_slot_is_a_conflict_that_names_no_patient(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(session, "patient", name="Other Person")
    await _book(client, auth_headers(other), clinic, local(2, 10))

    response = await _book(client, auth_headers(patient), clinic, local(2, 10, 15))

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert str(other.id) not in response.text and "Other Person" not in response.text


async def test_a_time_off_the_grid_or_outside_hours_is_unprocessable(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    off_grid = await _book(client, auth_headers(patient), clinic, local(2, 10, 5))
    after_hours = await _book(client, auth_headers(patient), clinic, local(2, 17, 45))
    past = await _book(client, auth_headers(patient), clinic, local(-1, 10))

    assert (off_grid.status_code, after_hours.status_code, past.status_code) == (422, 422, 422)


async def test_a_patient_cannot_book_for_someone_else(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(session, "patient")

    response = await _book(client, auth_headers(patient), clinic, local(2, 10), patientId=str(other.id))

    assert response.status_code == 403


async def test_an_admin_books_for_a_patient(
    client: AsyncClient, clinic: Clinic, patient: User, admin: User, auth_headers: AuthHeaders
) -> None:
    response = await _book(client, auth_headers(admin), clinic, local(2, 10), patientId=str(patient.id))

    assert response.status_code == 201
    assert response.json()["patientId"] == str(patient.id)


async def test_a_patient_cannot_hold_more_than_three_upcoming_appointments(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    for hour in (9, 10, 11):
        assert (await _book(client, auth_headers(patient), clinic, local(2, hour))).status_code == 201

    response = await _book(client, auth_headers(patient), clinic, local(2, 12))

    assert response.status_code == 409


async def test_a_patient_is_not_booked_with_two_doctors_at_once_unless_one_is_cancelled(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    elsewhere = await make_clinic(session)
    first = await _book(client, auth_headers(patient), clinic, local(2, 10))

    overlapping = await _book(client, auth_headers(patient), elsewhere, local(2, 10, 15))
    right_after = await _book(client, auth_headers(patient), elsewhere, local(2, 10, 30))
    await client.patch(
        f"/appointments/{first.json()['id']}", headers=auth_headers(patient), json={"status": "cancelled"}
    )
    once_cancelled = await _book(client, auth_headers(patient), elsewhere, local(2, 10))

    assert first.status_code == 201
    assert overlapping.status_code == 409
    assert overlapping.json()["detail"] == "The patient already has an appointment at this time."
    assert right_after.status_code == 201
    assert once_cancelled.status_code == 201


async def test_a_patient_sees_only_their_own_appointments(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(session, "patient")
    mine = (await _book(client, auth_headers(patient), clinic, local(2, 9))).json()
    theirs = (await _book(client, auth_headers(other), clinic, local(2, 10))).json()

    listed = await client.get("/appointments", headers=auth_headers(patient))
    asked_for_other = await client.get(
        "/appointments", params={"patientId": str(other.id)}, headers=auth_headers(patient)
    )
    read_other = await client.get(f"/appointments/{theirs['id']}", headers=auth_headers(patient))
    cancel_other = await client.patch(
        f"/appointments/{theirs['id']}", headers=auth_headers(patient), json={"status": "cancelled"}
    )

    assert [a["id"] for a in listed.json()["items"]] == [mine["id"]]
    assert asked_for_other.status_code == 403
    assert read_other.status_code == 404
    assert cancel_other.status_code == 404


async def test_a_doctor_lists_their_appointments_sorted_by_start(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    late = (await _book(client, auth_headers(patient), clinic, local(3, 15))).json()
    early = (await _book(client, auth_headers(patient), clinic, local(2, 9))).json()

    listed = await client.get("/appointments", headers=auth_headers(clinic.doctor))

    assert [a["id"] for a in listed.json()["items"]] == [early["id"], late["id"]]


async def test_an_admin_filters_the_list_and_a_page_past_the_end_still_counts_them(
    client: AsyncClient, clinic: Clinic, patient: User, admin: User, auth_headers: AuthHeaders
) -> None:
    first = (await _book(client, auth_headers(patient), clinic, local(2, 9))).json()
    second = (await _book(client, auth_headers(patient), clinic, local(2, 11))).json()
    third = (await _book(client, auth_headers(patient), clinic, local(3, 9))).json()
    cancelled = await client.patch(
        f"/appointments/{second['id']}", headers=auth_headers(patient), json={"status": "cancelled"}
    )
    assert cancelled.status_code == 200
    filters = {
        "patientId": str(patient.id),
        "doctorId": str(clinic.doctor.id),
        "status": "scheduled",
        "from": local(2, 0).isoformat(),
        "to": local(3, 0).isoformat(),
    }

    day_two = await client.get("/appointments", params=filters, headers=auth_headers(admin))
    every_status = await client.get(
        "/appointments", params={"patientId": str(patient.id)}, headers=auth_headers(admin)
    )
    past_the_end = await client.get(
        "/appointments", params={**filters, "offset": 5}, headers=auth_headers(admin)
    )

    assert [a["id"] for a in day_two.json()["items"]] == [first["id"]]
    assert day_two.json()["total"] == 1
    assert [a["id"] for a in every_status.json()["items"]] == [first["id"], second["id"], third["id"]]
    assert past_the_end.json() | {"items": None} == {"items": None, "total": 1, "limit": 20, "offset": 5}
    assert past_the_end.json()["items"] == []


async def test_a_doctors_pages_add_up_to_the_total_wherever_they_start(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(session, "patient")
    booked = [
        (await _book(client, auth_headers(patient), clinic, local(2, 9))).json()["id"],
        (await _book(client, auth_headers(other), clinic, local(2, 10))).json()["id"],
        (await _book(client, auth_headers(patient), clinic, local(3, 9))).json()["id"],
    ]

    pages = [
        (
            await client.get(
                "/appointments", params={"limit": 2, "offset": offset}, headers=auth_headers(clinic.doctor)
            )
        ).json()
        for offset in (0, 2, 5)
    ]

    assert [page["total"] for page in pages] == [3, 3, 3]
    assert [a["id"] for page in pages for a in page["items"]] == booked


async def test_the_status_follows_the_state_machine(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders
) -> None:
    booked = (await _book(client, auth_headers(patient), clinic, local(2, 9))).json()
    url = f"/appointments/{booked['id']}"
    doctor = auth_headers(clinic.doctor)

    patient_confirms = await client.patch(url, headers=auth_headers(patient), json={"status": "confirmed"})
    skip_to_completed = await client.patch(url, headers=doctor, json={"status": "completed"})
    confirmed = await client.patch(url, headers=doctor, json={"status": "confirmed"})
    completed = await client.patch(url, headers=doctor, json={"status": "completed"})
    cancel_completed = await client.patch(url, headers=doctor, json={"status": "cancelled"})

    assert patient_confirms.status_code == 403
    assert skip_to_completed.status_code == 409
    assert skip_to_completed.json()["allowed"] == ["confirmed", "cancelled"]
    assert confirmed.json()["status"] == "confirmed"
    assert completed.json()["status"] == "completed"
    assert cancel_completed.status_code == 409
    assert cancel_completed.json()["allowed"] == []


async def test_a_patient_cancels_and_the_slot_is_free_again(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    booked = (await _book(client, auth_headers(patient), clinic, local(2, 9))).json()

    cancelled = await client.patch(
        f"/appointments/{booked['id']}", headers=auth_headers(patient), json={"status": "cancelled"}
    )
    other = await make_user(session, "patient")
    rebooked = await _book(client, auth_headers(other), clinic, local(2, 9))

    assert cancelled.json()["status"] == "cancelled"
    assert rebooked.status_code == 201


async def test_rescheduling_rechecks_the_new_slot(
    client: AsyncClient, clinic: Clinic, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(session, "patient")
    await _book(client, auth_headers(other), clinic, local(2, 11))
    booked = (await _book(client, auth_headers(patient), clinic, local(2, 9))).json()
    url = f"/appointments/{booked['id']}"

    onto_taken = await client.patch(
        url, headers=auth_headers(patient), json={"startTime": local(2, 11).isoformat()}
    )
    moved = await client.patch(
        url, headers=auth_headers(patient), json={"startTime": local(2, 9, 15).isoformat()}
    )

    assert onto_taken.status_code == 409
    assert moved.status_code == 200
    assert datetime.fromisoformat(moved.json()["startTime"]) == local(2, 9, 15)


async def test_every_transition_outside_the_state_machine_is_refused_naming_the_allowed_ones(
    client: AsyncClient,
    clinic: Clinic,
    patient: User,
    admin: User,
    auth_headers: AuthHeaders,
    session: AsyncSession,
) -> None:
    booked = (await _book(client, auth_headers(patient), clinic, local(2, 9))).json()
    appointment = await session.get(Appointment, uuid.UUID(booked["id"]))
    assert appointment is not None
    staff = auth_headers(admin)

    for current in AppointmentStatus:
        allowed = sorted(to.value for (frm, to) in TRANSITIONS if frm == current)
        for target in AppointmentStatus:
            if target == current or target.value in allowed:
                continue
            appointment.status = current
            await session.flush()

            response = await client.patch(
                f"/appointments/{booked['id']}", headers=staff, json={"status": target}
            )

            assert response.status_code == 409, (current, target)
            assert sorted(response.json()["allowed"]) == allowed
