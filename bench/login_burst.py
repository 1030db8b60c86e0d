"""Login burst benchmark: does a flood of sign-ins stall the API?

Against the app served by uvicorn on loopback (one worker, as `silverstar run` starts it)
over a fresh database `silverstar_bench_login` holding the demo clinic:

- a quiet baseline: GET /health sampled one request at a time;
- a control: 40 concurrent GET /health (what 40 requests arriving at once cost by themselves);
- 40 concurrent wrong-password logins for one account, from one address;
- 40 more for another account, each with its own X-Forwarded-For (not trusted from loopback);
- 40 concurrent registrations from one address;

while GET /health is sampled the same way. Printed: the statuses of each burst (expected
only 401/429, resp. 201/429), its duration, and /health p50/max during it against the
baseline of the same run (ratio). Target: /health under 100 ms during the bursts.

Then, on a second server with the throttles raised out of the way, whether an answer's
timing tells that an account exists: requests one at a time, interleaved, a wrong password
for an existing account against an email without one (both 401), and a registration with
a taken email (409) against a new one (201). Printed: the statuses and median times, and
their ratio (near 1: the timing tells nothing; the report found 8 ms against 444 ms).

    .venv/bin/python bench/login_burst.py [--baseline-seconds 3] [--timing-rounds 12]

Figures are printed, never asserted; the machine's other load shows in them.
"""

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.embedded_servers import resolve_redis_url  # noqa: E402
from bench.common import load_contract_runner  # noqa: E402
from kernel.settings import get_settings  # noqa: E402
from services.demo_clinic import DEMO_PASSWORD  # noqa: E402

DATABASE = "silverstar_bench_login"
BURST = 40
TARGET_MS = 100.0
PATIENT = "patient@silverstar.test"
DOCTOR = "dr.meyer@silverstar.test"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def sample_health(client: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    """Latencies (ms) of GET /health, one after another, until `stop` is set."""
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        response = await client.get("/health")
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        await asyncio.sleep(0.01)
    return latencies


async def during(
    base_url: str, burst: Callable[[httpx.AsyncClient], Awaitable[list[int]]]
) -> tuple[Counter[int], float, list[float]]:
    limits = httpx.Limits(max_connections=BURST + 5)
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client,
        httpx.AsyncClient(base_url=base_url, timeout=120) as prober,
    ):
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_health(prober, stop))
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        statuses = await burst(client)
        elapsed = time.perf_counter() - started
        stop.set()
        return Counter(statuses), elapsed, await sampler


def wrong_logins(email: str, rotate_addresses: bool) -> Callable[[httpx.AsyncClient], Awaitable[list[int]]]:
    async def burst(client: httpx.AsyncClient) -> list[int]:
        async def attempt(i: int) -> int:
            headers = {"X-Forwarded-For": f"203.0.113.{i}"} if rotate_addresses else {}
            body = {"email": email, "password": f"not-the-password-{i}"}
            return (await client.post("/auth/login", json=body, headers=headers)).status_code

        return list(await asyncio.gather(*(attempt(i) for i in range(BURST))))

    return burst


async def plain_requests(client: httpx.AsyncClient) -> list[int]:
    """The control: as many requests at once that do no work, to tell the cost of the burst's
    arrival on one event loop from the cost of the logins."""
    return [r.status_code for r in await asyncio.gather(*(client.get("/health") for _ in range(BURST)))]


async def registrations(client: httpx.AsyncClient) -> list[int]:
    async def register(i: int) -> int:
        body = {"email": f"burst-{i}@example.com", "password": "quiet-harbour-lantern", "name": f"Burst {i}"}
        return (await client.post("/auth/register", json=body)).status_code

    return list(await asyncio.gather(*(register(i) for i in range(BURST))))


async def existence_timing(base_url: str, rounds: int) -> None:
    """Median time of answers for existing and unknown accounts, requested alternately."""
    times: dict[str, list[float]] = {name: [] for name in ("known", "unknown", "taken", "new")}
    statuses: dict[str, Counter[int]] = {name: Counter() for name in times}
    strong = "quiet-harbour-lantern"
    requests: dict[str, tuple[str, Callable[[int], dict[str, str]]]] = {
        "known": ("/auth/login", lambda i: {"email": PATIENT, "password": f"not-the-password-{i}"}),
        "unknown": ("/auth/login", lambda i: {"email": f"nobody-{i}@example.com", "password": f"nope-{i}"}),
        "taken": ("/auth/register", lambda i: {"email": PATIENT, "password": strong, "name": "Taken"}),
        "new": (
            "/auth/register",
            lambda i: {"email": f"timing-{os.getpid()}-{i}@example.com", "password": strong, "name": "New"},
        ),
    }
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        for i in range(rounds):
            for name, (path, body) in requests.items():
                started = time.perf_counter()
                response = await client.post(path, json=body(i))
                times[name].append((time.perf_counter() - started) * 1000)
                statuses[name][response.status_code] += 1
    for pair, (left, right) in {"login": ("known", "unknown"), "registration": ("taken", "new")}.items():
        shown = {
            name: ", ".join(f"{n} × {s}" for s, n in sorted(statuses[name].items())) for name in (left, right)
        }
        a, b = percentile(times[left], 0.5), percentile(times[right], 0.5)
        print(
            f"{pair}: {left} ({shown[left]}) median {a:.0f} ms, {right} ({shown[right]}) median {b:.0f} ms; "
            f"ratio {a / b:.2f}"
        )


async def baseline(base_url: str, seconds: float) -> list[float]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as prober:
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_health(prober, stop))
        await asyncio.sleep(seconds)
        stop.set()
        return await sampler


def report(
    name: str, statuses: Counter[int], elapsed: float, health: list[float], quiet: list[float]
) -> None:
    p50, worst = percentile(health, 0.5), max(health)
    quiet_p50, quiet_max = percentile(quiet, 0.5), max(quiet)
    shown = ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items()))
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(f"{name}: {shown}; burst took {elapsed:.2f} s")
    print(
        f"  /health during it: {len(health)} samples, p50 {p50:.1f} ms ({p50 / quiet_p50:.1f}× baseline), "
        f"max {worst:.1f} ms ({worst / quiet_max:.1f}× baseline max); max < {TARGET_MS:g} ms: {verdict}"
    )


@contextmanager
def served(contract: ModuleType, database_url: str, **settings: str) -> Iterator[str]:
    """uvicorn as `silverstar run` starts it (silverstar/serving.py), default throttles unless
    `settings` (environment variables) say otherwise; its base URL."""
    port = contract.free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": resolve_redis_url(get_settings()),
        # Fresh counters per run: a rerun within the throttle windows starts from zero.
        "REDIS_KEY_PREFIX": f"bench-login-{os.getpid()}:",
        "ENVIRONMENT": "test",
        "JWT_SECRET": secrets.token_urlsafe(48),
        "LOG_LEVEL": "WARNING",  # no access line per request among the figures
    }
    for name in ("LOGIN_MAX_FAILURES", "REGISTRATION_MAX_PER_IP", "TRUSTED_PROXIES"):
        env.pop(name, None)
    env.update(settings)
    serve = (
        "import uvicorn; from silverstar.serving import UVICORN_OPTIONS; "
        f"uvicorn.run('silverstar.main:app', host='127.0.0.1', port={port}, log_level='warning', "
        "**UVICORN_OPTIONS)"
    )
    process = subprocess.Popen([sys.executable, "-c", serve], cwd=ROOT, env=env)
    try:
        base_url = f"http://127.0.0.1:{port}"
        contract.wait_until_ready(base_url)
        # The server loads the embedding model in the background at start-up (seconds of CPU):
        # one question waits for it, so no measurement overlaps the load.
        login = {"email": PATIENT, "password": DEMO_PASSWORD}
        token = httpx.post(f"{base_url}/auth/login", json=login, timeout=60).json()["access_token"]
        warm = httpx.post(
            f"{base_url}/ai/chat",
            json={"message": "Opening hours?"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=180,
        )
        print(f"server: uvicorn pid {process.pid} on {base_url}, 1 worker; warm-up chat {warm.status_code}\n")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-seconds", type=float, default=3.0)
    parser.add_argument("--timing-rounds", type=int, default=12)
    args = parser.parse_args()
    contract = load_contract_runner()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  (cores: {os.cpu_count()})")
    url = asyncio.run(contract.prepare_database(DATABASE))
    with served(contract, url) as base_url:
        quiet = asyncio.run(baseline(base_url, args.baseline_seconds))
        print(
            f"quiet baseline: {len(quiet)} samples of /health, p50 {percentile(quiet, 0.5):.1f} ms, "
            f"max {max(quiet):.1f} ms\n"
        )
        bursts = [
            (f"{BURST} concurrent GET /health (control)", plain_requests),
            (f"{BURST} wrong logins for one account, one address", wrong_logins(PATIENT, False)),
            (f"{BURST} wrong logins for another, rotating X-Forwarded-For", wrong_logins(DOCTOR, True)),
            (f"{BURST} registrations from one address", registrations),
        ]
        for name, burst in bursts:
            statuses, elapsed, health = asyncio.run(during(base_url, burst))
            report(name, statuses, elapsed, health, quiet)
    print("\naccount existence by timing (throttles raised, one request at a time):")
    raised = {"LOGIN_MAX_FAILURES": "100000", "REGISTRATION_MAX_PER_IP": "100000"}
    with served(contract, url, **raised) as base_url:
        asyncio.run(existence_timing(base_url, args.timing_rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
