# The role matrix's fixtures (api, matrix_runtime, world) are imported, then named as parameters.
# ruff: noqa: F811
"""Every operation of the contract either records its audit event or says why it touches no
patient data; each audited one, called with valid input, writes an event of its action, and a
patient's refused attempt on another's object writes a refused one."""

import secrets

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Runtime
from persistence.models import AuditEvent
from services.audit_catalog import AUDITED, NOT_PATIENT_DATA
from tests.handlers.test_role_matrix import (  # noqa: F401 (fixtures)
    FOREIGN,
    OPERATIONS,
    VALID_INPUTS,
    Operation,
    api,
    bearer,
    by_id,
    matrix_runtime,
    send,
    world,
)
from tests.role_matrix_fixtures import World


def test_every_operation_is_audited_or_declared_free_of_patient_data() -> None:
    contract = {op.operation_id for op in OPERATIONS}
    both = set(AUDITED) & set(NOT_PATIENT_DATA)

    assert not both, f"in both maps: {both}"
    assert contract - set(AUDITED) - set(NOT_PATIENT_DATA) == set(), (
        "classify these in services/audit_catalog.py"
    )
    assert set(AUDITED) | set(NOT_PATIENT_DATA) == contract, "operations no longer in the contract"


def _caller(operation: Operation) -> str:
    """A caller the operation serves: the first role x-roles allows, or anyone."""
    return operation.roles[0] if operation.roles else "anonymous"


@pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.operation_id in AUDITED], ids=lambda op: op.operation_id
)
async def test_an_audited_operation_writes_its_event(
    operation: Operation,
    api: httpx.AsyncClient,
    matrix_runtime: Runtime,
    world: World,
    session: AsyncSession,
) -> None:
    caller = _caller(operation)
    request_id = f"coverage-{secrets.token_hex(6)}"
    headers = bearer(matrix_runtime, world, caller) | {"X-Request-ID": request_id}

    response = await send(api, operation, VALID_INPUTS[operation.operation_id](world, caller), headers)
    await response.aread()

    assert response.status_code in operation.success, response.text[:300]
    actions = (
        await session.scalars(select(AuditEvent.action).where(AuditEvent.request_id == request_id))
    ).all()
    assert AUDITED[operation.operation_id].action.value in actions, (
        f"{operation.operation_id} recorded {actions}"
    )


@pytest.mark.parametrize(
    "name", [name for name, attempt in FOREIGN.items() if attempt.operation_id in AUDITED]
)
async def test_a_refused_attempt_on_another_patients_object_writes_a_refused_event(
    name: str, api: httpx.AsyncClient, matrix_runtime: Runtime, world: World, session: AsyncSession
) -> None:
    attempt = FOREIGN[name]
    request_id = f"refused-{secrets.token_hex(6)}"
    headers = bearer(matrix_runtime, world, "patient") | {"X-Request-ID": request_id}

    response = await send(api, by_id(attempt.operation_id), attempt.request(world), headers)

    assert response.status_code == attempt.status
    events = (await session.scalars(select(AuditEvent).where(AuditEvent.request_id == request_id))).all()
    assert [(e.action, e.outcome, e.actor_id) for e in events] == [
        (AUDITED[attempt.operation_id].action.value, "refused", world.users["patient"].id)
    ]
