from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import User
from tests.factories import make_service, make_user
from tests.handlers.conftest import AuthHeaders


async def test_an_admin_creates_and_updates_a_service(
    client: AsyncClient, admin: User, auth_headers: AuthHeaders
) -> None:
    created = await client.post(
        "/services",
        headers=auth_headers(admin),
        json={"name": "Allergy test", "durationMinutes": 20, "price": "45.5"},
    )
    assert created.status_code == 201
    assert (created.json()["price"], created.json()["currency"]) == ("45.50", "EUR")

    updated = await client.patch(
        f"/services/{created.json()['id']}", headers=auth_headers(admin), json={"active": False}
    )
    assert updated.status_code == 200
    assert updated.json()["active"] is False


async def test_a_duplicate_service_name_is_a_conflict(
    client: AsyncClient, admin: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    await make_service(session, name="Check-up")
    response = await client.post(
        "/services",
        headers=auth_headers(admin),
        json={"name": "Check-up", "durationMinutes": 20, "price": "1"},
    )

    assert response.status_code == 409


async def test_patients_never_see_inactive_services(
    client: AsyncClient, patient: User, admin: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    active, retired = await make_service(session), await make_service(session, active=False)

    as_patient = await client.get("/services?includeInactive=true", headers=auth_headers(patient))
    as_admin = await client.get("/services?includeInactive=true", headers=auth_headers(admin))

    assert [s["id"] for s in as_patient.json()["items"]] == [str(active.id)]
    assert {s["id"] for s in as_admin.json()["items"]} == {str(active.id), str(retired.id)}


async def test_a_patient_cannot_create_services(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.post(
        "/services", headers=auth_headers(patient), json={"name": "X", "durationMinutes": 20, "price": "1"}
    )

    assert response.status_code == 403


async def test_doctors_are_listed_by_the_service_they_offer(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    service = await make_service(session)
    offering = await make_user(session, "doctor", service_ids=[service.id])
    await make_user(session, "doctor")

    response = await client.get(
        "/doctors", params={"serviceId": str(service.id)}, headers=auth_headers(patient)
    )

    assert [d["id"] for d in response.json()["items"]] == [str(offering.id)]
    assert response.json()["items"][0]["timezone"] == "Europe/Berlin"


async def test_a_page_of_doctors_holds_their_services_and_the_total_of_active_doctors_only(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    first, second = await make_service(session), await make_service(session)
    both = await make_user(
        session, "doctor", name="Ada", specialty="Cardiology", service_ids=[first.id, second.id]
    )
    await make_user(session, "doctor", name="Bea", specialty="cardiology")
    gone = await make_user(session, "doctor", name="Cy", specialty="Cardiology")
    gone.is_active = False
    await session.flush()

    page = await client.get(
        "/doctors", params={"specialty": "CARDIOLOGY", "limit": 1}, headers=auth_headers(patient)
    )
    past_the_end = await client.get(
        "/doctors", params={"specialty": "cardiology", "offset": 5}, headers=auth_headers(patient)
    )

    assert page.json()["total"] == 2
    [ada] = page.json()["items"]
    assert (ada["id"], sorted(ada["serviceIds"])) == (str(both.id), sorted([str(first.id), str(second.id)]))
    assert ada["serviceIds"] == sorted(ada["serviceIds"])
    assert (past_the_end.json()["items"], past_the_end.json()["total"]) == ([], 2)


async def test_a_doctor_replaces_their_schedule(
    client: AsyncClient, doctor: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    service = await make_service(session)
    schedule = {
        "weeklyHours": [
            {"weekday": 1, "start": "09:00", "end": "12:00"},
            {"weekday": 1, "start": "13:00", "end": "17:00"},
        ],
        "timeOff": [{"start": "2030-01-01T00:00:00+01:00", "end": "2030-01-02T00:00:00+01:00"}],
        "serviceIds": [str(service.id)],
    }

    response = await client.put(f"/doctors/{doctor.id}/schedule", headers=auth_headers(doctor), json=schedule)

    assert response.status_code == 200
    assert response.json()["weeklyHours"] == schedule["weeklyHours"]
    assert response.json()["timeOff"][0]["reason"] is None
    assert response.json()["serviceIds"] == [str(service.id)]
    fetched = await client.get(f"/doctors/{doctor.id}/schedule", headers=auth_headers(doctor))
    assert fetched.json() == response.json()


async def test_overlapping_working_hours_are_rejected(
    client: AsyncClient, doctor: User, auth_headers: AuthHeaders
) -> None:
    overlapping = {
        "weeklyHours": [
            {"weekday": 2, "start": "09:00", "end": "12:00"},
            {"weekday": 2, "start": "11:00", "end": "14:00"},
        ],
        "timeOff": [],
    }

    response = await client.put(
        f"/doctors/{doctor.id}/schedule", headers=auth_headers(doctor), json=overlapping
    )

    assert response.status_code == 422


async def test_a_doctor_cannot_replace_another_doctors_schedule(
    client: AsyncClient, doctor: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(session, "doctor")

    response = await client.put(
        f"/doctors/{other.id}/schedule", headers=auth_headers(doctor), json={"weeklyHours": [], "timeOff": []}
    )

    assert response.status_code == 403


async def test_an_unknown_doctor_is_not_found(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.get(
        "/doctors/00000000-0000-4000-8000-000000000000", headers=auth_headers(patient)
    )

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_services_and_doctors_are_listed_by_name(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    services = [await make_service(session, name=name) for name in ("Vaccination", "Blood test", "Check-up")]
    doctors = [
        await make_user(session, "doctor", name=name) for name in ("Dr. Zhou", "Dr. Abebe", "Dr. Moreau")
    ]
    by_name = {"services": services, "doctors": doctors}

    for path, created in by_name.items():
        listed = await client.get(f"/{path}", params={"limit": 100}, headers=auth_headers(patient))
        ours = {str(c.id): c.name for c in created}
        names = [ours[item["id"]] for item in listed.json()["items"] if item["id"] in ours]
        assert names == sorted(ours.values()), path
