"""How uvicorn serves the app (`silverstar run`, the Dockerfile, the benchmarks and tests).

uvicorn's own proxy handling is off: by default it believes X-Forwarded-For from loopback,
so anyone behind a same-host proxy could pick the address the per-IP throttles count.
The app reads forwarded headers itself, only from TRUSTED_PROXIES (RequestContext.client_ip).
"""

from typing import Any

UVICORN_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False}
