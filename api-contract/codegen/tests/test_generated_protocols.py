"""generated/routes.py's interface with hand-written code, from fixture.yaml: one Protocol per tag,
one method per operation, named and typed after the contract."""

from __future__ import annotations

import inspect
from typing import Annotated, Literal, Protocol
from uuid import UUID

import fastapi
from conftest import Generated, tag_arguments
from pydantic import Field


def parameters(protocol: type, method: str) -> dict[str, object]:
    """The method's parameters after `self, ctx` (all keyword-only) and their annotations."""
    signature = inspect.signature(getattr(protocol, method))
    names = list(signature.parameters)
    assert names[:2] == ["self", "ctx"]
    rest = list(signature.parameters.values())[2:]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in rest)
    return {p.name: p.annotation for p in rest}


def methods(protocol: type) -> list[str]:
    return [name for name, _ in inspect.getmembers(protocol, inspect.iscoroutinefunction)]


def test_one_protocol_per_tag_with_operations_in_contract_order_unlisted_tags_last(
    generated: Generated,
) -> None:
    # `archive` is listed but has no operations; `vitals` is used but not listed.
    expected = ["auth", "appointments", "documents", "ai", "webhooks", "health", "users", "vitals"]
    assert tag_arguments(generated.routes) == expected
    annotations = inspect.signature(generated.routes.add_routes).parameters
    assert [annotations[arg].annotation.__origin__.__name__ for arg in expected] == [
        "AuthApi",
        "AppointmentsApi",
        "DocumentsApi",
        "AiApi",
        "WebhooksApi",
        "HealthApi",
        "UsersApi",
        "VitalsApi",
    ]
    assert not hasattr(generated.routes, "ArchiveApi")


def test_each_protocol_is_a_protocol(generated: Generated) -> None:
    assert Protocol in generated.routes.AppointmentsApi.__mro__


def test_a_protocol_has_one_method_per_operation_named_after_its_operation_id(generated: Generated) -> None:
    assert methods(generated.routes.AppointmentsApi) == sorted(
        [
            "list_appointments",
            "create_appointment",
            "list_upcoming_appointments",
            "get_appointment",
            "cancel_appointment",
        ]
    )
    assert methods(generated.routes.AuthApi) == ["logout", "register_patient"]


def test_parameters_come_in_path_query_header_cookie_body_order(generated: Generated) -> None:
    assert list(parameters(generated.routes.AppointmentsApi, "create_appointment")) == [
        "idempotency_key",
        "body",
    ]
    assert list(parameters(generated.routes.AppointmentsApi, "list_upcoming_appointments")) == [
        "before",
        "body_",
        "session",
    ]


def test_parameter_types_follow_the_schemas(generated: Generated) -> None:
    m = generated.models
    listed = parameters(generated.routes.AppointmentsApi, "list_appointments")
    # FieldInfo compares by identity: the item constraint by its repr.
    assert repr(listed.pop("tag")) == repr(list[Annotated[str, Field(max_length=20)]] | None)
    assert listed == {
        "patient_id": UUID | None,
        "doctor_id": UUID | None,
        "status": m.AppointmentStatus | None,
        "from_": m.Rfc3339DateTime | None,
        "to": m.Rfc3339DateTime | None,
        "limit": int,
        "offset": int,
    }
    assert parameters(generated.routes.UsersApi, "list_users") == {
        "role": m.UserRole,
        "since": m.Rfc3339Date | None,
        "sort": Literal["name", "created"],
    }


def test_bodies_are_models_and_multipart_parts_are_separate_arguments(generated: Generated) -> None:
    m = generated.models
    assert parameters(generated.routes.VitalsApi, "record_vitals") == {
        "appointment_id": UUID,
        "body": m.Vitals,
    }
    assert parameters(generated.routes.DocumentsApi, "upload_document") == {
        "file": fastapi.UploadFile,
        "title": str | None,
        "patient_id": UUID | None,
    }
    assert parameters(generated.routes.WebhooksApi, "twilio_voice_webhook") == {"body": m.TwilioVoiceForm}


def test_an_inline_json_body_uses_the_strict_integer(generated: Generated) -> None:
    body = parameters(generated.routes.VitalsApi, "set_reminder_minutes")["body"]
    assert repr(body) == repr(list[Annotated[generated.models.JsonInt, Field(ge=1)]] | None)


def test_return_types_follow_the_success_responses(generated: Generated) -> None:
    r, m = generated.routes, generated.models

    def returns(protocol: type, method: str) -> object:
        return inspect.signature(getattr(protocol, method)).return_annotation

    # A JSON operation's handler returns its model, or that model's JSON as the handler wrote it.
    # The 422 problem response is not returned.
    assert returns(r.AuthApi, "register_patient") == m.User | r.RenderedJson[m.User]
    assert returns(r.AuthApi, "logout") is None
    assert returns(r.UsersApi, "list_users") == list[m.User] | r.RenderedJson[list[m.User]]
    assert returns(r.DocumentsApi, "get_document_content") is fastapi.Response
    assert returns(r.AiApi, "stream_chat") is fastapi.Response
    assert returns(r.DocumentsApi, "upload_document") == (
        m.Document | r.RenderedJson[m.Document] | fastapi.Response
    )


def test_an_operation_summary_is_the_methods_docstring(generated: Generated) -> None:
    method = generated.routes.AppointmentsApi.list_upcoming_appointments
    assert method.__doc__ == 'Appointments after a given instant ("upcoming")'


def test_operations_maps_each_operation_id_to_its_method_and_path(generated: Generated) -> None:
    operations = generated.routes.OPERATIONS
    assert operations["getAppointment"] == ("GET", "/appointments/{appointmentId}")
    assert operations["setReminderMinutes"] == ("PUT", "/appointments/{appointmentId}/vitals")
    assert len(operations) == 15
