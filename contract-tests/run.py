"""Fuzz the live API against api-contract/openapi.yaml with schemathesis, all checks on.

Starts uvicorn on loopback over a fresh database holding the demo clinic, then runs
`st run` on the contract FILE (not the served copy) once as a patient and once as an
admin. Operations still answering 501 (handlers/pending.py) are skipped.

    python contract-tests/run.py [--max-examples N]
"""

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import httpx
from sqlalchemy import URL, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.embedded_servers import resolve_database_url, resolve_redis_url  # noqa: E402
from handlers.pending import PENDING_OPERATIONS  # noqa: E402
from persistence.db import create_engine, create_session_factory  # noqa: E402
from persistence.migrate import run_migrations  # noqa: E402
from services.demo_clinic import DEMO_PASSWORD, seed_demo_clinic  # noqa: E402
from silverstar.settings import get_settings  # noqa: E402

CONTRACT = ROOT / "api-contract" / "openapi.yaml"
TS_CLIENT = ROOT / "clients" / "typescript"
# Per run, so concurrent runs (two terminals, an editor) don't drop each other's database.
DATABASE = f"silverstar_contract_{os.getpid()}"
REDIS_DB = 14


def server_url() -> URL:
    settings = get_settings().model_copy(update={"database_url": os.environ.get("TEST_DATABASE_URL")})
    return make_url(resolve_database_url(settings))


async def run_on_server(*statements: str) -> None:
    admin = create_async_engine(server_url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        for statement in statements:
            await conn.execute(text(statement))
    await admin.dispose()


async def create_database(name: str) -> str:
    """Database `name` dropped, created afresh and migrated; its URL."""
    await run_on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    url = server_url().set(database=name).render_as_string(hide_password=False)
    await run_migrations(url)
    return url


async def prepare_database(name: str = DATABASE) -> str:
    """`create_database`, then the demo clinic seeded into it."""
    url = await create_database(name)
    engine = create_engine(url)
    async with create_session_factory(engine).begin() as session:
        await seed_demo_clinic(session, get_settings())
    await engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served(NamedTuple):
    base_url: str
    port: int
    process: subprocess.Popen[bytes]


def start_server(database_url: str, port: int) -> subprocess.Popen[bytes]:
    redis_url = resolve_redis_url(get_settings())
    redis_url = redis_url.replace("/0", f"/{REDIS_DB}") if redis_url.endswith("/0") else redis_url
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ENVIRONMENT": "test",
        "JWT_SECRET": secrets.token_urlsafe(48),
        # The fuzzer fails many logins from one address; the throttle itself is tested elsewhere.
        "LOGIN_MAX_FAILURES": "1000000",
        "REGISTRATION_MAX_PER_IP": "1000000",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "silverstar.main:app",
            "--no-proxy-headers",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


@contextmanager
def served(database_url: str) -> Iterator[Served]:
    """The API under uvicorn on a free loopback port, ready; stopped on leaving."""
    port = free_port()
    process = start_server(database_url, port)
    try:
        served = Served(f"http://127.0.0.1:{port}", port, process)
        wait_until_ready(served.base_url)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=15)


def wait_until_ready(base_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # /health, not /ready: no worker runs here, so /ready answers 503 (workers unavailable).
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the API did not become ready")


def token(base_url: str, email: str) -> str:
    response = httpx.post(f"{base_url}/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    response.raise_for_status()
    return str(response.json()["access_token"])


def fuzz(base_url: str, bearer: str, max_examples: int) -> int:
    excluded = [arg for op in sorted(PENDING_OPERATIONS) for arg in ("--exclude-operation-id", op)]
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(Path(__file__).parent / "schemathesis.toml"),
        "run",
        str(CONTRACT),
        "--url",
        base_url,
        "--header",
        f"Authorization: Bearer {bearer}",
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--seed",
        "20261125",
        "--generation-database",
        "none",
        "--workers",
        "2",
        "--no-color",
        *excluded,
    ]
    return subprocess.call(command, cwd=ROOT)


def typescript_client_test(base_url: str) -> int:
    """The TypeScript client's Node test (tsc strict, then patient and admin journeys) on this server."""
    if not (TS_CLIENT / "node_modules" / ".package-lock.json").exists():
        subprocess.check_call(["npm", "ci", "--no-audit", "--no-fund"], cwd=TS_CLIENT)
    env = {**os.environ, "SILVERSTAR_API_URL": base_url}
    return subprocess.call(["npm", "test", "--silent"], cwd=TS_CLIENT, env=env)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=30)
    args = parser.parse_args()
    database_url = asyncio.run(prepare_database())
    try:
        with served(database_url) as server:
            failures = 0
            for email in ("patient@silverstar.test", "admin@silverstar.test"):
                print(f"\n=== schemathesis as {email} ===", flush=True)
                failures += fuzz(server.base_url, token(server.base_url, email), args.max_examples) != 0
            print("\n=== TypeScript client (clients/typescript) ===", flush=True)
            failures += typescript_client_test(server.base_url) != 0
            return 1 if failures else 0
    finally:
        asyncio.run(run_on_server(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


if __name__ == "__main__":
    sys.exit(main())
