"""SilverStar code generation: contract (api-contract/openapi.yaml) -> generated/.

README
======
Run ``make regen`` (never edit generated/ by hand; ``make regen-check`` fails when it is stale).
It runs this file as a thin wrapper around fastapi-code-generator 0.8.1 (pinned, own venv,
see requirements.txt), which

* writes ``generated/models.py`` (datamodel-code-generator: one Pydantic v2 model per schema,
  snake_case fields with the contract's names as aliases, enums as StrEnum), and
* renders every file in ``templates/`` into ``generated/<name>.py``, with the variables that
  ``visit()`` below computes from the raw contract.

``generated/routes.py`` is the interface with hand-written code: one ``<Tag>Api`` Protocol per
tag (one async method per operation), a ``ContextProvider`` Protocol and
``add_routes(router, context=..., <tag>=...)``, which declares one FastAPI route per operation
and delegates to the implementations. mypy checks implementations against the Protocols,
so a contract change that breaks a handler fails type checking.

Why a wrapper: the fastapi-codegen CLI does not expose datamodel-code-generator's
``snake_case_field``, ``allow_population_by_field_name``, ``field_constraints`` (constr()/conint()
annotations fail mypy), ``use_standard_collections`` and ``use_union_operator``; ``__main__``
below sets them and then runs the unmodified CLI. Why our own templates: the built-in ones
drop security, form and multipart fields, operationIds and non-JSON responses. The parser's
Operation objects lose requestBody and media types, so ``visit()`` reads the raw contract and
uses the parser only to map ``$ref``s to generated model class names.

Supported: path/query/header/cookie parameters (with constraints, defaults, aliases; path-level
and ``$ref`` parameters), JSON, form-urlencoded (a named object schema) and multipart bodies,
JSON / other / empty success responses, ``security`` (first scheme of the first requirement;
``[]`` = public) and ``x-roles``. Anything else raises ``CodegenError`` naming the operation.

Null: datamodel-code-generator types every optional property ``T | None = None``, so pydantic would
accept an explicit ``null`` the contract forbids. ``reject_nulls()`` (run on the model module before
it is formatted) adds a before-validator to those fields; see its docstring.

Strict input: pydantic's lax mode would take `"5"` or `true` for an integer, `0`/`"yes"` for a
boolean, a Unix time or `2027-03-28 09:00Z` for a date-time. ``strict_types()`` (run before
``reject_nulls()``) retypes the models: integer -> ``JsonInt`` (a JSON number; `5.0` passes, as in
JSON Schema), number -> ``StrictFloat``, boolean -> ``StrictBool``, date-time -> ``Rfc3339DateTime``
(an RFC 3339 string with offset, or a datetime built by a handler), date -> ``Rfc3339Date``; input
strings of both must lie in the years 2000-2099 (the contract's date inputs say so with a pattern,
which the generator does not turn into a constraint of its own). Form
(urlencoded) models keep lax scalars: their values are strings. The routes use the same types for
JSON bodies (``py_type(strict=True)``) and the RFC 3339 ones for parameters too; other parameters,
headers and multipart parts stay lax (`?limit=20`, `?includeInactive=true`). models.py defines
JsonInt and the Rfc3339 types (DEFINED_CODE); routes.py imports them from .models.
"""

from __future__ import annotations

import ast
import keyword
import re
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Names the route functions use themselves (or that would shadow the fastapi module).
RESERVED = {"self", "ctx", "body", "fastapi"}
# Names routes.py imports unqualified: a model with one of these names would clash.
ROUTES_NAMES = {
    "Annotated",
    "Any",
    "AsyncIterator",
    "Callable",
    "Literal",
    "Protocol",
    "TypeVar",
    "TypeAdapter",
    "Field",
    "UUID",
    "StrictBool",
    "StrictFloat",
    "JsonInt",
    "Rfc3339Date",
    "Rfc3339DateTime",
    "Ctx",
    "Ctx_co",
    "ContextProvider",
    "OPERATIONS",
    "add_routes",
}
# Types of string formats, defined in models.py (DEFINED_CODE); routes.py imports them from .models.
FORMAT_TYPES = {"date-time": "Rfc3339DateTime", "date": "Rfc3339Date"}
# The years 2000-2099, the only pattern a date/date-time may carry: the Rfc3339 types check it
# themselves (pydantic can't apply a pattern to a datetime).
DATE_PATTERN = "^20[0-9]{2}-"
# Strict stand-ins of the lax pydantic scalars for JSON input (models, inline JSON bodies); JsonInt
# is defined in models.py, the others come from pydantic.
STRICT = {"int": "JsonInt", "float": "StrictFloat", "bool": "StrictBool"}
CONSTRAINTS = {
    "minimum": "ge",
    "maximum": "le",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_length",
    "maxItems": "max_length",
    "pattern": "pattern",
}


class CodegenError(Exception):
    pass


def snake(name: str) -> str:
    """`registerPatient` -> `register_patient`, `Idempotency-Key` -> `idempotency_key`,
    `from` -> `from_` (Python keywords and RESERVED get a trailing underscore)."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()
    if not s or s[0].isdigit():
        s = "x_" + s
    return s + "_" if keyword.iskeyword(s) or s in RESERVED else s


def pascal(name: str) -> str:
    """Tag name -> class prefix: `auth` -> `Auth`, `AI` -> `Ai`, `health check` -> `HealthCheck`."""
    return "".join(w.capitalize() for w in snake(name).rstrip("_").split("_"))


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


class Contract:
    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.spec: dict[str, Any] = parser.raw_obj
        self.models: set[str] = set()  # model classes routes.py must import
        self.names: set[str] = set()  # other names it uses (UUID, date, Literal, ...)

    def resolve(self, obj: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in obj:
            ref = obj["$ref"]
            if not ref.startswith("#/"):
                raise CodegenError(f"only local $refs are supported: {ref}")
            obj = self.spec
            for part in ref[2:].split("/"):
                obj = obj[part.replace("~1", "/").replace("~0", "~")]
        return obj

    def model(self, ref: str) -> str:
        name: str = self.parser.get_ref_data_type(ref).type_hint
        if name in ROUTES_NAMES:
            raise CodegenError(f"schema {ref} would be named {name}, which routes.py uses")
        self.models.add(name)
        return name

    def py_type(self, schema: dict[str, Any], *, nested: bool = False, strict: bool = False) -> str:
        """Python type of a schema. Named objects and enums are model classes; other $refs are
        inlined (a RootModel as a query parameter type would not work). Constraints of nested
        schemas (array items) go into Annotated[..., Field()]; top-level ones are the caller's.
        `strict` (JSON bodies): integer/number/boolean as StrictInt/StrictFloat/StrictBool, so
        `"5"` or `1` for a boolean is a 422; parameters and form fields are strings, hence lax.
        date-time/date are models.py's RFC 3339 types in both cases (they parse strings only)."""
        ref = schema.get("$ref")
        if ref:
            target = self.resolve(schema)
            structured = {"enum", "properties", "allOf", "anyOf", "oneOf"} & target.keys()
            if ref.startswith("#/components/schemas/") and (structured or target.get("type") == "object"):
                return self.model(ref)
            return self.py_type(target, nested=nested, strict=strict)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                parts = [self.py_type(s, nested=True, strict=strict) for s in schema[key]]
                return " | ".join(dict.fromkeys(p for p in parts if p != "None")) + (
                    " | None" if "None" in parts else ""
                )
        raw_types = schema.get("type")
        raw_types = raw_types if isinstance(raw_types, list) else [raw_types]
        types = [t for t in raw_types if t != "null"] or raw_types
        nullable = schema.get("nullable") is True or ("null" in raw_types and types != raw_types)
        fmt = schema.get("format")
        match types:
            case ["string"] if "enum" in schema:
                self.names.add("Literal")
                t = f"Literal[{', '.join(repr(v) for v in schema['enum'])}]"
            case ["string"] if fmt == "uuid":
                t = "UUID"
            case ["string"] if fmt in FORMAT_TYPES:
                t = FORMAT_TYPES[fmt]
            case ["string"] if fmt == "binary":
                t = "fastapi.UploadFile"
            case ["string"]:
                t = "str"
            case ["integer"]:
                t = STRICT["int"] if strict else "int"
            case ["number"]:
                t = STRICT["float"] if strict else "float"
            case ["boolean"]:
                t = STRICT["bool"] if strict else "bool"
            case ["array"]:
                t = f"list[{self.py_type(schema.get('items', {}), nested=True, strict=strict)}]"
            case ["object"] if not schema.get("properties"):
                t = "dict[str, Any]"
            case ["null"]:
                return "None"
            case [None] if not {"properties", "items", "enum", "allOf"} & schema.keys():
                t = "Any"
            case _:
                raise CodegenError(f"unsupported inline schema (name it in components): {schema}")
        names = ("UUID", *FORMAT_TYPES.values(), *STRICT.values())
        self.names.update(n for n in names if re.search(rf"\b{n}\b", t))
        if nested and (kw := self.constraints(schema)):
            self.names.update(("Annotated", "Field"))
            t = f"Annotated[{t}, Field({kw})]"
        return f"{t} | None" if nullable else t

    def constraints(self, schema: dict[str, Any]) -> str:
        schema = self.resolve(schema)
        kw = {py: schema[js] for js, py in CONSTRAINTS.items() if js in schema}
        if schema.get("format") in FORMAT_TYPES and "pattern" in kw:
            check_date_pattern(kw.pop("pattern"))
        for js, py, inclusive in (
            ("exclusiveMinimum", "gt", "minimum"),
            ("exclusiveMaximum", "lt", "maximum"),
        ):
            if schema.get(js) is True:  # OpenAPI 3.0: a flag on minimum/maximum
                kw.pop("ge" if py == "gt" else "le")
                kw[py] = schema[inclusive]
            elif js in schema and schema[js] is not False:  # 3.1: the bound itself
                kw[py] = schema[js]
        return ", ".join(f"{k}={v!r}" for k, v in kw.items())

    def allows_null(self, schema: dict[str, Any]) -> bool:
        """Whether JSON null validates against the schema (3.0 `nullable`, 3.1 type lists, anyOf)."""
        types = schema.get("type")
        if schema.get("nullable") is True or types == "null" or (isinstance(types, list) and "null" in types):
            return True
        if None in schema.get("enum", ()) or ("const" in schema and schema["const"] is None):
            return True
        if "$ref" in schema:
            return self.allows_null(self.resolve({"$ref": schema["$ref"]}))
        if any(self.allows_null(s) for k in ("anyOf", "oneOf") for s in schema.get(k, ())):
            return True
        if schema.get("allOf"):
            return all(self.allows_null(s) for s in schema["allOf"])
        # No type and nothing else restricting it (`{}`, a description only): anything goes.
        restricting = {"properties", "items", "enum", "const", "anyOf", "oneOf"}
        return types is None and not restricting & schema.keys()

    def object_properties(self, schema: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """Properties and required names of an object schema, with its inline allOf parts
        (a `$ref` part becomes a base class, whose own model handles its properties)."""
        props = dict(schema.get("properties") or {})
        required = set(schema.get("required") or ())
        for part in schema.get("allOf", ()):
            if "$ref" not in part:
                more, req = self.object_properties(part)
                props.update(more)
                required |= req
        return props, required

    def default(self, schema: dict[str, Any], type_: str) -> str:
        value = schema["default"] if "default" in schema else self.resolve(schema)["default"]
        # An enum default must be the enum member, or mypy rejects `status: Status = 'x'`.
        return f"{type_}({value!r})" if type_ in self.models else repr(value)


def security_headers(contract: Contract, requirement: dict[str, Any]) -> set[str]:
    """Header names carried by the operation's security scheme (not passed to handlers)."""
    schemes = contract.spec.get("components", {}).get("securitySchemes", {})
    names = set()
    for scheme in requirement:
        s = contract.resolve(schemes.get(scheme, {}))
        if s.get("type") == "apiKey" and s.get("in") == "header":
            names.add(s["name"].lower())
        elif s.get("type") in ("http", "oauth2", "openIdConnect"):
            names.add("authorization")
    return names


def build_operation(
    c: Contract, path: str, path_item: dict[str, Any], method: str, op: dict[str, Any]
) -> dict[str, Any]:
    op_id = op.get("operationId")
    if not op_id or not op.get("tags"):
        raise CodegenError(f"{method.upper()} {path}: operationId and tags are required")
    where = f"{op_id} ({method.upper()} {path})"
    security = op.get("security", c.spec.get("security", []))
    requirement = security[0] if security else {}
    if len(requirement) > 1:
        raise CodegenError(f"{where}: a requirement combining several schemes")
    skip_headers = security_headers(c, requirement)
    args: list[dict[str, Any]] = []  # keyword arguments of the handler, in order

    params: dict[tuple[str, str], dict[str, Any]] = {}
    for p in [*path_item.get("parameters", []), *op.get("parameters", [])]:
        p = c.resolve(p)
        params[(p["name"], p["in"])] = p  # operation-level overrides path-level
    for location in ("path", "query", "header", "cookie"):
        for (name, loc), p in params.items():
            if loc != location or (loc == "header" and name.lower() in skip_headers):
                continue
            schema = p.get("schema") or {}
            type_ = c.py_type(schema)
            required = p.get("required", False) or loc == "path"
            default = None
            if not required:
                if "default" in schema or "default" in c.resolve(schema):
                    default = c.default(schema, type_)
                elif not type_.endswith("| None"):
                    type_, default = f"{type_} | None", "None"
                else:
                    default = "None"
            py = snake(name)
            kw = [f"alias={name!r}"] if py != name or loc == "header" else []
            if cons := c.constraints(schema):
                kw.append(cons)
            marker = f"fastapi.{loc.capitalize()}({', '.join(kw)})"
            args.append(dict(name=py, type=type_, marker=marker, default=default))

    body = op.get("requestBody")
    if body:
        body = c.resolve(body)
        media_type, media = next(iter(body["content"].items()))
        schema = media.get("schema") or {}
        required = body.get("required", False)
        if is_json(media_type) or media_type == "application/x-www-form-urlencoded":
            form = media_type == "application/x-www-form-urlencoded"
            type_ = c.py_type(schema, strict=not form)
            if form and type_ not in c.models:
                raise CodegenError(f"{where}: a form body must be a named object schema")
            if not required:
                type_ += " | None"
            marker = "fastapi.Form()" if form else "fastapi.Body()"
            args.append(dict(name="body", type=type_, marker=marker, default=None if required else "None"))
        elif media_type == "multipart/form-data":
            # One keyword per part; files via File(), everything else via Form().
            schema = c.resolve(schema)
            for name, prop in schema.get("properties", {}).items():
                type_ = c.py_type(prop)
                part_required = name in schema.get("required", []) and required
                kw = [f"alias={name!r}"] if snake(name) != name else []
                if cons := c.constraints(prop):
                    kw.append(cons)
                func = "File" if "UploadFile" in type_ else "Form"
                if not part_required and not type_.endswith("| None"):
                    type_ += " | None"
                args.append(
                    dict(
                        name=snake(name),
                        type=type_,
                        marker=f"fastapi.{func}({', '.join(kw)})",
                        default=None if part_required else "None",
                    )
                )
        else:
            raise CodegenError(f"{where}: unsupported request media type {media_type}")

    if len({a["name"] for a in args}) < len(args):
        raise CodegenError(f"{where}: two parameters/parts map to one Python name: {args}")

    # Success responses in contract order; the first one is the route's status_code.
    codes = [str(k) for k in op.get("responses", {}) if re.fullmatch(r"2\d\d", str(k))]
    if not codes:
        raise CodegenError(f"{where}: no 2xx response")
    response = c.resolve(op["responses"][codes[0] if codes[0] in op["responses"] else int(codes[0])])
    content = response.get("content") or {}
    media_type = next(iter(content), None)
    if media_type is None:
        kind, returns = "empty", "None"
    elif is_json(media_type):
        model = c.py_type(content[media_type].get("schema") or {})
        kind, returns = "json", f"{model} | RenderedJson[{model}]"
    else:
        kind, returns = "raw", "fastapi.Response"
    # Several 2xx: the handler may build the Response for a non-primary status itself.
    union = len(codes) > 1 and kind != "raw"
    return dict(
        operation_id=op_id,
        method=method,
        path=path,
        tag=op["tags"][0],
        tag_arg=snake(op["tags"][0]),
        name=snake(op_id),
        args=args,
        status_code=int(codes[0]),
        kind=kind,
        media_type=media_type,
        union=union,
        returns=f"{returns} | fastapi.Response" if union else returns,
        scheme=next(iter(requirement), None),
        roles=tuple(op.get("x-roles", ())),
        summary=op.get("summary"),
    )


# Types models.py defines for the contract's scalars, prepended to it when a model or routes.py
# (which imports them from .models) uses one. Pydantic's own types are lax: int takes "5" and true;
# datetime/date take numbers (Unix times), a space for `T`, a date-time for a date.
DEFINED_IMPORTS = {
    "JsonInt": ("from typing import Annotated", "from pydantic import BeforeValidator"),
    "Rfc3339DateTime": (
        "import re",
        "from datetime import UTC, datetime",
        "from typing import Annotated",
        "from pydantic import AwareDatetime, ValidatorFunctionWrapHandler, WrapValidator",
    ),
    "Rfc3339Date": (
        "import re",
        "from datetime import date, datetime",
        "from typing import Annotated",
        "from pydantic import BeforeValidator",
    ),
}
DEFINED_CODE = {
    "JsonInt": """
def _require_json_number(value: object) -> object:
    # Before-validator of integers. 5.0 is a JSON Schema integer (StrictInt would refuse it) and
    # passes; int's own validation then refuses 5.5.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise ValueError("must be an integer (a JSON number, not a string or boolean)")


JsonInt = Annotated[int, BeforeValidator(_require_json_number)]
""",
    "Rfc3339DateTime": r"""
_RFC3339_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _rfc3339_in_utc(value: object, parse: ValidatorFunctionWrapHandler) -> datetime:
    # Input: an RFC 3339 date-time string with an offset (`T` separator); AwareDatetime parses it
    # (and checks the ranges). Every instant is then held in UTC, whatever offset it came with, so
    # responses write it with `Z` (pydantic's own serialiser does, for UTC: no Python call per
    # value when serialising). Handlers building response models pass datetime objects, mostly in
    # UTC already (the database's): those pass with this one call (a week's slots validate in
    # ~40 % less time than through a before- and an after-validator).
    if isinstance(value, datetime):
        if value.tzinfo is UTC:
            return value
    elif isinstance(value, str) and _RFC3339_DATE_TIME.fullmatch(value):
        # The contract's `pattern: ^20[0-9]{2}-`: every instant the clinic deals with lies in
        # 2000-2099, and arithmetic on it (durations, horizons, offsets) then stays inside what
        # Python's datetime and PostgreSQL hold (years 1 and 9999 overflow).
        if not value.startswith("20"):
            raise ValueError("must lie in the years 2000 to 2099")
        value = value.upper()
    else:
        raise ValueError("must be an RFC 3339 date-time string with offset, e.g. 2027-03-28T09:00:00+02:00")
    parsed: datetime = parse(value)
    return parsed.astimezone(UTC)


Rfc3339DateTime = Annotated[AwareDatetime, WrapValidator(_rfc3339_in_utc)]
""",
    "Rfc3339Date": """
_RFC3339_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _require_rfc3339_date(value: object) -> object:
    # Input: an RFC 3339 full-date string (YYYY-MM-DD). Handlers building response models pass dates.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _RFC3339_DATE.fullmatch(value):
        if not value.startswith("20"):  # as for date-times: `pattern: ^20[0-9]{2}-`
            raise ValueError("must lie in the years 2000 to 2099")
        return value
    raise ValueError("must be an RFC 3339 date string, e.g. 2027-03-28")


Rfc3339Date = Annotated[date, BeforeValidator(_require_rfc3339_date)]
""",
}
# datamodel-code-generator's names for the formats -> FORMAT_TYPES.
FORMAT_RETYPE = {"AwareDatetime": "Rfc3339DateTime", "datetime": "Rfc3339DateTime", "date": "Rfc3339Date"}


def insert_prelude(tree: ast.Module, inserts: list[tuple[int, str]], prelude: str) -> None:
    """Adds (line index, prelude) to `inserts`: before the module's first statement after its imports."""
    first = next((n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))), None)
    if first is None:  # imports only (or nothing)
        inserts.append((tree.body[-1].end_lineno or 0 if tree.body else 0, prelude))
        return
    start = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))])
    inserts.append((start - 1, prelude))


def form_schemas(c: Contract) -> set[str]:
    """$refs of the schemas application/x-www-form-urlencoded bodies use (the first media type, as in
    build_operation), and of every schema those reference."""
    todo: list[Any] = []
    for path_item in c.spec.get("paths", {}).values():
        for method in HTTP_METHODS:
            body = (path_item.get(method) or {}).get("requestBody")
            content: dict[str, Any] = (c.resolve(body).get("content") or {}) if body else {}
            for media_type, media in list(content.items())[:1]:
                if media_type == "application/x-www-form-urlencoded":
                    todo.append(media.get("schema") or {})
    refs: set[str] = set()
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in refs:
                refs.add(ref)
                todo.append(c.resolve({"$ref": ref}))
            todo.extend(v for k, v in node.items() if k != "$ref")
    return refs


def date_pattern_removals(model: ast.ClassDef) -> list[tuple[int, int, int, str]]:
    """Edits deleting `pattern=` from the Field() of date/date-time fields: pydantic can't apply a
    pattern to a datetime, and the Rfc3339 types check the one pattern the contract may give them."""
    edits = []
    for field in (n for n in model.body if isinstance(n, ast.AnnAssign) and isinstance(n.value, ast.Call)):
        if not any(isinstance(n, ast.Name) and n.id in FORMAT_RETYPE for n in ast.walk(field.annotation)):
            continue
        call = field.value
        assert isinstance(call, ast.Call)
        for index, kw in enumerate(call.keywords):
            if kw.arg != "pattern":
                continue
            check_date_pattern(ast.literal_eval(kw.value))
            if len(call.args) + index == 0:
                raise CodegenError(f"{model.name}: a Field() whose first argument is the pattern")
            before = [*call.args, *call.keywords][len(call.args) + index - 1]
            assert before.end_lineno == kw.end_lineno == kw.lineno, "a one-line Field() expected"
            assert before.end_col_offset is not None and kw.end_col_offset is not None
            edits.append((kw.lineno, before.end_col_offset, kw.end_col_offset, ""))
    return edits


def check_date_pattern(pattern: object) -> None:
    if pattern != DATE_PATTERN:
        raise CodegenError(f"a date/date-time may only carry `pattern: {DATE_PATTERN}`, not {pattern!r}")


def strict_types(parser: Any, code: str) -> str:
    """Makes the models' scalar types as strict as the contract (JSON input):

    * integer -> JsonInt (no `"5"`, no `true`; `5.0` passes, as in JSON Schema), number ->
      StrictFloat (no `"5.5"`; an integer passes), boolean -> StrictBool (no `0`, `"yes"`, `"true"`).
      Except in the models of form-urlencoded bodies (`form_schemas`), whose values are strings.
    * date-time/date -> Rfc3339DateTime/Rfc3339Date (strings in RFC 3339 form only).

    Rewrites the Names in class annotations and base-class subscripts (`RootModel[int]`), and
    prepends the DEFINED_CODE the models or routes.py need. `code` as in reject_nulls."""
    c = Contract(parser)
    forms = form_schemas(c)
    lax = {m.class_name for m in parser.results if m.reference.path in forms}
    tree = ast.parse(code)
    taken = {*FORMAT_TYPES.values(), *STRICT.values()}
    edits: list[tuple[int, int, int, str]] = []  # (line, start, end byte offsets, replacement)
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        if node.name in taken:
            raise CodegenError(f"a schema would be named {node.name}, which models.py defines/imports")
        types = [b.slice for b in node.bases if isinstance(b, ast.Subscript)]
        types += [n.annotation for n in node.body if isinstance(n, ast.AnnAssign)]
        swap = FORMAT_RETYPE if node.name in lax else {**FORMAT_RETYPE, **STRICT}
        for name in (n for t in types for n in ast.walk(t) if isinstance(n, ast.Name) and n.id in swap):
            assert name.end_col_offset is not None
            edits.append((name.lineno, name.col_offset, name.end_col_offset, swap[name.id]))
        edits += date_pattern_removals(node)
    lines = code.splitlines()
    for lineno, start, end, new in sorted(edits, reverse=True):
        raw = lines[lineno - 1].encode()  # ast offsets count UTF-8 bytes
        lines[lineno - 1] = (raw[:start] + new.encode() + raw[end:]).decode()
    routes = Contract(parser)
    operations(routes)  # the names routes.py will use
    used = {new for *_, new in edits} | routes.names
    defined = [n for n in DEFINED_CODE if n in used]
    imports = {f"from pydantic import {n}" for n in used & set(STRICT.values()) - set(DEFINED_CODE)}
    imports.update(i for n in defined for i in DEFINED_IMPORTS[n])
    inserts: list[tuple[int, str]] = []
    if imports:  # isort merges and orders them
        insert_prelude(tree, inserts, "\n".join([*sorted(imports), *(DEFINED_CODE[n] for n in defined)]))
    for at, text in inserts:
        lines[at:at] = text.splitlines()
    return "\n".join(lines) + "\n" if lines else ""


# Prepended to the model module when some field needs it; reused by every `_not_null` validator.
REJECT_NULL = """
from pydantic import field_validator


def _reject_null(value: object) -> object:
    # Before-validator of optional properties the contract does not declare nullable.
    if value is None:
        raise ValueError("null is not allowed here; omit the property instead")
    return value
"""


def reject_nulls(parser: Any, code: str) -> str:
    """Adds `_not_null = field_validator(<fields>, mode='before')(_reject_null)` to each model with
    optional fields (`T | None`) whose contract property does not allow null: an explicit null is
    then a ValidationError (422), while an omitted field still gets its default (pydantic doesn't
    validate defaults). Nullable properties keep accepting null. `code` is datamodel-code-generator's
    unformatted single-module output; `parser.results` maps its classes to contract schemas."""
    c = Contract(parser)
    fields: dict[str, list[str]] = {}  # class name -> Python names of the non-nullable fields
    for model in parser.results:
        if not any(f.original_name for f in model.fields):
            continue  # an enum
        if not model.reference.path.startswith("#/components/"):
            continue  # an inline response schema (request bodies are named, see build_operation)
        try:
            schema = c.resolve({"$ref": model.reference.path})
        except (KeyError, TypeError) as e:
            raise CodegenError(f"model {model.class_name}: cannot find {model.reference.path}") from e
        props, required = c.object_properties(schema)
        names = [
            f.name
            for f in model.fields
            if f.original_name in props
            and f.original_name not in required
            and not c.allows_null(props[f.original_name])
        ]
        if names:
            fields[model.class_name] = names
    tree = ast.parse(code)
    inserts: list[tuple[int, str]] = []  # (line index, text inserted before it)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in fields:
            optional = {
                n.target.id
                for n in node.body
                if isinstance(n, ast.AnnAssign)
                and isinstance(n.target, ast.Name)
                and "None" in ast.unparse(n.annotation).split(" | ")
            }
            if names := [f for f in fields[node.name] if f in optional]:
                args = ", ".join(repr(n) for n in names)
                assert node.end_lineno is not None
                validator = f"field_validator({args}, mode='before')(_reject_null)"
                inserts.append((node.end_lineno, f"    _not_null = {validator}"))
    if not inserts:
        return code
    insert_prelude(tree, inserts, REJECT_NULL + "\n")
    lines = code.splitlines()
    for at, text in sorted(inserts, reverse=True):
        lines[at:at] = text.splitlines()
    return "\n".join(lines) + "\n"


def route_order(op: dict[str, Any]) -> list[tuple[bool, str]]:
    """Literal path segments before templated ones (`/a/search` before `/a/{id}`), so Starlette,
    which takes the first matching route, never sends a literal path to a templated route."""
    return [(seg.startswith("{"), seg) for seg in op["path"].split("/")]


def operations(c: Contract) -> list[dict[str, Any]]:
    return [
        build_operation(c, path, path_item, method, path_item[method])
        for path, path_item in c.spec.get("paths", {}).items()
        for method in HTTP_METHODS
        if method in path_item
    ]


def visit(parser: Any, model_path: Any) -> dict[str, object]:
    c = Contract(parser)
    ops = operations(c)
    tag_names = [t["name"] for t in c.spec.get("tags", [])]
    tag_names += [t for t in dict.fromkeys(op["tag"] for op in ops) if t not in tag_names]
    tags = [
        dict(
            name=t,
            cls=f"{pascal(t)}Api",
            arg=snake(t),
            operations=[op for op in ops if op["tag"] == t],
        )
        for t in tag_names
        if any(op["tag"] == t for op in ops)
    ]
    return {
        "api_tags": tags,
        "api_operations": ops,
        "api_routes": sorted(ops, key=route_order),
        # Model classes and the types models.py defines (DEFINED_CODE) routes.py imports from .models.
        "api_models": sorted(c.models | (c.names & set(DEFINED_CODE))),
        "api_names": c.names,
        "api_title": c.spec.get("info", {}).get("title", ""),
    }


if __name__ == "__main__":
    import importlib
    import sys
    import warnings

    # Imported by name: mypy runs in the app venv, where the codegen tools aren't installed.
    OpenAPIParser = importlib.import_module("datamodel_code_generator.parser.openapi").OpenAPIParser
    cli = importlib.import_module("fastapi_code_generator.cli")

    # datamodel-code-generator options the fastapi-codegen CLI doesn't expose (see README),
    # set where fastapi-codegen's parser hands its options to datamodel-code-generator's.
    OPTIONS = dict(
        snake_case_field=True,
        allow_population_by_field_name=True,
        field_constraints=True,
        use_standard_collections=True,
        use_union_operator=True,
    )
    base_init = OpenAPIParser.__init__
    OpenAPIParser.__init__ = lambda self, source, **kw: base_init(self, source, **{**kw, **OPTIONS})

    # fastapi-codegen formats (black, isort) what parse() returns: our lines included.
    # Patched on fastapi-codegen's subclass: it holds its own (pysnooper-wrapped) copy of parse.
    def parse(self: Any, *args: Any, **kw: Any) -> Any:
        code = base_parse(self, *args, **kw)
        if not isinstance(code, str):
            raise CodegenError("expected a single model module")
        return reject_nulls(self, strict_types(self, code))

    base_parse = cli.OpenAPIParser.parse
    cli.OpenAPIParser.parse = parse
    # "black/isort will become opt-in" noise; both are pinned and used on purpose.
    warnings.filterwarnings("ignore", category=FutureWarning)
    sys.exit(cli.invoke_main())
