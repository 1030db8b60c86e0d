"""The outside world in tests: the real adapters, with each model loaded once per run.

Loading the embedding model or Whisper takes seconds; tests open many runtimes with many
settings, so these worlds share one loaded model per configuration instead of loading their own.
"""

import functools

from adapters.embeddings import Embedder, create_embedder
from adapters.speech import Transcriber, create_transcriber
from kernel.settings import Settings
from services.outside_world import OutsideWorld


@functools.cache
def shared_local_embedder() -> Embedder:
    return create_embedder(Settings(embedding_provider="local", local_embedding_model=None))


_transcribers: dict[tuple[object, ...], Transcriber] = {}


def _shared_transcriber(key: tuple[object, ...], settings: Settings) -> Transcriber:
    if key not in _transcribers:
        _transcribers[key] = create_transcriber(settings)
    return _transcribers[key]


class SharedModelsWorld(OutsideWorld):
    """An OutsideWorld whose models are the run's shared ones."""

    @property
    def embedder(self) -> Embedder:
        if self.settings.embedding_provider == "local" and self.settings.local_embedding_model is None:
            return shared_local_embedder()
        return super().embedder

    @property
    def transcriber(self) -> Transcriber:
        s = self.settings
        key = (
            s.whisper_model_dir,
            s.whisper_model,
            s.whisper_compute_type,
            s.whisper_cpu_threads,
            s.whisper_chunk_seconds,
            s.whisper_beam_size,
        )
        return _shared_transcriber(key, s)
