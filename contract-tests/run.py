"""Fuzz the live API against api-contract/openapi.yaml with schemathesis, all checks on.

Starts uvicorn on loopback over a fresh database holding the demo clinic, with a Twilio
account configured (PUBLIC_BASE_URL = this server), a Dramatiq worker, and a local
recording server standing in for Twilio's media host. seed.py then makes real objects
through the API; the TypeScript client's test runs (on a second server whose access tokens
live seconds, so its journeys refresh); `st run` fuzzes the contract FILE (not the served
copy) as anonymous, a patient, a doctor and an admin, and each signed-in role follows the
contract's links in the stateful phase for a time in proportion to the links it could
follow. The operations that end the caller's session (logout, a password change) are
fuzzed last, each alone, with a fresh token of the role. hooks.py signs the webhooks and
hands positive cases the real identifiers each role may use. reach.py then prints how far
each operation was reached per role (and fails the run if a role the contract admits never
got past the door) and the links followed. CONTRACT_KEEP=DIR keeps the run's files there
(fixtures, per-role reach records, stateful ndjson reports).

    python contract-tests/run.py [--max-examples N] [--roles patient,admin]
        [--phases stateful] [--seconds-per-link S] [--no-client]
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import httpx
from sqlalchemy import URL, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import reach  # noqa: E402
from recording_server import recording_server  # noqa: E402
from seed import ROLES, Twilio, fixtures_for, seed, test_twilio_account  # noqa: E402

from adapters.embedded_servers import resolve_database_url, resolve_redis_url  # noqa: E402
from kernel.settings import get_settings  # noqa: E402
from persistence.db import create_engine, create_session_factory  # noqa: E402
from persistence.migrate import run_migrations  # noqa: E402
from services.demo_clinic import DEMO_PASSWORD, seed_demo_clinic  # noqa: E402
from services.jobs import JobBuffer  # noqa: E402
from services.outside_world import OutsideWorld  # noqa: E402

CONTRACT = ROOT / "api-contract" / "openapi.yaml"
TS_CLIENT = ROOT / "clients" / "typescript"
# The coverage phase (every boundary and negative case the schema allows) does not depend
# on who asks, so it runs once, as the admin, whom every operation admits; each role then
# fuzzes and follows links as itself, and anonymous callers fuzz the door of every operation.
PHASES = {
    "anonymous": ["fuzzing"],
    "patient": ["fuzzing", "stateful"],
    "doctor": ["fuzzing", "stateful"],
    "admin": ["coverage", "fuzzing", "stateful"],
}
# They end the session the fuzzer's token belongs to, so each role fuzzes them last, each with a
# token of its own (a run of its own, since the CLI's Authorization header beats hooks).
SESSION_ENDING = ("logout", "changePassword")
# The fuzzing server's access tokens outlive the run; the client's test server's expire within
# its journeys, which then go through the refresh.
FUZZ_ACCESS_TOKEN_TTL_SECONDS = 4 * 3600
CLIENT_ACCESS_TOKEN_TTL_SECONDS = 3
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
        # The handbook's ingestion job is not sent: the fuzzing needs the rows, not the index.
        await seed_demo_clinic(session, OutsideWorld(get_settings()), JobBuffer())
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


def server_env(
    database_url: str,
    base_url: str,
    phone: Twilio | None,
    media_origin: str | None,
    access_token_ttl_seconds: int = FUZZ_ACCESS_TOKEN_TTL_SECONDS,
) -> dict[str, str]:
    redis_url = resolve_redis_url(get_settings())
    redis_url = redis_url.replace("/0", f"/{REDIS_DB}") if redis_url.endswith("/0") else redis_url
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ENVIRONMENT": "test",
        # The access line of every fuzzed request would bury the run's own report.
        "LOG_LEVEL": "WARNING",
        "JWT_SECRET": secrets.token_urlsafe(48),
        # The fuzzer fails many logins from one address, books far more than a patient may
        # hold and chats faster than anyone may; these limits are tested elsewhere.
        "LOGIN_MAX_FAILURES": "1000000",
        "REGISTRATION_MAX_PER_IP": "1000000",
        "MAX_OPEN_APPOINTMENTS_PER_PATIENT": "1000000",
        "ACCESS_TOKEN_TTL_SECONDS": str(access_token_ttl_seconds),
        "CHAT_REQUESTS_PER_MINUTE": "1000000",
    }
    if phone is not None:
        # Twilio signs the URL it calls, which is this server; recordings come from loopback.
        env |= {
            "TWILIO_ACCOUNT_SID": phone.account_sid,
            "TWILIO_AUTH_TOKEN": phone.auth_token,
            "PUBLIC_BASE_URL": base_url,
            # The exact origin (scheme, host, port) of the recording server.
            "TWILIO_MEDIA_HOSTS": json.dumps([media_origin] if media_origin else []),
            "PHONE_RECORDING_TIMEOUT_SECONDS": "5",
        }
    return env


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
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


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """One worker process with one thread: it answers the phone's turns and ingests uploads."""
    return subprocess.Popen(
        [sys.executable, "-m", "workers", "workers.actors", "--processes", "1", "--threads", "1"],
        cwd=ROOT,
        env=env,
    )


@contextmanager
def served(
    database_url: str,
    phone: Twilio | None = None,
    media_origin: str | None = None,
    access_token_ttl_seconds: int = FUZZ_ACCESS_TOKEN_TTL_SECONDS,
    settings: dict[str, str] | None = None,
) -> Iterator[Served]:
    """The API under uvicorn on a free loopback port, ready; stopped on leaving.

    With `phone`, the Twilio account is configured and a worker runs beside the API.
    `settings`: environment variables set last (the benchmarks': WEB_CONCURRENCY, a limit).
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = server_env(database_url, base_url, phone, media_origin, access_token_ttl_seconds) | (settings or {})
    children = [start_server(env, port)]
    try:
        wait_until_ready(base_url)
        if phone is not None:
            children.append(start_worker(env))
        yield Served(base_url, port, children[0])
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=30)


def wait_until_ready(base_url: str, timeout: float = 180) -> None:
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


def write_config(directory: Path, max_examples: int) -> Path:
    """schemathesis.toml plus the fuzzing phase's examples per operation.

    Not `--max-examples` on the command line: that would also cap each stateful suite.
    """
    config = directory / "schemathesis.toml"
    config.write_text(
        (HERE / "schemathesis.toml").read_text()
        + f"\n[phases.fuzzing.generation]\nmax-examples = {max_examples}\n"
    )
    return config


def fuzz(
    base_url: str, fixtures: Path, token: str | None, config: Path, phases: list[str], *options: str
) -> int:
    """One `st run`; hooks.py appends what each response reached to `fixtures`' .reach file."""
    auth = ["--header", f"Authorization: Bearer {token}"] if token else []
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(config),
        "run",
        str(CONTRACT),
        "--url",
        base_url,
        *auth,
        "--phases",
        ",".join(phases),
        "--checks",
        "all",
        "--seed",
        "20261125",
        "--generation-database",
        "none",
        # One worker thread: with two, CPython 3.11's ast module (used by Hypothesis to describe
        # strategies) can race between threads ("AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        *options,
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HERE / "hooks.py"),
        "CONTRACT_FIXTURES": str(fixtures),
        "CONTRACT_REACH": str(fixtures.with_suffix(".reach")),
    }
    return subprocess.call(command, cwd=ROOT, env=env)


def typescript_client_test(base_url: str) -> int:
    """The TypeScript client's Node test (tsc strict, the build, then the journeys) on this server."""
    if not (TS_CLIENT / "node_modules" / ".package-lock.json").exists():
        subprocess.check_call(["npm", "ci", "--no-audit", "--no-fund"], cwd=TS_CLIENT)
    env = {**os.environ, "SILVERSTAR_API_URL": base_url}
    return subprocess.call(["npm", "test", "--silent"], cwd=TS_CLIENT, env=env)


def reach_is_complete(directory: Path, roles: list[str]) -> bool:
    """Print how far each operation was reached per role; False if one a role may call never was."""
    records = {role: reach.read(directory / f"{role}.reach") for role in roles}
    table, problems = reach.report(CONTRACT, records)
    print("\n=== reach: requests past the door, per operation and role ===", flush=True)
    print(table)
    for problem in problems:
        print(f"  ✗ {problem}")
    stateful = {
        role: reach.links_followed(directory / f"{role}.ndjson")
        for role in roles
        if "stateful" in PHASES[role]
    }
    print("\n=== links the stateful phase followed ===", flush=True)
    print(reach.link_report(CONTRACT, stateful))
    return not problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated, of: " + ", ".join(ROLES))
    parser.add_argument(
        "--seconds-per-link",
        type=float,
        default=1.5,
        help="each role's stateful phase lasts this long per link it could follow",
    )
    parser.add_argument("--phases", default=None, help="run only these of each role's phases")
    parser.add_argument("--no-client", action="store_true", help="skip the TypeScript client's test")
    args = parser.parse_args()
    roles = [role for role in args.roles.split(",") if role]
    twilio = test_twilio_account()
    database_url = asyncio.run(prepare_database())
    try:
        with (
            recording_server() as recordings,
            served(database_url, twilio, recordings) as server,
            tempfile.TemporaryDirectory() as tmp,
        ):
            seeded = seed(server.base_url, twilio, recordings)
            config = write_config(Path(tmp), args.max_examples)
            failures = 0
            # First: the client's journeys log in as the demo users, whom the admin's run may change.
            if not args.no_client:
                print("\n=== TypeScript client (clients/typescript) ===", flush=True)
                with served(
                    database_url, access_token_ttl_seconds=CLIENT_ACCESS_TOKEN_TTL_SECONDS
                ) as client_server:
                    failures += typescript_client_test(client_server.base_url) != 0
            for role in roles:
                fixtures = Path(tmp) / f"{role}.json"
                fixtures.write_text(
                    json.dumps(fixtures_for(role, seeded, server.base_url, twilio, recordings))
                )
                phases = [p for p in PHASES[role] if args.phases is None or p in args.phases.split(",")]
                unit_phases = [p for p in phases if p != "stateful"]
                role_token = seeded.tokens.get(role)
                # The session-ending operations would sign the run out: they run last, alone.
                keep_session = [arg for op in SESSION_ENDING for arg in ("--exclude-operation-id", op)]
                if unit_phases:
                    print(f"\n=== schemathesis as {role}: {', '.join(unit_phases)} ===", flush=True)
                    failures += (
                        fuzz(server.base_url, fixtures, role_token, config, unit_phases, *keep_session) != 0
                    )
                if "stateful" in phases:
                    # A time budget, not a count: a suite of scenarios ends early (Hypothesis stops
                    # drawing when scenarios repeat) and schemathesis starts new ones until it's spent.
                    # In proportion to the links the role could follow, as the contract's links grow.
                    seconds = round(args.seconds_per_link * len(reach.contract_links(CONTRACT, role)))
                    print(f"\n=== schemathesis as {role}: stateful ({seconds} s) ===", flush=True)
                    options = [
                        "--max-time",
                        str(seconds),
                        "--report",
                        "ndjson",
                        "--report-ndjson-path",
                        str(fixtures.with_suffix(".ndjson")),
                        *keep_session,
                    ]
                    failures += (
                        fuzz(server.base_url, fixtures, role_token, config, ["stateful"], *options) != 0
                    )
                for operation in SESSION_ENDING if unit_phases else ():
                    print(f"\n=== schemathesis as {role}: {operation} ===", flush=True)
                    own = (
                        token(server.base_url, seeded.users[role]["email"]) if role in seeded.users else None
                    )
                    only = ("--include-operation-id", operation)
                    failures += fuzz(server.base_url, fixtures, own, config, unit_phases, *only) != 0
            # A part of the run (--phases) reaches less: its table is for reading only.
            complete = reach_is_complete(Path(tmp), roles)
            failures += not complete and args.phases is None
            if os.environ.get("CONTRACT_KEEP"):
                shutil.copytree(tmp, os.environ["CONTRACT_KEEP"], dirs_exist_ok=True)
            return 1 if failures else 0
    finally:
        asyncio.run(run_on_server(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


if __name__ == "__main__":
    sys.exit(main())
