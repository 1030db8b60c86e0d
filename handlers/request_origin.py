"""Where a request came from and which public address it was sent to, read through trusted proxies only."""

import ipaddress

from fastapi import Request

from kernel.settings import Settings


def public_base_url(request: Request, settings: Settings) -> str:
    """The origin Twilio reaches us at: PUBLIC_BASE_URL, else what the request (or a trusted proxy) says."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    scheme, host = request.url.scheme, request.headers.get("host", request.url.netloc)
    if _from_trusted_proxy(request, settings.trusted_proxies):
        scheme = _first(request.headers.get("x-forwarded-proto")) or scheme
        host = _first(request.headers.get("x-forwarded-host")) or host
    return f"{scheme}://{host}"


def public_request_url(request: Request, settings: Settings) -> str:
    """The exact URL Twilio called and signed: the public base, then the raw path and query."""
    url = public_base_url(request, settings) + request.scope.get("raw_path", b"").decode("latin-1")
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{url}?{query}" if query else url


def client_ip(request: Request, trusted: list[str]) -> str:
    """The nearest address on the forwarded chain that is not one of our proxies.

    Each trusted proxy appends the address it saw, so the chain is read from the right; a
    value a client wrote itself sits left of the first untrusted address and is never used.
    """
    peer = request.client.host if request.client else "unknown"
    if not _is_trusted(peer, trusted):
        return peer
    forwarded = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([hop for hop in forwarded if hop]):
        if not _is_trusted(hop, trusted):
            return hop
        peer = hop
    return peer


def _first(header: str | None) -> str:
    return (header or "").split(",")[0].strip()


def _from_trusted_proxy(request: Request, trusted: list[str]) -> bool:
    return request.client is not None and _is_trusted(request.client.host, trusted)


def _is_trusted(address: str, trusted: list[str]) -> bool:
    if not trusted:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in trusted)
