"""The ASGI entry point: `uvicorn silverstar.main:app`."""

from silverstar.app import create_app
from silverstar.observability import configure_logging
from silverstar.settings import get_settings

configure_logging()
app = create_app(get_settings())
