from datetime import UTC, datetime, timedelta

from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import User
from tests.factories import make_service, make_user
from tests.handlers.conftest import AuthHeaders


async def test_an_admin_creates_a_doctor_with_services(
    client: AsyncClient, admin: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    service = await make_service(session)
    response = await client.post(
        "/users",
        headers=auth_headers(admin),
        json={
            "email": "dr.new@example.com",
            "password": "quiet-harbour-lantern",
            "name": "Dr. New",
            "role": "doctor",
            "specialty": "Dermatology",
            "serviceIds": [str(service.id)],
        },
    )

    assert response.status_code == 201
    doctor_id = response.json()["id"]
    doctor = await client.get(f"/doctors/{doctor_id}", headers=auth_headers(admin))
    assert doctor.json()["specialty"] == "Dermatology"
    assert doctor.json()["serviceIds"] == [str(service.id)]


async def test_an_admin_lists_users_filtered_by_role_and_text(
    client: AsyncClient, admin: User, doctor: User, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.get("/users", params={"role": "doctor", "q": "dora"}, headers=auth_headers(admin))

    assert response.status_code == 200
    page = response.json()
    assert [u["id"] for u in page["items"]] == [str(doctor.id)]
    assert (page["total"], page["limit"], page["offset"]) == (1, 20, 0)


async def test_users_are_listed_oldest_account_first(
    client: AsyncClient, admin: User, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    created = [await make_user(session, "patient", name=f"Listed {n}") for n in range(3)]
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    for days, user in zip((5, 1, 3), created, strict=True):  # one transaction: give them distinct times
        await session.execute(
            update(User).where(User.id == user.id).values(created_at=long_ago + timedelta(days=days))
        )

    listed = await client.get("/users", params={"q": "Listed", "limit": 100}, headers=auth_headers(admin))

    assert [u["name"] for u in listed.json()["items"]] == ["Listed 1", "Listed 2", "Listed 0"]


async def test_a_user_edits_their_own_name_and_phone(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.patch(
        f"/users/{patient.id}",
        headers=auth_headers(patient),
        json={"name": "Pat Renamed", "phone": "+33612345678"},
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["phone"]) == ("Pat Renamed", "+33612345678")


async def test_a_patient_cannot_change_their_own_role(
    client: AsyncClient, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.patch(
        f"/users/{patient.id}", headers=auth_headers(patient), json={"role": "admin"}
    )

    assert response.status_code == 403
    me = await client.get("/auth/me", headers=auth_headers(patient))
    assert me.json()["role"] == "patient"


async def test_an_admin_cannot_change_their_own_role(
    client: AsyncClient, admin: User, auth_headers: AuthHeaders
) -> None:
    response = await client.patch(f"/users/{admin.id}", headers=auth_headers(admin), json={"role": "patient"})

    assert response.status_code == 409


async def test_another_users_account_is_not_found_for_a_patient(
    client: AsyncClient, patient: User, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    other = await make_user(session, "patient")

    assert (await client.get(f"/users/{other.id}", headers=auth_headers(patient))).status_code == 404
    edit = await client.patch(f"/users/{other.id}", headers=auth_headers(patient), json={"name": "Hijacked"})
    assert edit.status_code == 404


async def test_a_deactivated_users_token_stops_working(
    client: AsyncClient, admin: User, patient: User, auth_headers: AuthHeaders
) -> None:
    response = await client.patch(
        f"/users/{patient.id}", headers=auth_headers(admin), json={"isActive": False}
    )

    assert response.status_code == 200
    assert (await client.get("/auth/me", headers=auth_headers(patient))).status_code == 401


async def test_a_role_taken_away_applies_to_the_very_next_request(
    client: AsyncClient, admin: User, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    colleague = await make_user(session, "admin")
    assert (await client.get("/users", headers=auth_headers(colleague))).status_code == 200

    demoted = await client.patch(
        f"/users/{colleague.id}", headers=auth_headers(admin), json={"role": "patient"}
    )

    assert demoted.status_code == 200
    assert (await client.get("/users", headers=auth_headers(colleague))).status_code == 403


async def test_an_admin_cannot_give_a_new_user_a_common_password(
    client: AsyncClient, admin: User, auth_headers: AuthHeaders
) -> None:
    response = await client.post(
        "/users",
        headers=auth_headers(admin),
        json={"email": "weak@example.com", "password": "password12", "name": "Weak", "role": "doctor"},
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["loc"] for error in response.json()["errors"]] == [["body", "password"]]
