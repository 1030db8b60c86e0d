"""Generates the fixture contract's code once per run and serves its router.

The code comes from `make regen-python` (the codegen venv, regen's own command line) into a
temporary package; the tests import it with this venv's FastAPI and pydantic, as the app does.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import fastapi
import pytest
from fastapi.testclient import TestClient

CODEGEN_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = CODEGEN_DIR.parents[1]
FIXTURE = CODEGEN_DIR / "fixture.yaml"
PACKAGE = "codegen_fixture"


@dataclass(frozen=True)
class Generated:
    models: ModuleType
    routes: ModuleType


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    root = tmp_path_factory.mktemp("generated")
    output = root / PACKAGE
    # From the repo root, as regen runs: black/isort read ./pyproject.toml.
    make = ["make", "-s", "-f", str(CODEGEN_DIR / "regen.mk"), "regen-python"]
    variables = [f"CONTRACT={FIXTURE.relative_to(REPO_ROOT)}", f"GENERATED={output}"]
    subprocess.run([*make, *variables], cwd=REPO_ROOT, check=True)  # noqa: S603
    sys.path.insert(0, str(root))
    try:
        yield Generated(
            models=importlib.import_module(f"{PACKAGE}.models"),
            routes=importlib.import_module(f"{PACKAGE}.routes"),
        )
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture(scope="session")
def visitor() -> ModuleType:
    """visitor.py itself (it imports only the standard library at module level)."""
    spec = importlib.util.spec_from_file_location("codegen_visitor", CODEGEN_DIR / "visitor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Ctx:
    """What the test ContextProvider yields: the arguments add_routes gave it for the route."""

    scheme: str | None
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Call:
    operation: str
    ctx: Ctx
    kwargs: dict[str, Any]


@dataclass
class Handlers:
    """Every tag's implementation at once: records each call and returns `results[method]`."""

    results: dict[str, Any] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        async def operation(ctx: Ctx, **kwargs: Any) -> Any:
            self.calls.append(Call(name, ctx, kwargs))
            return self.results.get(name)

        return operation

    @property
    def only_call(self) -> Call:
        assert len(self.calls) == 1, self.calls
        return self.calls[0]


def recording_context(*, scheme: str | None, roles: tuple[str, ...]) -> Callable[..., AsyncIterator[Ctx]]:
    async def dependency() -> AsyncIterator[Ctx]:
        yield Ctx(scheme, roles)

    return dependency


def tag_arguments(routes: ModuleType) -> list[str]:
    """add_routes's keyword arguments other than `router` and `context`: one per tag."""
    return [p for p in inspect.signature(routes.add_routes).parameters if p not in ("router", "context")]


def router(
    routes: ModuleType, handlers: Handlers, into: fastapi.APIRouter | None = None
) -> fastapi.APIRouter:
    """`into` (a new APIRouter if None) with the routes of every tag added, served by `handlers`."""
    into = into if into is not None else fastapi.APIRouter()
    routes.add_routes(into, context=recording_context, **{arg: handlers for arg in tag_arguments(routes)})
    return into


@pytest.fixture
def handlers() -> Handlers:
    return Handlers()


@pytest.fixture
def client(generated: Generated, handlers: Handlers) -> Iterator[TestClient]:
    app = fastapi.FastAPI()
    router(generated.routes, handlers, into=app.router)
    with TestClient(app) as test_client:
        yield test_client
