"""What the hooks share: the contract, this run's fixtures (seed.py), and pools of ids kept up to date.

The pools start with the identifiers seed.py made for the role (CONTRACT_FIXTURES) and grow
and shrink with what responses create and delete.
"""

import json
import os
import random
import threading
from pathlib import Path
from typing import Any

import httpx
import schemathesis
import yaml
from schemathesis import GenerationMode

CONTRACT: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "api-contract" / "openapi.yaml").read_text()
)
FIXTURES: dict[str, Any] = json.loads(Path(os.environ["CONTRACT_FIXTURES"]).read_text())
REACH = Path(os.environ["CONTRACT_REACH"])
# Positive cases get real data this often; the rest keep their random values (unknown ids too).
REAL_ID_SHARE = 0.8
lock = threading.Lock()
rng = random.Random(20261129)
pools: dict[str, list[str]] = {name: list(ids) for name, ids in FIXTURES["pools"].items()}
turns: list[tuple[str, str]] = [(t, c) for t, c in FIXTURES["turns"]]


def chance(share: float = REAL_ID_SHARE) -> bool:
    with lock:
        return rng.random() < share


def pick(pool: str) -> str | None:
    with lock:
        ids = pools.get(pool, [])
        return rng.choice(ids) if ids else None


def add(pool: str, value: str) -> None:
    with lock:
        pools.setdefault(pool, []).append(value)


def remove(value: str) -> None:
    with lock:
        for ids in pools.values():
            while value in ids:
                ids.remove(value)


def random_int(below: int) -> int:
    with lock:
        return rng.randrange(below)


def is_positive(case: schemathesis.Case) -> bool:
    return case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE


def is_stateful(case: schemathesis.Case) -> bool:
    return case.meta is not None and case.meta.phase.name.value == "stateful"


def api(method: str, path: str, **kwargs: Any) -> Any:
    """A call of our own, as the run's user; None unless it succeeded."""
    token = FIXTURES["token"]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.request(method, FIXTURES["baseUrl"] + path, headers=headers, timeout=30, **kwargs)
    except httpx.HTTPError:
        return None
    return response.json() if response.is_success and response.content else None


def set_path(case: schemathesis.Case, name: str, pool: str) -> None:
    value = pick(pool)
    if value is not None and case.path_parameters is not None and chance():
        case.path_parameters[name] = value


def body_of(case: schemathesis.Case) -> dict[str, Any] | None:
    return case.body if isinstance(case.body, dict) else None


def schema_of(reference: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in reference:
        node: Any = CONTRACT
        for part in reference["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        reference = node
    return reference


def body_properties(case: schemathesis.Case) -> dict[str, Any]:
    content = case.operation.definition.raw.get("requestBody", {})
    content = schema_of(content).get("content", {})
    media = content.get(case.media_type or "", {}) if case.media_type else {}
    return dict(schema_of(media.get("schema", {})).get("properties", {}))
