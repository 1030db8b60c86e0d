"""How far the fuzzer got into each operation: past the door (authentication, validation) or not.

hooks.py appends one line per response to the file CONTRACT_REACH names; run.py reads every
role's file at the end and prints, per operation and role, how many requests reached the
operation's logic. Which role may call what comes from the contract (`x-roles`, `security`),
so operations added later are counted and judged without changes here.
"""

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
# Answers given before an operation's own code runs: no or a wrong credential, a request the
# framework refused (shape, media type, size, method), a path no route matches.
DOOR = "door"
VALIDATION = "validation"
LOGIC = "logic"
SERVER_ERROR = "5xx"
_FRAMEWORK_REFUSALS = {400, 405, 406, 413, 415}
# Starlette's own 404 (no route) has this detail; the API's NotFound says what was not found.
_NO_ROUTE_DETAIL = "Not Found"


def outcome(status: int, body: Any) -> str:
    """Where a response came from: the door, request validation, or the operation's logic."""
    problem = body if isinstance(body, dict) else {}
    if status in (401, 403):
        return DOOR
    if status in _FRAMEWORK_REFUSALS:
        return VALIDATION
    # Request validation lists the fields it refused; a rule of the service (422 too) does not.
    if status == 422 and "errors" in problem:
        return VALIDATION
    if status == 404 and problem.get("detail") == _NO_ROUTE_DETAIL:
        return VALIDATION
    if status >= 500 and status not in (501, 502, 503):
        return SERVER_ERROR
    return LOGIC


def record(path: Path, operation_id: str, phase: str, status: int, body: Any) -> None:
    line = {"operationId": operation_id, "phase": phase, "status": status, "outcome": outcome(status, body)}
    with path.open("a") as out:
        out.write(json.dumps(line) + "\n")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    label: str
    roles: frozenset[str] | None  # None: anyone (no security, or a webhook's signature)
    secured: bool  # False: no door, so a 401/403 is the operation's own answer (a wrong password)


def operations(contract: Path) -> list[Operation]:
    """Every operation of the contract and who may call it, from `security` and `x-roles`."""
    spec = yaml.safe_load(contract.read_text())
    default_security = spec.get("security", [])
    found = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            security = op.get("security", default_security)
            bearer = any("bearerAuth" in requirement for requirement in security)
            roles = frozenset(op.get("x-roles", [])) if bearer else None
            found.append(Operation(op["operationId"], f"{method.upper()} {path}", roles, bool(security)))
    return found


def read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def may_call(operation: Operation, role: str) -> bool:
    if operation.roles is None:
        return True
    return role in operation.roles


def report(
    contract: Path, records: Mapping[str, Iterable[dict[str, Any]]], skipped: Iterable[str] = ()
) -> tuple[str, list[str]]:
    """The table (per operation and role: requests reaching the logic / all requests) and what's wrong.

    Wrong: an operation a role may call whose requests never got past the door, or one it may
    not call that answered it with a success.
    """
    roles = list(records)
    counts: dict[tuple[str, str], Counter[str]] = {}
    successes: dict[tuple[str, str], int] = {}
    for role, role_records in records.items():
        for line in role_records:
            key = (line["operationId"], role)
            counts.setdefault(key, Counter())[line["outcome"]] += 1
            successes[key] = successes.get(key, 0) + (200 <= line["status"] < 300)
    skip = set(skipped)
    rows = [op for op in operations(contract) if op.operation_id not in skip]
    width = max(len(op.label) for op in rows)
    header = f"{'operation':<{width}}  " + "  ".join(f"{role:>16}" for role in roles)
    lines = [
        "Requests that reached each operation's logic / all requests (door = 401/403 of a secured one, "
        "validation = 400/405/406/413/415/422 with field errors); '!' = never past the door "
        "for a role the contract admits, '-' = not admitted",
        header,
        "-" * len(header),
    ]
    problems = []
    for op in rows:
        cells = []
        for role in roles:
            count = counts.get((op.operation_id, role), Counter())
            if not op.secured:
                count = Counter({**count, LOGIC: count[LOGIC] + count[DOOR], DOOR: 0})
            total = sum(count.values())
            admitted = may_call(op, role)
            mark = " " if admitted else "-"
            if admitted and count[LOGIC] == 0:
                mark = "!"
                problems.append(f"{op.label} as {role}: {total} requests, none past the door")
            if not admitted and successes.get((op.operation_id, role), 0):
                problems.append(f"{op.label} as {role}: a success, though x-roles does not admit {role}")
            cells.append(f"{count[LOGIC]:>7} / {total:<6}{mark}")
        lines.append(f"{op.label:<{width}}  " + "  ".join(cells))
    return "\n".join(lines), problems


def contract_links(contract: Path, role: str | None = None) -> list[str]:
    """The contract's links as schemathesis names them (`GET /a -> [200] Name`).

    With `role`: only those from operations the role may call (it can't follow the others).
    """
    spec = yaml.safe_load(contract.read_text())
    admitted = {op.label for op in operations(contract) if role is None or may_call(op, role)}
    found = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict) or f"{method.upper()} {path}" not in admitted:
                continue
            for status, response in op.get("responses", {}).items():
                for name in response.get("links", {}):
                    found.append(f"{method.upper()} {path} -> [{status}] {name}")
    return found


def links_followed(ndjson: Path) -> set[str]:
    """Links the stateful phase followed with data from a response (its "API Links: N covered")."""
    followed: set[str] = set()
    if not ndjson.exists():
        return followed
    for line in ndjson.read_text().splitlines():
        scenario = json.loads(line).get("ScenarioFinished")
        if scenario is None:
            continue
        for case in scenario.get("recorder", {}).get("cases", {}).values():
            transition = case.get("transition")
            if transition and case.get("is_transition_applied"):
                # "<source> -> [<status>] <name> -> <target>": the target is implied by the name.
                followed.add(transition["id"].rsplit(" -> ", 1)[0])
    return followed


def link_report(contract: Path, followed: Mapping[str, set[str]]) -> str:
    links = contract_links(contract)
    union = set().union(*followed.values()) & set(links) if followed else set()
    lines = [
        f"{role}: {len(ids & set(links))} of {len(links)} links followed "
        f"({len(contract_links(contract, role))} start at operations {role} may call)"
        for role, ids in followed.items()
    ]
    lines.append(f"any role: {len(union)} of {len(links)} ({100 * len(union) // max(1, len(links))} %)")
    lines += [f"  never followed: {link}" for link in links if link not in union]
    return "\n".join(lines)
