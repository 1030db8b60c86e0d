"""Hearing on the phone line: word error rate and transcription time of Whisper on 8 kHz speech.

The same Transcriber the calls worker uses (adapters/speech.py: its decoding of the WAV, its
prompt handling, its dropping of doubtful segments and its "unsure" rule, under which a turn
is asked again and counts as every word wrong), run in this process over espeak-ng questions
made 8 kHz mono 16-bit by sox like a phone line (tests/phone_fixtures.spoken_wav).

Two sets, never tuned on together:
- dev: bench/phone.py's 22 questions, each in two of four voices/speeds (44 clips);
- held-out: 12 other questions, in three other voices/speeds (36 clips), to check that what
  helps on dev is not fitted to its sentences or voices.
The prompt is the one the worker builds for bench/phone.py's clinic (services/call_turns.py:
its name, doctors, services and the knowledge base's distinctive words).

Variants are compared in one run, each clip by every variant in turn, so their times share the
machine's load (printed as a ratio to the first variant's); WER does not depend on the load.

    .venv/bin/python bench/hearing.py [--models base,/path/to/a/model/dir] [--variants default,no-vad,...]
        [--sets dev,held-out] [--limit N] [--show-errors]
"""

import argparse
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.speech import Decoding, Transcriber, Transcript, bundled_model_dir  # noqa: E402
from bench.phone import (  # noqa: E402
    CLINIC,
    DOCTORS,
    KNOWLEDGE_BASE,
    QUESTIONS,
    SERVICES,
    word_error_rate,
    words,
)
from kernel.settings import get_settings  # noqa: E402
from services.call_turns import (  # noqa: E402
    VOCABULARY_TERMS,
    distinctive_terms,
    recognition_prompt,
)
from tests.phone_fixtures import spoken_wav  # noqa: E402

DEV_VOICES = [("en-us", 150), ("en-gb-x-rp", 135), ("en-us+f3", 170), ("en+m4", 160)]
HELD_OUT_VOICES = [("en-gb-scotland", 150), ("en-us+f4", 140), ("en-029", 160)]
HELD_OUT_QUESTIONS = [
    "Is Doctor Raman a paediatrician?",
    "How much does allergy testing cost?",
    "What time do you close on Friday?",
    "Are you open on public holidays?",
    "Who can I see about eczema?",
    "Is the flu shot free for older patients?",
    "How long does a dental cleaning take?",
    "Which doctor does eye examinations?",
    "Can I renew a prescription in the app?",
    "When are blood tests taken?",
    "Do I need an appointment for a vaccination?",
    "How much does a physiotherapy session cost?",
]
# Each a change from the production decoding ("default"); "before" is the decoding of 2026-11-29.
VARIANTS = {
    "default": Decoding(),
    "before": Decoding(beam_size=1, pad_seconds=0.0, vad_threshold=0.5),
    "greedy": Decoding(beam_size=1),
    "beam2": Decoding(beam_size=2),
    "no-pad": Decoding(pad_seconds=0.0),
    "no-prompt": Decoding(use_prompt=False),
    "no-vad": Decoding(vad_filter=False),
    "vad0.5": Decoding(vad_threshold=0.5),
    "chunk10": Decoding(chunk_seconds=10),
    "fallback": Decoding(temperatures=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)),
}


@dataclass(frozen=True)
class Clip:
    text: str
    voice: str
    audio: bytes


def clips(name: str, limit: int) -> list[Clip]:
    if name == "dev":
        texts, voices, per_text = [q for q, _ in QUESTIONS], DEV_VOICES, 2
    else:
        texts, voices, per_text = HELD_OUT_QUESTIONS, HELD_OUT_VOICES, 3
    made = []
    for i, text in enumerate(texts[:limit]):
        for k in range(per_text):
            voice, speed = voices[(i + k) % len(voices)]
            made.append(Clip(text, f"{voice}@{speed}", spoken_wav(text, voice=voice, words_per_minute=speed)))
    return made


def clinic_prompt(with_terms: bool = True) -> str:
    """What RecognitionPrompts builds for bench/phone.py's clinic: its knowledge base's words
    counted per document (each PDF is one chunk there), as PostgreSQL's ts_stat counts them."""
    chunks = Counter[str]()
    for pages in KNOWLEDGE_BASE.values():
        chunks.update({w for w in re.findall(r"[a-z-]+", " ".join(pages).lower()) if len(w) >= 4})
    ranked = sorted(chunks.items(), key=lambda item: (-item[1], item[0]))[: 8 * VOCABULARY_TERMS]
    return recognition_prompt(
        CLINIC,
        [f"Dr. {name}" for name, _ in DOCTORS],
        SERVICES,
        distinctive_terms(ranked, VOCABULARY_TERMS) if with_terms else None,
    )


def four_grams(text: str) -> set[tuple[str, ...]]:
    said = words(text)
    return {tuple(said[i : i + 4]) for i in range(len(said) - 3)}


@dataclass
class Tally:
    prompt: str = ""
    leaks: int = 0
    errors: float = 0.0
    words: int = 0
    unsure: int = 0
    seconds: float = 0.0
    audio_seconds: float = 0.0
    clips: int = 0

    def add(self, clip: Clip, transcript: Transcript) -> str:
        heard = "" if transcript.unsure else transcript.text
        n = len(clip.text.split())
        self.errors += word_error_rate(clip.text, heard) * n
        self.words += n
        self.unsure += transcript.unsure
        # The prompt leaked: four of its words in a row were heard that the caller did not say.
        self.leaks += bool((four_grams(transcript.text) - four_grams(clip.text)) & four_grams(self.prompt))
        self.seconds += transcript.seconds
        self.audio_seconds += transcript.audio_seconds
        self.clips += 1
        return heard

    def line(self) -> str:
        return (
            f"WER {self.errors / max(1, self.words):6.1%} over {self.words:3} words, "
            f"{self.unsure} unsure, {self.leaks} leaks of the prompt, speech to text {self.seconds:6.1f} s "
            f"({self.seconds / max(1e-9, self.audio_seconds):.2f}x audio)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default="base", help="bundled names or model directories")
    parser.add_argument("--variants", default="default")
    parser.add_argument("--sets", default="dev,held-out")
    parser.add_argument("--limit", type=int, default=100, help="questions per set")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument(
        "--no-terms", action="store_true", help="the prompt without the knowledge base's words"
    )
    options = parser.parse_args()
    settings = get_settings()
    sets = {name: clips(name, options.limit) for name in options.sets.split(",")}
    prompt = clinic_prompt(with_terms=not options.no_terms)
    print(f"prompt: {prompt!r}")
    for model in options.models.split(","):
        started = time.perf_counter()
        transcriber = Transcriber(
            Path(model) if "/" in model else bundled_model_dir(settings.data_dir, model),
            compute_type=settings.whisper_compute_type,
            cpu_threads=settings.whisper_cpu_threads,
        )
        print(f"\n== {model} (loaded in {time.perf_counter() - started:.1f} s)")
        transcriber.transcribe(clips("dev", 1)[0].audio, prompt=prompt)  # warm-up
        variants = options.variants.split(",")
        for name, made in sets.items():
            tallies = {variant: Tally(prompt) for variant in variants}
            errors: dict[str, list[str]] = {variant: [] for variant in variants}
            # Each clip by every variant in turn, so that a change of the machine's load weighs
            # on all of them alike: their times compare.
            for clip in made:
                for variant in variants:
                    transcriber.decoding = VARIANTS[variant]
                    transcript = transcriber.transcribe(clip.audio, prompt=prompt)
                    heard = tallies[variant].add(clip, transcript)
                    if word_error_rate(clip.text, heard) > 0:
                        note = " (unsure)" if transcript.unsure else ""
                        errors[variant].append(
                            f"    {clip.voice:18} {clip.text!r} -> {transcript.text!r}{note} "
                            f"lp={transcript.avg_logprob:.2f} ns={transcript.no_speech_prob:.2f}"
                        )
            reference = tallies[variants[0]].seconds or 1.0
            for variant in variants:
                tally = tallies[variant]
                print(
                    f"{model:5} {variant:15} {name:8} {tally.line()}, time x{tally.seconds / reference:.2f}"
                )
                if options.show_errors:
                    print("\n".join(errors[variant]))
        del transcriber


if __name__ == "__main__":
    main()
