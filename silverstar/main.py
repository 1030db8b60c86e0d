"""The ASGI entry point: `uvicorn silverstar.main:app`."""

from kernel.observability import configure_logging
from kernel.settings import get_settings
from kernel.telemetry import configure_tracing
from silverstar.app import create_app

settings = get_settings()
configure_logging(settings.log_level)
configure_tracing(settings)
app = create_app(settings)
