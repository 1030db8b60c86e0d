"""`silverstar` commands: run (API + supervised workers, with a demo clinic), migrate, create-admin,
seed-demo, reindex (re-embed the documents after a change of embedding model; with --all, read
them all again), worker-health, jobs and requeue-jobs (the job queues), stop-servers and reset
(the embedded servers), audit verify|purge."""

import argparse
import asyncio
import ctypes
import functools
import getpass
import os
import shutil
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import uvicorn
from redis import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.embedded_servers import resolve_database_url, resolve_redis_url, stop_embedded_servers
from adapters.job_queue import DramatiqJobSender
from kernel.metrics import record_in_directory
from kernel.settings import Settings, get_settings
from persistence.db import create_engine, create_session_factory
from persistence.migrate import upgrade_head
from persistence.models import User, UserRole
from services.accounts import AccountService, NewUser
from services.demo_clinic import DemoClinic, DemoLogin, seed_demo_clinic
from services.jobs import ACTOR_QUEUES, JobBuffer
from services.outside_world import OutsideWorld
from services.worker_health import WORKER_QUEUES, fresh_workers
from silverstar.jobs_command import add_jobs_commands
from silverstar.serving import UVICORN_OPTIONS
from workers.broker import build_broker
from workers.processes import supervise_workers

T = TypeVar("T")


def _job_sender(settings: Settings) -> DramatiqJobSender:
    return DramatiqJobSender(functools.partial(build_broker, settings), ACTOR_QUEUES)


async def _in_transaction(action: Callable[[AsyncSession, JobBuffer], Awaitable[T]]) -> T:
    """`action` in one transaction; the jobs it queued are sent once that committed (as a request's)."""
    settings = get_settings()
    engine = create_engine(resolve_database_url(settings))
    jobs = JobBuffer()
    try:
        async with create_session_factory(engine).begin() as session:
            result = await action(session, jobs)
    finally:
        await engine.dispose()
    if jobs.pending:
        await asyncio.to_thread(jobs.send_to, _job_sender(settings))
    return result


def _migrate() -> None:
    upgrade_head(resolve_database_url(get_settings()))


def _print_logins(logins: list[DemoLogin]) -> None:
    print("\nDemo clinic logins:")
    for login in logins:
        print(f"  {login.role:<8} {login.email:<28} {login.password}")
    print()


def _seed_demo() -> None:
    """Seeds the demo clinic; its handbook's ingestion is queued like any upload's, for a worker."""
    settings = get_settings()
    world = OutsideWorld(settings)

    async def seed(session: AsyncSession, jobs: JobBuffer) -> DemoClinic:
        return await seed_demo_clinic(session, world, jobs)

    clinic = asyncio.run(_in_transaction(seed))
    _print_logins(clinic.logins)


def _stop_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` giving each worker SIGTERM when `silverstar run` dies: uvicorn re-raises
    the signal that stopped it, so no `finally` of ours would run to stop the workers. (Linux
    ties this to the thread that started the child: the supervisor's, which lives as long as
    the command.) libc is loaded here, in the parent: the child runs no loader between fork
    and exec while other threads may hold its locks."""
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    pr_set_pdeathsig = 1

    def set_parent_death_signal() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return set_parent_death_signal


def cmd_run(args: argparse.Namespace) -> None:
    settings = get_settings()
    _migrate()
    if not args.no_demo:
        _seed_demo()
    # The API's /metrics adds up the workers' metrics too: every process records under one folder.
    record_in_directory(settings.data_dir / "metrics")
    # The worker and the API find the same servers: pin them for the child process.
    env = {
        **os.environ,
        "DATABASE_URL": resolve_database_url(settings),
        "REDIS_URL": resolve_redis_url(settings),
    }
    # One worker process per queue, restarted (with backoff) whenever one dies.
    supervisor = supervise_workers(env=env, preexec_fn=_stop_with_parent())
    os.environ.update(env)
    try:
        uvicorn.run("silverstar.main:app", host=args.host, port=args.port, log_config=None, **UVICORN_OPTIONS)
    finally:
        supervisor.stop()


def cmd_worker_health(args: argparse.Namespace) -> None:
    """Exit 0 when a worker of this host consumes the queue and its heartbeat is fresh (compose's check)."""
    settings = get_settings()
    with Redis.from_url(resolve_redis_url(settings), socket_timeout=3, socket_connect_timeout=3) as redis:
        workers = fresh_workers(redis, settings.redis_key_prefix, args.queue)
    host = socket.gethostname()
    local = [worker for worker in workers if worker.rpartition(":")[0] == host]
    if not local:
        print(f"no live worker on queue {args.queue!r} on {host}", file=sys.stderr)
        sys.exit(1)
    print(f"queue {args.queue!r}: live workers {', '.join(local)}")


def cmd_create_admin(args: argparse.Namespace) -> None:
    _migrate()
    password = os.environ.get("SILVERSTAR_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    settings = get_settings()

    async def create(session: AsyncSession, jobs: JobBuffer) -> User:
        service = AccountService(session, password_min_length=settings.password_min_length)
        return await service.create(NewUser(args.email, password, args.name, role=UserRole.admin))

    user = asyncio.run(_in_transaction(create))
    print(f"Created admin {user.email} ({user.id}).")


def cmd_seed_demo(args: argparse.Namespace) -> None:
    _migrate()
    _seed_demo()


def cmd_reindex(args: argparse.Namespace) -> None:
    from services.ingestion import reindex_all

    settings = get_settings()
    world = OutsideWorld(settings)

    async def reindex() -> int:
        engine = create_engine(resolve_database_url(settings))
        try:
            return await reindex_all(
                create_session_factory(engine),
                storage=world.storage,
                embedder=world.embedder,
                store=world.vector_store,
                settings=settings,
                every=args.all,
            )
        finally:
            await engine.dispose()

    _migrate()
    print(f"Re-embedded {asyncio.run(reindex())} documents.")


def cmd_stop_servers(args: argparse.Namespace) -> None:
    """Stops the embedded PostgreSQL and Redis of DATA_DIR (as their owner: pg_ctl refuses root)."""
    stopped = stop_embedded_servers(get_settings().data_dir)
    print(f"Stopped: {', '.join(stopped)}." if stopped else "No embedded server was running.")


# What `reset` deletes under DATA_DIR: the embedded databases and the uploaded files (not the
# prepared Whisper model, nor the development secrets).
RESET_PATHS = ("postgres", "redis", "documents")


def cmd_reset(args: argparse.Namespace) -> None:
    settings = get_settings()
    if not args.yes:
        print(f"This deletes the embedded database, Redis and uploaded documents under {settings.data_dir}.")
        if input("Type 'reset' to go on: ").strip() != "reset":
            sys.exit(1)
    cmd_stop_servers(args)
    for name in RESET_PATHS:
        shutil.rmtree(settings.data_dir / name, ignore_errors=True)
    print(f"Reset {settings.data_dir}; `make run` starts afresh.")


def cmd_audit(args: argparse.Namespace) -> None:
    """`audit verify`: exit 1 at the first broken link; `audit purge`: apply AUDIT_RETENTION_DAYS."""
    from services.audit_chain import describe, purge_expired, verify_chains

    _migrate()
    if args.action == "verify":
        report = asyncio.run(_in_transaction(lambda session, _jobs: verify_chains(session)))
        print(describe(report))
        sys.exit(1 if report.broken else 0)
    days = get_settings().audit_retention_days
    purged = asyncio.run(_in_transaction(lambda session, _jobs: purge_expired(session, days)))
    print(f"Purged {purged} audit events older than {days} days.")


def main(argv: list[str] | None = None) -> None:
    from kernel.observability import configure_logging

    configure_logging(get_settings().log_level)
    parser = argparse.ArgumentParser(prog="silverstar")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="migrate, seed the demo clinic, serve the API with its workers")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--no-demo", action="store_true")
    run.set_defaults(func=cmd_run)
    health = commands.add_parser(
        "worker-health", help="exit 0 when this host's worker on QUEUE sends fresh heartbeats"
    )
    health.add_argument("queue", choices=WORKER_QUEUES)
    health.set_defaults(func=cmd_worker_health)
    commands.add_parser("migrate", help="alembic upgrade head").set_defaults(func=lambda a: _migrate())
    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("email")
    admin.add_argument("--name", default="Administrator")
    admin.set_defaults(func=cmd_create_admin)
    commands.add_parser("seed-demo", help="create the demo clinic").set_defaults(func=cmd_seed_demo)
    reindex = commands.add_parser(
        "reindex", help="re-embed every ready document made with another embedding model"
    )
    reindex.add_argument(
        "--all",
        action="store_true",
        help="every ready document: read and embed it again (after an upgrade that reads PDFs better)",
    )
    reindex.set_defaults(func=cmd_reindex)
    add_jobs_commands(commands)
    commands.add_parser(
        "stop-servers", help="stop the embedded PostgreSQL and Redis (works as root)"
    ).set_defaults(func=cmd_stop_servers)
    reset = commands.add_parser(
        "reset", help="stop the embedded servers and delete their data and the uploaded documents"
    )
    reset.add_argument("--yes", action="store_true", help="do not ask")
    reset.set_defaults(func=cmd_reset)
    audit = commands.add_parser("audit", help="check the audit trail's hash chains, or purge expired events")
    audit.add_argument("action", choices=("verify", "purge"))
    audit.set_defaults(func=cmd_audit)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
