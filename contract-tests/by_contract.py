"""Valid data for positive cases, driven by the contract (parameter names, schemas), not by operation.

An operation added to the contract on a known kind of object, or with a new password, gets it too.
"""

import uuid

import run_data as data
import schemathesis

# Methods that change the object their path names: given objects the run may change (a pool
# "writable<Name>"), so the demo logins and data the other runs rely on stay as they are.
_WRITING_METHODS = {"put", "patch", "delete"}


def real_path_ids(case: schemathesis.Case) -> None:
    """Every path parameter with a pool of that name gets a real identifier (most of the time).

    Driven by the parameter names alone, so an operation added to the contract on an existing
    kind of object (`{userId}`, `{documentId}`, ...) is reached without changes here.
    """
    if data.is_stateful(case) or not case.path_parameters:
        return
    writing = case.operation.method.lower() in _WRITING_METHODS
    for name in list(case.path_parameters):
        writable = "writable" + name[0].upper() + name[1:]
        pool = writable if writing and writable in data.pools else name
        data.set_path(case, name, pool)


def broad_listing(case: schemathesis.Case) -> None:
    """In the stateful phase, most listings drop their optional filters, so they list something.

    Links take the first item of a listing (`#/items/0/id`); a random filter or offset mostly
    lists nothing and the chain ends there. The fuzzing phase still tries the filters.
    """
    if (
        not data.is_stateful(case)
        or case.operation.method.lower() != "get"
        or case.path_parameters
        or not case.query
    ):
        return
    if data.chance(0.7):
        declared = case.operation.definition.raw.get("parameters", [])
        required = {data.schema_of(p)["name"] for p in declared if data.schema_of(p).get("required")}
        case.query = {name: value for name, value in case.query.items() if name in required}


def new_credentials(case: schemathesis.Case) -> None:
    """A body that sets a password (one with a minimum length) gets a strong one and a fresh email.

    The schema can't say "not guessable" (zxcvbn) nor "not taken"; the contract says both answer
    422/409. One case in five keeps its generated values, so refusals are still tried.
    """
    body = data.body_of(case)
    properties = data.body_properties(case)
    password = properties.get("password", {})
    if body is None or "minLength" not in password or not data.chance():
        return
    body["password"] = f"{uuid.uuid4().hex[:12]}-Contract-{uuid.uuid4().hex[:8]}"[
        : password.get("maxLength", 128)
    ]
    for name, field in properties.items():
        if data.schema_of(field).get("format") == "email" and name in body:
            body[name] = f"fuzz-{uuid.uuid4().hex[:16]}@silverstar.test"
