import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from adapters.twilio_media import (
    MediaPolicy,
    RecordingUnavailable,
    check_recording_url,
    fetch_recording,
    wav_url,
)
from tests.phone_fixtures import ACCOUNT_SID, AUTH_TOKEN, RecordingServer, recordings

__all__ = ["recordings"]

TWILIO = ["api.twilio.com"]


@pytest.mark.parametrize(
    "url",
    [
        "http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",  # not https
        "https://api.twilio.com.evil.example/Recordings/RE1",
        "https://169.254.169.254/latest/meta-data",
        "https://user:pw@api.twilio.com/Recordings/RE1",
        "file:///etc/passwd",
    ],
)
def test_urls_off_the_twilio_media_hosts_are_refused(url: str) -> None:
    assert check_recording_url(url, TWILIO) is not None


def test_a_twilio_recording_url_is_allowed_and_fetched_as_wav() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
    assert check_recording_url(url, TWILIO) is None
    assert wav_url(url) == url + ".wav"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.twilio.com:8443/Recordings/RE1", ["api.twilio.com"]),  # another port
        ("https://api.twilio.com/Recordings/RE1", ["api.twilio.com:8443"]),  # 443 is not 8443
        ("http://127.0.0.1:9001/Recordings/RE1", ["http://127.0.0.1:9000"]),
        ("http://127.0.0.1:9000/Recordings/RE1", ["https://127.0.0.1:9000"]),  # another scheme
        ("http://127.0.0.1/Recordings/RE1", ["127.0.0.1"]),  # https:443 unless said otherwise
    ],
)
def test_only_the_exact_origin_of_an_allowed_host_is_fetched(url: str, allowed: list[str]) -> None:
    assert check_recording_url(url, allowed) is not None


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.twilio.com:443/Recordings/RE1", ["api.twilio.com"]),
        ("https://API.twilio.com/Recordings/RE1", ["api.twilio.com:443"]),
        ("https://media.example.com:8443/Recordings/RE1", ["media.example.com:8443"]),
        ("http://127.0.0.1:9000/Recordings/RE1", ["http://127.0.0.1:9000"]),
    ],
)
def test_an_allowed_origin_matches_with_its_default_or_given_port(url: str, allowed: list[str]) -> None:
    assert check_recording_url(url, allowed) is None


def _policy(*origins: str, max_bytes: int = 1_000_000) -> MediaPolicy:
    return MediaPolicy(allowed_hosts=origins, max_bytes=max_bytes, timeout_seconds=5)


async def test_a_recording_not_there_yet_is_retried(recordings: RecordingServer) -> None:
    url = recordings.add(b"RIFF-audio", not_ready_times=2)
    assert (
        await fetch_recording(
            url, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, policy=_policy(recordings.base)
        )
        == b"RIFF-audio"
    )


async def test_a_recording_over_the_size_limit_is_refused(recordings: RecordingServer) -> None:
    url = recordings.add(b"x" * 5000)
    with pytest.raises(RecordingUnavailable, match="too large"):
        await fetch_recording(
            url,
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            policy=_policy(recordings.base, max_bytes=1000),
        )


async def test_wrong_credentials_are_not_retried_as_missing(recordings: RecordingServer) -> None:
    url = recordings.add(b"audio")
    with pytest.raises(RecordingUnavailable, match="401"):
        await fetch_recording(
            url, account_sid=ACCOUNT_SID, auth_token="wrong", policy=_policy(recordings.base)
        )


@dataclass
class Hop:
    """A loopback server that answers every GET with one redirect (or audio) and records, per
    request, the Authorization header it was sent."""

    location: str | None = None
    port: int = 0
    authorizations: list[str | None] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def hops() -> Iterator[list[Hop]]:
    started: list[tuple[Hop, http.server.ThreadingHTTPServer]] = []

    def hop_handler(hop: Hop) -> type[http.server.BaseHTTPRequestHandler]:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hop.authorizations.append(self.headers.get("Authorization"))
                if hop.location is not None:
                    self.send_response(302)
                    self.send_header("Location", hop.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", "5")
                self.end_headers()
                self.wfile.write(b"audio")

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def start() -> Hop:
        hop = Hop()
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), hop_handler(hop))
        hop.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append((hop, httpd))
        return hop

    yield [start(), start()]
    for _, httpd in started:
        httpd.shutdown()
        httpd.server_close()


async def test_credentials_never_reach_another_port_of_an_allowed_host(hops: list[Hop]) -> None:
    allowed, other_port = hops
    with pytest.raises(RecordingUnavailable, match="not a Twilio media host"):
        await fetch_recording(
            f"{other_port.base}/Recordings/RE1",
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            policy=_policy(allowed.base),
        )
    assert other_port.authorizations == []


async def test_a_redirect_to_a_host_not_allowed_is_not_followed(hops: list[Hop]) -> None:
    origin, elsewhere = hops
    origin.location = f"{elsewhere.base}/stolen.wav"
    with pytest.raises(RecordingUnavailable, match="refused a redirect"):
        await fetch_recording(
            f"{origin.base}/Recordings/RE1",
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            policy=_policy(origin.base),
        )
    assert len(origin.authorizations) == 1
    assert elsewhere.authorizations == []


async def test_a_redirect_to_another_allowed_host_is_followed_without_the_credentials(
    hops: list[Hop],
) -> None:
    origin, storage = hops
    origin.location = f"{storage.base}/signed/RE1.wav"

    audio = await fetch_recording(
        f"{origin.base}/Recordings/RE1",
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        policy=_policy(origin.base, storage.base),
    )

    assert audio == b"audio"
    assert origin.authorizations[0] is not None and origin.authorizations[0].startswith("Basic ")
    assert storage.authorizations == [None]
