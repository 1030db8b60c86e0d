"""`silverstar jobs` (what waits in the job queues, what died and why) and `requeue-jobs`.

Reads the same Redis and namespace (REDIS_KEY_PREFIX) as the workers. A job that failed with
no retry left stays in its queue's dead letters for JOB_DEAD_LETTER_TTL_DAYS (7 by default).
"""

import argparse
import functools
from collections.abc import Callable

from dramatiq.brokers.redis import RedisBroker

from adapters.queued_jobs import QueuedJob, list_jobs, requeue_dead
from kernel.settings import get_settings
from services.worker_health import WORKER_QUEUES
from workers.broker import build_broker


def _error_summary(error: str | None, full: bool) -> str | None:
    if not error:
        return None
    lines = error.rstrip().splitlines()
    return "\n".join(lines) if full else lines[-1]


def describe(job: QueuedJob, *, tracebacks: bool = False) -> str:
    args = ", ".join(repr(arg) for arg in job.args)
    line = (
        f"{job.queue:<10} {job.state:<8} {job.actor_name}({args})  "
        f"enqueued {job.enqueued_at:%Y-%m-%d %H:%M:%S}Z  retries {job.retries}  id {job.redis_id}"
    )
    if job.at is not None:
        line += f"  {'due' if job.state == 'delayed' else 'died'} {job.at:%Y-%m-%d %H:%M:%S}Z"
    error = _error_summary(job.error, tracebacks)
    if error:
        line += "\n" + "\n".join(f"    {text}" for text in error.splitlines())
    return line


def _queues(args: argparse.Namespace) -> tuple[str, ...]:
    return (args.queue,) if args.queue else WORKER_QUEUES


def cmd_list(args: argparse.Namespace, broker: RedisBroker) -> None:
    settings = get_settings()
    kept = settings.job_dead_letter_ttl_days
    print(f"Jobs in Redis under {broker.namespace!r} (dead letters are kept {kept} days):")
    shown = 0
    for queue in _queues(args):
        for job in list_jobs(broker, queue):
            if args.state and job.state != args.state:
                continue
            print(describe(job, tracebacks=args.tracebacks))
            shown += 1
    print(f"{shown} job(s).")


def cmd_requeue(args: argparse.Namespace, broker: RedisBroker) -> None:
    count = 0
    for queue in _queues(args):
        for job in requeue_dead(broker, queue, args.ids or None):
            print(f"re-queued {describe(job)}")
            count += 1
    print(f"{count} dead job(s) re-queued.")


def add_jobs_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    jobs = commands.add_parser("jobs", help="list the queued, delayed and dead jobs, with their errors")
    jobs.add_argument("--queue", choices=WORKER_QUEUES, help="one queue (default: all)")
    jobs.add_argument("--state", choices=("queued", "running", "delayed", "dead"))
    jobs.add_argument("--tracebacks", action="store_true", help="whole tracebacks, not their last line")
    jobs.set_defaults(func=_with_broker(cmd_list))
    requeue = commands.add_parser("requeue-jobs", help="put dead jobs back on their queue as fresh attempts")
    requeue.add_argument("ids", nargs="*", help="ids shown by `silverstar jobs` (default: all dead)")
    requeue.add_argument("--queue", choices=WORKER_QUEUES, help="one queue (default: all)")
    requeue.set_defaults(func=_with_broker(cmd_requeue))


def _with_broker(
    command: Callable[[argparse.Namespace, RedisBroker], None],
) -> Callable[[argparse.Namespace], None]:
    @functools.wraps(command)
    def run(args: argparse.Namespace) -> None:
        broker = build_broker(get_settings())
        try:
            command(args, broker)
        finally:
            broker.client.close()

    return run
