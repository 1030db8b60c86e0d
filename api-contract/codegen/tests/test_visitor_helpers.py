"""visitor.py's pure helpers and its refusals, on small contracts (no generation run)."""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import Any

import pytest


@pytest.mark.parametrize(
    ("name", "python"),
    [
        ("registerPatient", "register_patient"),
        ("Idempotency-Key", "idempotency_key"),
        ("HTTPServerError", "http_server_error"),
        ("patientId", "patient_id"),
        ("from", "from_"),
        ("body", "body_"),
        ("ctx", "ctx_"),
        ("2fa", "x_2fa"),
        ("CallSid", "call_sid"),
    ],
)
def test_snake_makes_python_names(visitor: ModuleType, name: str, python: str) -> None:
    assert visitor.snake(name) == python


@pytest.mark.parametrize(
    ("tag", "cls"),
    [("auth", "Auth"), ("AI", "Ai"), ("health check", "HealthCheck"), ("doctorSchedules", "DoctorSchedules")],
)
def test_pascal_makes_class_prefixes(visitor: ModuleType, tag: str, cls: str) -> None:
    assert visitor.pascal(tag) == cls


@pytest.mark.parametrize(
    ("media_type", "json"),
    [
        ("application/json", True),
        ("application/problem+json", True),
        ("application/pdf", False),
        ("text/json-seq", False),
    ],
)
def test_is_json(visitor: ModuleType, media_type: str, json: bool) -> None:
    assert visitor.is_json(media_type) is json


def test_route_order_puts_literal_segments_before_templated_ones(visitor: ModuleType) -> None:
    paths = [
        "/users/{userId}",
        "/users/{userId}/schedule",
        "/users/me",
        "/users",
        "/doctors/{doctorId}/availability",
        "/doctors/search",
    ]
    assert sorted(({"path": p} for p in paths), key=visitor.route_order) == [
        {"path": p}
        for p in [
            "/doctors/search",
            "/doctors/{doctorId}/availability",
            "/users",
            "/users/me",
            "/users/{userId}",
            "/users/{userId}/schedule",
        ]
    ]


def contract(visitor: ModuleType, spec: dict[str, Any]) -> Any:
    # datamodel-code-generator's parser, as far as Contract uses it outside model names.
    parser = SimpleNamespace(
        raw_obj=spec, get_ref_data_type=lambda ref: SimpleNamespace(type_hint=ref.rsplit("/", 1)[-1])
    )
    return visitor.Contract(parser)


@pytest.mark.parametrize(
    ("schema", "keywords"),
    [
        ({"type": "integer", "minimum": 1, "maximum": 100}, "ge=1, le=100"),
        ({"type": "number", "minimum": 0, "exclusiveMinimum": True}, "gt=0"),  # OpenAPI 3.0
        ({"type": "number", "maximum": 9, "exclusiveMaximum": True}, "lt=9"),
        ({"type": "number", "exclusiveMinimum": 0}, "gt=0"),  # OpenAPI 3.1
        ({"type": "number", "minimum": 0, "exclusiveMinimum": False}, "ge=0"),
        ({"type": "string", "minLength": 8, "pattern": "^a"}, "min_length=8, pattern='^a'"),
        ({"type": "string", "format": "date", "pattern": "^20[0-9]{2}-"}, ""),  # the Rfc3339 type's job
    ],
)
def test_constraints_become_field_keywords(
    visitor: ModuleType, schema: dict[str, Any], keywords: str
) -> None:
    assert contract(visitor, {}).constraints(schema) == keywords


def test_a_date_may_carry_only_the_year_pattern(visitor: ModuleType) -> None:
    with pytest.raises(visitor.CodegenError, match="may only carry"):
        contract(visitor, {}).constraints({"type": "string", "format": "date-time", "pattern": "^19"})


@pytest.mark.parametrize(
    ("schema", "nullable"),
    [
        ({"type": "string"}, False),
        ({"type": "string", "nullable": True}, True),
        ({"type": ["string", "null"]}, True),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, True),
        ({"enum": ["a", None]}, True),
        ({"$ref": "#/components/schemas/MaybeName"}, True),
        ({"$ref": "#/components/schemas/Name"}, False),
        ({"allOf": [{"$ref": "#/components/schemas/MaybeName"}, {"nullable": True}]}, True),
        ({"allOf": [{"$ref": "#/components/schemas/Name"}, {"nullable": True}]}, False),
        ({"description": "anything"}, True),
        ({"properties": {"a": {}}}, False),
    ],
)
def test_allows_null(visitor: ModuleType, schema: dict[str, Any], nullable: bool) -> None:
    schemas = {"Name": {"type": "string"}, "MaybeName": {"type": ["string", "null"]}}
    assert contract(visitor, {"components": {"schemas": schemas}}).allows_null(schema) is nullable


@pytest.mark.parametrize(
    ("schema", "strict", "python"),
    [
        ({"type": "integer"}, False, "int"),
        ({"type": "integer"}, True, "JsonInt"),
        ({"type": "number"}, True, "StrictFloat"),
        ({"type": "boolean"}, True, "StrictBool"),
        ({"type": "boolean"}, False, "bool"),
        ({"type": "string", "format": "date-time"}, False, "Rfc3339DateTime"),
        ({"type": "string", "format": "date"}, False, "Rfc3339Date"),
        ({"type": ["string", "null"], "format": "uuid"}, False, "UUID | None"),
        (
            {"type": "array", "items": {"type": "integer", "minimum": 1}},
            True,
            "list[Annotated[JsonInt, Field(ge=1)]]",
        ),
        ({"type": "string", "enum": ["a", "b"]}, False, "Literal['a', 'b']"),
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, False, "str | None"),
        ({"type": "object"}, False, "dict[str, Any]"),
        ({"$ref": "#/components/schemas/Thing"}, False, "Thing"),
        ({"$ref": "#/components/schemas/Count"}, True, "JsonInt"),  # a scalar $ref is inlined
    ],
)
def test_py_type(visitor: ModuleType, schema: dict[str, Any], strict: bool, python: str) -> None:
    schemas = {"Thing": {"type": "object", "properties": {"a": {}}}, "Count": {"type": "integer"}}
    assert contract(visitor, {"components": {"schemas": schemas}}).py_type(schema, strict=strict) == python


def test_an_inline_object_schema_must_be_named(visitor: ModuleType) -> None:
    with pytest.raises(visitor.CodegenError, match="name it in components"):
        contract(visitor, {}).py_type({"type": "object", "properties": {"a": {"type": "string"}}})


def test_a_model_named_like_a_routes_import_is_refused(visitor: ModuleType) -> None:
    with pytest.raises(visitor.CodegenError, match=r"which routes\.py uses"):
        contract(visitor, {"components": {"schemas": {"Field": {"type": "object"}}}}).py_type(
            {"$ref": "#/components/schemas/Field"}
        )


OK = {"200": {"description": "ok"}}


def operation(visitor: ModuleType, op: dict[str, Any], spec: dict[str, Any] | None = None) -> dict[str, Any]:
    path_item = {"post": {"operationId": "doIt", "tags": ["t"], "responses": OK, **op}}
    built: dict[str, Any] = visitor.build_operation(
        contract(visitor, spec or {}), "/x", path_item, "post", path_item["post"]
    )
    return built


def test_an_operation_needs_an_operation_id_and_a_tag(visitor: ModuleType) -> None:
    with pytest.raises(visitor.CodegenError, match="operationId and tags are required"):
        operation(visitor, {"operationId": None})


def test_an_operation_needs_a_success_response(visitor: ModuleType) -> None:
    with pytest.raises(visitor.CodegenError, match="no 2xx response"):
        operation(visitor, {"responses": {"404": {"description": "no"}}})


def test_a_security_requirement_combining_schemes_is_refused(visitor: ModuleType) -> None:
    with pytest.raises(visitor.CodegenError, match="combining several schemes"):
        operation(visitor, {"security": [{"a": [], "b": []}]})


def test_an_unsupported_request_media_type_is_refused(visitor: ModuleType) -> None:
    with pytest.raises(visitor.CodegenError, match="unsupported request media type"):
        operation(visitor, {"requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}}})


def test_a_form_body_must_be_a_named_schema(visitor: ModuleType) -> None:
    body = {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}
    with pytest.raises(visitor.CodegenError, match="named object schema"):
        operation(visitor, {"requestBody": body})


def test_two_parameters_with_one_python_name_are_refused(visitor: ModuleType) -> None:
    params = [{"name": "userId", "in": "query"}, {"name": "user_id", "in": "header"}]
    with pytest.raises(visitor.CodegenError, match="one Python name"):
        operation(visitor, {"parameters": params})


def test_the_first_success_response_sets_the_status_and_kind(visitor: ModuleType) -> None:
    responses = {
        "422": {"description": "problem", "content": {"application/problem+json": {"schema": {}}}},
        "204": {"description": "done"},
        "200": {"description": "also", "content": {"application/json": {"schema": {"type": "string"}}}},
    }
    built = operation(visitor, {"responses": responses})
    assert (built["status_code"], built["kind"], built["union"]) == (204, "empty", True)
    assert built["returns"] == "None | fastapi.Response"


def test_security_and_roles(visitor: ModuleType) -> None:
    schemes = {
        "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}}
    }
    spec = {"security": [{"key": []}], **schemes}
    params = [{"name": "X-Key", "in": "header", "required": True, "schema": {"type": "string"}}]
    built = operation(visitor, {"x-roles": ["admin"], "parameters": params}, spec)
    assert (built["scheme"], built["roles"], built["args"]) == ("key", ("admin",), [])
    assert operation(visitor, {"security": []}, spec)["scheme"] is None
