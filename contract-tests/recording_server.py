"""A stand-in for Twilio's media server on loopback: every recording is one short WAV.

The contract run lists its exact origin in TWILIO_MEDIA_HOSTS and points every RecordingUrl it sends
here, so the turn job downloads a real file. Like Twilio's, it wants HTTP basic auth (any
account: the fuzzer may save another one through /integrations/twilio) and serves
`/Recordings/<sid>.wav`; anything else is 404.
"""

import http.server
import io
import re
import threading
import wave
from collections.abc import Iterator
from contextlib import contextmanager

SAMPLE_RATE = 8000
_RECORDING_PATH = re.compile(r"^/Recordings/RE[0-9A-Za-z]{1,62}\.wav$")


def quiet_wav(seconds: float = 1.0) -> bytes:
    """Telephone audio (8 kHz mono 16-bit) of a quiet line."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(b"\x00\x00" * int(SAMPLE_RATE * seconds))
    return buffer.getvalue()


def _handler(audio: bytes) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if not self.headers.get("Authorization", "").startswith("Basic "):
                self._reply(401, b"")
            elif _RECORDING_PATH.match(self.path):
                self._reply(200, audio, "audio/x-wav")
            else:
                self._reply(404, b"")

        def _reply(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def recording_server() -> Iterator[str]:
    """A running server's base URL (`http://127.0.0.1:PORT`); stopped on leaving."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(quiet_wav()))
    thread = threading.Thread(target=httpd.serve_forever, name="recordings", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
