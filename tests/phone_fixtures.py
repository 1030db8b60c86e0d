"""The phone line without Twilio: spoken audio, a recording server, signed webhooks.

Audio is real speech: espeak-ng says the text and sox turns it into 8 kHz mono 16-bit WAV,
as Twilio records a call. The recording server is a thread on 127.0.0.1 that, like Twilio's
media server, wants HTTP basic auth with the account SID and auth token.
"""

import base64
import http.server
import secrets
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import SecretStr
from twilio.request_validator import RequestValidator

from adapters.speech import bundled_model_dir
from kernel.settings import Settings, get_settings

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "a" * 32
PUBLIC_BASE = "https://phone.example.test"


def call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def recording_sid() -> str:
    return "RE" + secrets.token_hex(16)


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature as Twilio computes it: over the URL and every posted parameter."""
    signature: str = RequestValidator(token).compute_signature(url, params)
    return signature


def spoken_wav(
    text: str, *, words_per_minute: int = 150, voice: str = "en-us", effects: tuple[str, ...] = ()
) -> bytes:
    """`text` spoken by espeak-ng, as 8 kHz mono telephone WAV (sox `effects` applied on the way)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw, phone = Path(tmp) / "raw.wav", Path(tmp) / "phone.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(raw), text], check=True
        )
        subprocess.run(
            ["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(phone), *effects], check=True
        )
        return phone.read_bytes()


def garbled_wav(text: str) -> bytes:
    """Speech no one could make out: `text` spoken backwards, as on a badly broken line."""
    return spoken_wav(text, effects=("reverse",))


def silent_wav(seconds: float = 3.0) -> bytes:
    """A quiet line: very low noise, no speech, 8 kHz mono."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "silence.wav"
        subprocess.run(
            [
                "sox",
                "-n",
                "-r",
                "8000",
                "-c",
                "1",
                "-b",
                "16",
                str(out),
                "synth",
                str(seconds),
                "whitenoise",
                "vol",
                "0.002",
            ],
            check=True,
        )
        return out.read_bytes()


@dataclass
class RecordingServer:
    """Serves /<name>.wav for each recording added; 404 for the rest (or while `not_ready`)."""

    port: int = 0
    files: dict[str, bytes] = field(default_factory=dict)
    not_ready: dict[str, int] = field(default_factory=dict)  # answer 404 this many times first
    requests: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, audio: bytes, *, not_ready_times: int = 0) -> str:
        """The RecordingUrl (without .wav, as Twilio sends it) of a new recording."""
        name = recording_sid()
        self.files[f"/Recordings/{name}.wav"] = audio
        self.not_ready[f"/Recordings/{name}.wav"] = not_ready_times
        return f"{self.base}/Recordings/{name}"


def _handler(server: RecordingServer) -> type[http.server.BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append(self.path)
            if self.headers.get("Authorization") != expected:
                self._reply(401, b"")
                return
            body = server.files.get(self.path)
            if body is None or server.not_ready.get(self.path, 0) > 0:
                if self.path in server.not_ready:
                    server.not_ready[self.path] -= 1
                self._reply(404, b"")
                return
            self._reply(200, body, "audio/x-wav")

        def _reply(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


_shared_recordings: RecordingServer | None = None


def shared_recordings() -> RecordingServer:
    """The recording server of this test run, started on first use (a daemon thread): the
    settings' TWILIO_MEDIA_HOSTS name its exact origin, port included."""
    global _shared_recordings
    if _shared_recordings is None:
        server = RecordingServer()
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
        server.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        _shared_recordings = server
    return _shared_recordings


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def whisper_model_dir() -> Path:
    """The bundled model, joined once into the project's data dir (shared by every run)."""
    return bundled_model_dir(get_settings().data_dir)


@pytest.fixture(scope="session")
def recordings() -> RecordingServer:
    return shared_recordings()


# An allowed media origin nothing listens on: a recording that can't be fetched.
UNREACHABLE_MEDIA_ORIGIN = f"http://127.0.0.1:{unused_port()}"


def phone_settings(settings: Settings, model_dir: Path, **overrides: object) -> Settings:
    return settings.model_copy(
        update={
            "public_base_url": PUBLIC_BASE,
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": SecretStr(AUTH_TOKEN),
            "twilio_media_hosts": [shared_recordings().base, UNREACHABLE_MEDIA_ORIGIN],
            "whisper_model_dir": model_dir,
            "google_api_key": None,
            "phone_recording_timeout_seconds": 5.0,
            **overrides,
        }
    )
