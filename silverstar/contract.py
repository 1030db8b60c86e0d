"""The API contract file, as the running app reads it."""

import re
from functools import cache
from typing import Any

import yaml

from kernel.settings import PROJECT_ROOT

CONTRACT_PATH = PROJECT_ROOT / "api-contract" / "openapi.yaml"
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@cache
def load_contract() -> dict[str, Any]:
    with CONTRACT_PATH.open() as f:
        contract: dict[str, Any] = yaml.safe_load(f)
    return contract


@cache
def _path_patterns() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    patterns = []
    for template, item in load_contract()["paths"].items():
        regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        methods = tuple(m.upper() for m in _HTTP_METHODS if m in item)
        patterns.append((re.compile(f"^{regex}$"), methods))
    return patterns


def allowed_methods(path: str) -> tuple[str, ...]:
    """The methods the contract declares for a concrete request path (empty if none matches)."""
    allowed: list[str] = []
    for pattern, methods in _path_patterns():
        if pattern.match(path):
            allowed.extend(m for m in methods if m not in allowed)
    return tuple(allowed)
