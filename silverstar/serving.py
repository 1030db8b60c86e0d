"""How uvicorn serves the app (`silverstar run`, the Dockerfile, the benchmarks and tests).

uvicorn's own proxy handling is off: by default it believes X-Forwarded-For from loopback,
so anyone behind a same-host proxy could pick the address the per-IP throttles count.
The app reads forwarded headers itself, only from TRUSTED_PROXIES (RequestContext.client_ip).
uvicorn's access log is off too: the app writes its own access line (JSON, with method, path,
route, status, duration_ms and the request id; kernel/observability.py). Callers pass
`log_config=None`; started by uvicorn's own CLI (the image), `silverstar.main` re-routes
uvicorn's loggers to the app's one JSON handler anyway.
"""

from typing import Any

UVICORN_OPTIONS: dict[str, Any] = {
    "proxy_headers": False,
    "server_header": False,
    "access_log": False,
}
