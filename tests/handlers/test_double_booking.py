"""Concurrent bookings against real, committed transactions: the database has the last word."""

import asyncio
import functools
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from redis.asyncio import Redis
from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.job_queue import DramatiqJobSender
from handlers.context import Runtime
from kernel.settings import Settings
from kernel.tokens import TokenService
from persistence.db import create_session_factory
from persistence.models import Appointment, Service, User
from services.audit_reads import GroupedReadAudit
from services.caller_cache import CallerCache
from services.jobs import ACTOR_QUEUES
from silverstar.app import create_app
from tests.factories import make_user
from tests.handlers.conftest import TEST_JWT_SECRET
from tests.outside_world import SharedModelsWorld
from tests.scheduling_fixtures import Clinic, local, make_clinic
from workers.broker import build_broker

CONCURRENT_BOOKINGS = 50


@pytest_asyncio.fixture
async def committed_clinic(db_engine: AsyncEngine) -> AsyncIterator[tuple[Clinic, list[User]]]:
    factory = create_session_factory(db_engine)
    async with factory.begin() as session:
        clinic = await make_clinic(session)
        patients = [await make_user(session, "patient") for _ in range(CONCURRENT_BOOKINGS)]
    yield clinic, patients
    user_ids = [clinic.doctor.id, *(p.id for p in patients)]
    async with factory.begin() as session:
        await session.execute(delete(Appointment).where(Appointment.doctor_id == clinic.doctor.id))
        await session.execute(delete(User).where(or_(User.id.in_(user_ids))))
        await session.execute(delete(Service).where(Service.id == clinic.service.id))


async def test_fifty_simultaneous_bookings_of_one_slot_create_exactly_one(
    db_engine: AsyncEngine, redis_url: str, committed_clinic: tuple[Clinic, list[User]]
) -> None:
    clinic, patients = committed_clinic
    settings = Settings(environment="test", jwt_secret=TEST_JWT_SECRET)
    tokens = TokenService(settings, TEST_JWT_SECRET)
    redis = Redis.from_url(redis_url)
    sender = DramatiqJobSender(functools.partial(build_broker, settings), ACTOR_QUEUES)
    factory = create_session_factory(db_engine)
    runtime = Runtime(
        settings,
        factory,
        redis,
        tokens,
        SharedModelsWorld(settings),
        sender,
        GroupedReadAudit(factory),
        CallerCache(settings.caller_cache_seconds),
    )
    body = {
        "doctorId": str(clinic.doctor.id),
        "serviceId": str(clinic.service.id),
        "startTime": local(3, 10).isoformat(),
        "type": "video",
    }
    transport = httpx.ASGITransport(app=create_app(settings, runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        async def book(patient: User) -> int:
            headers = {"Authorization": f"Bearer {tokens.issue(patient.id, patient.role)}"}
            return (await client.post("/appointments", json=body, headers=headers)).status_code

        statuses = Counter(await asyncio.gather(*(book(p) for p in patients)))
    await redis.aclose()

    assert statuses == {201: 1, 409: CONCURRENT_BOOKINGS - 1}
