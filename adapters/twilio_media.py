"""Fetching a caller's recording from Twilio, and nothing else.

The URL comes in a webhook, so it is checked against the configured media hosts before any
request (no fetching of arbitrary URLs: SSRF); plain http is allowed only to a loopback host
(tests). The download is bounded in size and time, authenticated with the account SID and
auth token, and a 404 is retried briefly: Twilio may call the action before the file exists.
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


def check_recording_url(url: str, allowed_hosts: tuple[str, ...] | list[str]) -> str | None:
    """Why `url` may not be fetched, or None when it may."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "not a URL"
    if host not in {h.lower() for h in allowed_hosts}:
        return f"host {host or '(none)'} is not a Twilio media host"
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(host)):
        return "only https is allowed"
    if parts.username or parts.password:
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
    """The body, or None on 404. Follows Twilio's redirects (to its storage) over https only;
    the credentials go to the recording's own host, never to a redirect's other host."""
    origin = urlsplit(url).netloc
    for _ in range(MAX_REDIRECTS + 1):
        auth = credentials if urlsplit(url).netloc == origin else None
        async with client.stream("GET", url, auth=auth) as response:
            if response.is_redirect:
                target = urljoin(url, response.headers.get("location", ""))
                if urlsplit(target).scheme != "https" and check_recording_url(target, policy.allowed_hosts):
                    raise RecordingUnavailable("refused a redirect of the recording away from https")
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
