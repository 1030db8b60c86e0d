"""Run the Alembic migrations from code (the app at startup, the tests)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from alembic import command
from alembic.config import Config

from kernel.settings import PROJECT_ROOT


def alembic_config(url: str) -> Config:
    """The project's Alembic configuration, pointed at url, without touching logging."""
    config = Config()  # no ini file: env.py then leaves the caller's logging alone
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser escaping
    return config


def upgrade_head(url: str) -> None:
    """``alembic upgrade head``, blocking; prefer ``run_migrations`` in async code."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(alembic_config(url), "head")
        return
    # env.py runs its own event loop, which a thread already running one can't start.
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(command.upgrade, alembic_config(url), "head").result()


async def run_migrations(url: str) -> None:
    """``alembic upgrade head`` from async code, in a worker thread with its own event loop."""
    await asyncio.to_thread(upgrade_head, url)
