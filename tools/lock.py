"""Writes the two lock files from what is installed in this virtualenv (`make lock`).

requirements.lock      the runtime: pyproject's [project.dependencies] and everything they
                       need, exact versions. The Docker image installs this one only.
requirements-dev.lock  what tests and tools add on top ([project.optional-dependencies].dev,
                       the embedded servers of local development, and their dependencies).

Both pin the versions installed here, for this platform (like `pip freeze`, which this
replaces). After changing dependencies in pyproject.toml: install them into .venv, then
`make lock`.
"""

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_HEADER = (
    "# The runtime's exact dependencies; the image installs only this file. `make lock` writes it.\n"
)
DEV_HEADER = (
    "# Tests, tools and the embedded servers, on top of requirements.lock (`make install` installs both).\n"
    "# `make lock` writes it.\n"
)


def _requirements(dist: metadata.Distribution, extras: set[str]) -> list[Requirement]:
    needed = []
    for line in dist.requires or []:
        requirement = Requirement(line)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras | {""}):
            needed.append(requirement)
    return needed


def closure(roots: list[str]) -> dict[str, str]:
    """Canonical name → `Name==version` of the roots and everything they need, as installed."""
    pinned: dict[str, str] = {}
    extras_seen: dict[str, set[str]] = {}
    todo = [Requirement(root) for root in roots]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        extras = set(requirement.extras)
        if name in pinned and extras <= extras_seen[name]:
            continue
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{requirement.name} is required but not installed: pip install it, then make lock")
        extras_seen[name] = extras_seen.get(name, set()) | extras
        # Without the local label (torch 2.13.0+cpu): `==2.13.0` matches the CPU build on the
        # CPU index (the image's) and whatever build the local index has.
        pinned[name] = f"{dist.metadata['Name']}=={dist.version.split('+')[0]}"
        todo.extend(_requirements(dist, extras_seen[name]))
    return pinned


def _lines(pins: dict[str, str]) -> str:
    return "".join(f"{pin}\n" for pin in sorted(pins.values(), key=str.lower))


def main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = closure(project["dependencies"])
    development = closure(project["optional-dependencies"]["dev"])
    dev_only = {name: pin for name, pin in development.items() if name not in runtime}
    (ROOT / "requirements.lock").write_text(RUNTIME_HEADER + _lines(runtime))
    (ROOT / "requirements-dev.lock").write_text(DEV_HEADER + _lines(dev_only))
    print(f"requirements.lock: {len(runtime)} runtime packages; requirements-dev.lock: {len(dev_only)} more")


if __name__ == "__main__":
    main()
