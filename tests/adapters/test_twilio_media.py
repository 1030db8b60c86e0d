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


def _policy(max_bytes: int = 1_000_000) -> MediaPolicy:
    return MediaPolicy(allowed_hosts=("127.0.0.1",), max_bytes=max_bytes, timeout_seconds=5)


async def test_a_recording_not_there_yet_is_retried(recordings: RecordingServer) -> None:
    url = recordings.add(b"RIFF-audio", not_ready_times=2)
    assert (
        await fetch_recording(url, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, policy=_policy())
        == b"RIFF-audio"
    )


async def test_a_recording_over_the_size_limit_is_refused(recordings: RecordingServer) -> None:
    url = recordings.add(b"x" * 5000)
    with pytest.raises(RecordingUnavailable, match="too large"):
        await fetch_recording(
            url, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, policy=_policy(max_bytes=1000)
        )


async def test_wrong_credentials_are_not_retried_as_missing(recordings: RecordingServer) -> None:
    url = recordings.add(b"audio")
    with pytest.raises(RecordingUnavailable, match="401"):
        await fetch_recording(url, account_sid=ACCOUNT_SID, auth_token="wrong", policy=_policy())
