"""The app factory: generated routes wired to hand-written handlers, plus the platform around them."""

from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import email_validator
import fastapi_offline
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp

from generated.routes import add_routes
from handlers import ai, appointments, audit, auth, catalog, documents, health, integrations, users, webhooks
from handlers.context import Runtime
from kernel.observability import RequestIdMiddleware, ResponseObserver, log_access
from kernel.settings import Settings, get_settings
from silverstar.bootstrap import open_runtime
from silverstar.context import request_context
from silverstar.contract import load_contract
from silverstar.metrics import METRICS_PATH, metrics_endpoint, record_request
from silverstar.problems import FrameworkTooLargeAsProblem, install_problem_handlers

_DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
# Room for the multipart framing around an uploaded file (boundaries, part headers, the title).
MULTIPART_OVERHEAD = 64 * 1024

# `format: email` fields validate syntax only: clinics use internal domains (.local, .test)
# that email-validator would otherwise reject as special-use.
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()


class _SilverStarAPI(FastAPI):
    """FastAPI with one layer outside its body limiter, which answers some 413s itself in text."""

    def build_middleware_stack(self) -> ASGIApp:
        return FrameworkTooLargeAsProblem(super().build_middleware_stack(), self.max_body_size)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """With no runtime given, the app opens its own (servers, migrations) at start-up."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            yield
            return
        async with open_runtime(settings) as opened:
            app.state.runtime = opened
            yield

    app = _SilverStarAPI(
        title="SilverStar API",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # Request spans, following the tracer provider kernel/telemetry.py installs (none: off).
        # Its OTel metrics and logs stay off: metrics are Prometheus (/metrics), logs are ours.
        telemetry={"metrics": False, "logs": False, "auto_configure": False, "exclude": _untraced},
        # Every body, an upload's included, is refused (413) once it passes this, while it streams in.
        max_body_size=settings.max_upload_bytes + MULTIPART_OVERHEAD,
    )
    if runtime is not None:
        app.state.runtime = runtime
    install_problem_handlers(app)
    add_routes(
        app.router,
        context=request_context,
        auth=auth.AuthHandlers(),
        users=users.UsersHandlers(),
        catalog=catalog.CatalogHandlers(),
        appointments=appointments.AppointmentsHandlers(),
        documents=documents.DocumentsHandlers(),
        ai=ai.AiHandlers(),
        integrations=integrations.IntegrationsHandlers(),
        webhooks=webhooks.WebhooksHandlers(),
        health=health.HealthHandlers(),
        audit=audit.AuditHandlers(),
    )
    _serve_contract_and_docs(app)
    app.add_api_route(METRICS_PATH, metrics_endpoint, methods=["GET"], include_in_schema=False)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Location"],
        )
    app.add_middleware(ResponseObserver, listeners=(record_request, log_access))
    app.add_middleware(RequestIdMiddleware)
    return app


def _untraced(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") == METRICS_PATH


def _serve_contract_and_docs(app: FastAPI) -> None:
    """The contract file itself is the served schema, so clients and fuzzers see no re-derived copy."""
    app.mount("/docs-assets", StaticFiles(directory=_DOCS_ASSETS), name="docs-assets")

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        return JSONResponse(load_contract())

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="SilverStar API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="SilverStar API",
            redoc_js_url="/docs-assets/redoc.standalone.js",
            redoc_favicon_url="/docs-assets/favicon.png",
            with_google_fonts=False,
        )
