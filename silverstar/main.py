"""The ASGI entry point: `uvicorn silverstar.main:app`."""

from kernel.observability import configure_logging
from kernel.settings import get_settings
from silverstar.app import create_app

configure_logging()
app = create_app(get_settings())
