"""Fetching a caller's recording from Twilio, and nothing else.

The URL comes in a webhook, so its origin (scheme, host and port) is checked against the
configured media hosts before any request, and so is every redirect's (no fetching of arbitrary
URLs: SSRF); plain http is allowed only to a loopback host (tests). The download is bounded in
size and time, authenticated with the account SID and auth token, and a 404 is retried briefly:
Twilio may call the action before the file exists.
"""

import asyncio
import ipaddress
import logging
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

log = logging.getLogger(__name__)

MAX_REDIRECTS = 3
NOT_READY_DELAYS = (0.25, 0.5, 1.0, 1.0, 1.5)


class RecordingUnavailable(Exception):
    """The recording could not be fetched (refused URL, not found, too big, too slow, network)."""


@dataclass(frozen=True)
class MediaPolicy:
    allowed_hosts: tuple[str, ...]
    max_bytes: int
    timeout_seconds: float


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


DEFAULT_PORTS = {"https": 443, "http": 80}


def media_origin(entry: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a TWILIO_MEDIA_HOSTS entry: `host`, `host:port` or
    `scheme://host[:port]`; https and its port 443 unless said otherwise."""
    parts = urlsplit(entry if "://" in entry else f"https://{entry}")
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not a media host: {entry!r}")
    return scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[scheme]


def _origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, or None when it has none."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def check_recording_url(url: str, allowed_hosts: tuple[str, ...] | list[str]) -> str | None:
    """Why `url` may not be fetched, or None when it may.

    The URL's scheme, host and port must be exactly those of an allowed entry: the account's
    credentials go only there (not to another port of the same host)."""
    origin = _origin_of(url)
    if origin is None:
        return "not an http(s) URL"
    scheme, host, port = origin
    if scheme != "https" and not _is_loopback(host):
        return "only https is allowed"
    if origin not in {media_origin(h) for h in allowed_hosts}:
        return f"{scheme}://{host}:{port} is not a Twilio media host"
    if urlsplit(url).username or urlsplit(url).password:
        return "credentials in the URL are not allowed"
    return None


def wav_url(recording_url: str) -> str:
    """Twilio serves a recording as WAV (8 kHz mono for a call) at its URL plus `.wav`."""
    path = urlsplit(recording_url).path
    return recording_url if path.endswith(".wav") else recording_url.split("?")[0] + ".wav"


async def fetch_recording(
    recording_url: str, *, account_sid: str, auth_token: str, policy: MediaPolicy
) -> bytes:
    """The recording's WAV bytes; raises RecordingUnavailable."""
    refusal = check_recording_url(recording_url, policy.allowed_hosts)
    if refusal:
        raise RecordingUnavailable(f"refused recording URL: {refusal}")
    deadline = time.monotonic() + policy.timeout_seconds
    try:
        async with asyncio.timeout(policy.timeout_seconds):
            async with httpx.AsyncClient(
                timeout=httpx.Timeout(policy.timeout_seconds, connect=min(3.0, policy.timeout_seconds)),
                follow_redirects=False,
            ) as client:
                for delay in (*NOT_READY_DELAYS, None):
                    data = await _download(client, wav_url(recording_url), (account_sid, auth_token), policy)
                    if data is not None:
                        return data
                    if delay is None or time.monotonic() + delay >= deadline:
                        break
                    log.info("recording %s not there yet; retrying in %.2f s", recording_url, delay)
                    await asyncio.sleep(delay)
    except TimeoutError as error:
        raise RecordingUnavailable("the recording download timed out") from error
    except httpx.HTTPError as error:
        raise RecordingUnavailable(f"the recording download failed: {error!r}") from error
    raise RecordingUnavailable("the recording was not found")


async def _download(
    client: httpx.AsyncClient, url: str, credentials: tuple[str, str], policy: MediaPolicy
) -> bytes | None:
    """The body, or None on 404. Follows Twilio's redirects by hand, only to allowed media hosts;
    the credentials go to the recording's own origin, never to a redirect's other origin."""
    origin = _origin_of(url)
    for _ in range(MAX_REDIRECTS + 1):
        auth = credentials if _origin_of(url) == origin else None
        async with client.stream("GET", url, auth=auth) as response:
            if response.is_redirect:
                target = urljoin(url, response.headers.get("location", ""))
                refusal = check_recording_url(target, policy.allowed_hosts)
                if refusal:
                    raise RecordingUnavailable(f"refused a redirect of the recording: {refusal}")
                url = target
                continue
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise RecordingUnavailable(f"the recording download answered {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                raise RecordingUnavailable("the recording is too large")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > policy.max_bytes:
                    raise RecordingUnavailable("the recording is too large")
            return bytes(body)
    raise RecordingUnavailable("too many redirects")
