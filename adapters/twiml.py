"""TwiML documents of the phone line, built with twilio's VoiceResponse (never by hand)."""

from dataclasses import dataclass

from twilio.twiml.voice_response import VoiceResponse  # type: ignore[import-untyped]

TWIML_MEDIA_TYPE = "application/xml"
LANGUAGE = "en-US"
# Twilio's default of 5 s of silence makes every turn slow; 2 s still lets a caller breathe.
SILENCE_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class ListenUrls:
    recording: str  # where Twilio posts a non-empty recording
    no_input: str  # where the call goes on when the recording was empty


def _say(response: VoiceResponse, text: str) -> None:
    response.say(text, language=LANGUAGE)


def listen(
    response: VoiceResponse, urls: ListenUrls, *, max_seconds: int, after_silence: str
) -> VoiceResponse:
    """Record the caller's next question; with nothing recorded, Twilio skips the action and runs
    the verbs after <Record>, so they say something and come back instead of hanging up."""
    response.record(
        action=urls.recording,
        method="POST",
        max_length=max_seconds,
        timeout=SILENCE_TIMEOUT_SECONDS,
        play_beep=True,
        trim="trim-silence",
        finish_on_key="#",
    )
    _say(response, after_silence)
    response.redirect(urls.no_input, method="POST")
    return response


def speak_then_listen(texts: list[str], urls: ListenUrls, *, max_seconds: int, after_silence: str) -> str:
    response = VoiceResponse()
    for text in texts:
        _say(response, text)
    return str(listen(response, urls, max_seconds=max_seconds, after_silence=after_silence))


def hold(text: str | None, *, pause_seconds: int, next_url: str) -> str:
    """Keep the caller company while the answer is prepared, then ask again."""
    response = VoiceResponse()
    if text:
        _say(response, text)
    if pause_seconds:
        response.pause(length=pause_seconds)
    response.redirect(next_url, method="POST")
    return str(response)


def goodbye(text: str) -> str:
    response = VoiceResponse()
    _say(response, text)
    response.hangup()
    return str(response)


def hand_over(text: str, *, number: str | None) -> str:
    """Apologise, then put a human on the line when the clinic has a number, else hang up."""
    response = VoiceResponse()
    _say(response, text)
    if number:
        response.dial(number)
    else:
        response.hangup()
    return str(response)
