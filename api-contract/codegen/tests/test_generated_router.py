"""generated/routes.py's add_routes from fixture.yaml, through HTTP: what reaches the handlers
(parameters, bodies, the context provider's scheme and roles) and what the client gets back."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import fastapi
import pytest
from conftest import Ctx, Generated, Handlers, router
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

ID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
BEARER = "bearerAuth"
VITALS = {
    "weightKg": 70.5,
    "fasting": True,
    "heartRate": 72,
    "measuredOn": "2027-03-28",
    "takenAt": "2027-03-28T09:00:00Z",
}


def test_a_static_path_routes_before_a_parameterised_sibling_declared_first(
    client: TestClient, handlers: Handlers
) -> None:
    response = client.get("/appointments/upcoming", params={"before": "2027-03-28T09:00:00Z"})
    assert response.status_code == 200
    assert handlers.only_call.operation == "list_upcoming_appointments"


def test_the_router_declares_static_paths_first(generated: Generated, handlers: Handlers) -> None:
    routes = router(generated.routes, handlers).routes
    paths = [route.path for route in routes if isinstance(route, APIRoute)]
    assert paths.index("/appointments/upcoming") < paths.index("/appointments/{appointmentId}")


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "ctx"),
    [
        ("GET", "/health", {}, Ctx(None, ())),  # `security: []`
        ("POST", "/auth/logout", {}, Ctx(BEARER, ())),  # the contract's default security
        ("GET", "/users", {}, Ctx(BEARER, ("admin",))),
        ("GET", "/appointments", {}, Ctx(BEARER, ("doctor", "admin"))),
        ("DELETE", f"/appointments/{ID}", {}, Ctx(BEARER, ("patient",))),
        (
            "POST",
            "/webhooks/twilio/voice",
            {"data": {"CallSid": "CA1", "From": "x"}},
            Ctx("twilioSignature", ()),
        ),
    ],
)
def test_the_context_provider_gets_the_operations_scheme_and_roles(
    client: TestClient, handlers: Handlers, method: str, path: str, kwargs: dict[str, object], ctx: Ctx
) -> None:
    client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert handlers.only_call.ctx == ctx


def test_a_json_response_has_the_first_2xx_status_and_the_contracts_names(
    client: TestClient, handlers: Handlers, generated: Generated
) -> None:
    handlers.results["register_patient"] = generated.models.User(
        id=UUID(ID),
        email="a@b.test",
        full_name="Ann",
        role=generated.models.UserRole.patient,
        phone_number=None,
        created_at=datetime(2027, 3, 28, 7, tzinfo=UTC),
    )
    body = {"email": "a@b.test", "password": "long enough", "fullName": "Ann"}
    response = client.post("/auth/register", json=body)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "id": ID,
        "email": "a@b.test",
        "fullName": "Ann",
        "role": "patient",
        "phoneNumber": None,
        "createdAt": "2027-03-28T07:00:00Z",
    }
    assert handlers.only_call.kwargs["body"].full_name == "Ann"


def test_json_the_handler_rendered_itself_is_sent_as_written(
    client: TestClient, handlers: Handlers, generated: Generated
) -> None:
    body = b'{"id":"%s","email":"a@b.test"}' % ID.encode()
    handlers.results["register_patient"] = generated.routes.RenderedJson(body)
    sent = {"email": "a@b.test", "password": "long enough", "fullName": "Ann"}
    response = client.post("/auth/register", json=sent)
    assert (response.status_code, response.content) == (201, body)
    assert response.headers["content-type"] == "application/json"


def test_an_empty_success_response_has_its_status_and_no_body(client: TestClient, handlers: Handlers) -> None:
    response = client.delete(f"/appointments/{ID}")
    assert (response.status_code, response.content) == (204, b"")
    assert handlers.only_call.kwargs == {"appointment_id": UUID(ID)}


def test_a_non_json_response_is_the_handlers_response(client: TestClient, handlers: Handlers) -> None:
    handlers.results["get_document_content"] = fastapi.Response(b"%PDF-1.7", media_type="application/pdf")
    response = client.get(f"/documents/{ID}/content")
    assert (response.status_code, response.content) == (200, b"%PDF-1.7")
    assert response.headers["content-type"] == "application/pdf"


def test_several_success_statuses_default_to_the_first(
    client: TestClient, handlers: Handlers, generated: Generated
) -> None:
    handlers.results["upload_document"] = generated.models.Document(
        id=UUID(ID), title=None, status=generated.models.Status.pending
    )
    response = client.post("/documents", files={"file": ("a.pdf", b"%PDF")})
    assert response.status_code == 202
    assert response.json() == {"id": ID, "title": None, "status": "pending"}


def test_several_success_statuses_let_the_handler_answer_another(
    client: TestClient, handlers: Handlers
) -> None:
    handlers.results["upload_document"] = fastapi.Response(
        b"{}", status_code=200, media_type="application/json"
    )
    assert client.post("/documents", files={"file": ("a.pdf", b"%PDF")}).status_code == 200


def test_multipart_parts_reach_the_handler_by_their_python_names(
    client: TestClient, handlers: Handlers
) -> None:
    client.post("/documents", files={"file": ("a.pdf", b"%PDF")}, data={"title": "Scan", "patientId": ID})
    kwargs = handlers.only_call.kwargs
    assert (kwargs["title"], kwargs["patient_id"], kwargs["file"].filename) == ("Scan", UUID(ID), "a.pdf")


def test_a_required_multipart_file_is_required(client: TestClient, handlers: Handlers) -> None:
    assert client.post("/documents", data={"title": "Scan"}).status_code == 422
    assert handlers.calls == []


def test_a_form_body_is_its_named_model_with_lax_scalars(client: TestClient, handlers: Handlers) -> None:
    form = {"CallSid": "CA1", "From": "+15550001", "CallDuration": "42"}
    client.post("/webhooks/twilio/voice", data=form, headers={"X-Twilio-Signature": "sig"})
    call = handlers.only_call
    assert (call.kwargs["body"].call_sid, call.kwargs["body"].call_duration) == ("CA1", 42)


def test_a_security_schemes_header_is_left_to_the_context_provider(
    client: TestClient, handlers: Handlers
) -> None:
    params = {"before": "2027-03-28T09:00:00Z"}
    client.get("/appointments/upcoming", params=params, headers={"Authorization": "Bearer t"})
    assert "authorization" not in handlers.only_call.kwargs


def test_a_json_body_refuses_a_string_for_a_number(client: TestClient, handlers: Handlers) -> None:
    assert client.post(f"/appointments/{ID}/vitals", json={**VITALS, "weightKg": "70.5"}).status_code == 422
    assert client.post(f"/appointments/{ID}/vitals", json=VITALS).status_code == 201
    assert handlers.only_call.kwargs["body"].weight_kg == 70.5


@pytest.mark.parametrize("minutes", [["5"], [True], [5.5], [0]])
def test_an_inline_json_body_is_strict_and_keeps_item_constraints(
    client: TestClient, handlers: Handlers, minutes: list[object]
) -> None:
    assert client.put(f"/appointments/{ID}/vitals", json=minutes).status_code == 422
    assert handlers.calls == []


def test_an_inline_json_body_takes_json_integers(client: TestClient, handlers: Handlers) -> None:
    handlers.results["set_reminder_minutes"] = [5, 60]
    response = client.put(f"/appointments/{ID}/vitals", json=[5, 60.0])
    assert response.json() == [5, 60]
    assert handlers.only_call.kwargs["body"] == [5, 60]


def test_an_optional_body_may_be_omitted(client: TestClient, handlers: Handlers) -> None:
    client.put(f"/appointments/{ID}/vitals")
    assert handlers.only_call.kwargs["body"] is None


def test_an_operation_parameter_overrides_the_path_level_one(client: TestClient, handlers: Handlers) -> None:
    # The path item says `string`; recordVitals says `uuid`, setReminderMinutes keeps `string`.
    assert client.post("/appointments/not-a-uuid/vitals", json=VITALS).status_code == 422
    client.put("/appointments/not-a-uuid/vitals", json=[5])
    assert handlers.only_call.kwargs["appointment_id"] == "not-a-uuid"


def test_query_parameters_get_defaults_python_names_and_lax_scalars(
    client: TestClient, handlers: Handlers
) -> None:
    client.get("/appointments", params={"patientId": ID, "from": "2027-03-28T09:00:00Z", "offset": "40"})
    assert handlers.only_call.kwargs == {
        "patient_id": UUID(ID),
        "doctor_id": None,
        "status": None,
        "from_": datetime(2027, 3, 28, 9, tzinfo=UTC),
        "to": None,
        "tag": None,
        "limit": 20,
        "offset": 40,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "101"},
        {"limit": "0"},
        {"limit": "ten"},
        {"status": "lost"},
        {"tag": "x" * 21},
        {"from": "2027-03-28 09:00:00Z"},
        {"from": "1999-12-31T23:00:00Z"},
        {"to": "1806822000"},
    ],
)
def test_invalid_query_parameters_are_refused(
    client: TestClient, handlers: Handlers, params: dict[str, str]
) -> None:
    assert client.get("/appointments", params=params).status_code == 422
    assert handlers.calls == []


def test_a_repeated_query_parameter_is_a_list(client: TestClient, handlers: Handlers) -> None:
    client.get("/appointments", params=[("tag", "a"), ("tag", "b")])
    assert handlers.only_call.kwargs["tag"] == ["a", "b"]


def test_enum_and_literal_query_parameters_keep_their_defaults(
    client: TestClient, handlers: Handlers, generated: Generated
) -> None:
    client.get("/users")
    assert handlers.only_call.kwargs == {
        "role": generated.models.UserRole.patient,
        "since": None,
        "sort": "name",
    }


def test_a_date_query_parameter_is_an_rfc_3339_date(client: TestClient, handlers: Handlers) -> None:
    assert client.get("/users", params={"since": "2027-03-28T00:00:00Z"}).status_code == 422
    assert client.get("/users", params={"since": "1999-12-31"}).status_code == 422
    assert client.get("/users", params={"since": "2027-03-28", "sort": "created"}).status_code == 200
    assert handlers.only_call.kwargs["since"].isoformat() == "2027-03-28"


def test_a_required_date_time_parameter_with_the_year_pattern(client: TestClient, handlers: Handlers) -> None:
    assert client.get("/appointments/upcoming").status_code == 422
    assert client.get("/appointments/upcoming", params={"before": "2100-01-01T00:00:00Z"}).status_code == 422
    assert handlers.calls == []


def test_cookie_and_renamed_query_parameters_reach_the_handler(
    client: TestClient, handlers: Handlers
) -> None:
    client.cookies.set("session", "s1")
    client.get("/appointments/upcoming", params={"before": "2027-03-28T09:00:00Z", "body": "true"})
    kwargs = handlers.only_call.kwargs
    assert (kwargs["session"], kwargs["body_"]) == ("s1", True)


def test_a_header_parameter_is_required_and_constrained(client: TestClient, handlers: Handlers) -> None:
    body = {"doctorId": ID, "startsAt": "2027-03-28T09:00:00Z", "reason": None}
    assert client.post("/appointments", json=body).status_code == 422
    assert client.post("/appointments", json=body, headers={"Idempotency-Key": "short"}).status_code == 422
    client.post("/appointments", json=body, headers={"Idempotency-Key": "key-12345"})
    assert handlers.only_call.kwargs["idempotency_key"] == "key-12345"
