"""What a process reaches outside itself with, built once and handed to services.

The API's runtime, each worker process and each CLI command open one `OutsideWorld` from
their settings; services receive it and never build clients themselves. The embedder and the
transcriber load models (seconds, hundreds of MB), so they load on first use, once, behind a
lock: a process that never transcribes never loads Whisper. Tests hand in their own objects.
"""

import threading

from adapters.embeddings import Embedder, create_embedder
from adapters.gemini import create_gemini_chat
from adapters.speech import Transcriber, create_transcriber
from adapters.storage import DocumentStorage, create_storage
from adapters.vector_store import VectorStore, create_vector_store
from kernel.settings import Settings
from services.answerers import Answerer, ExtractiveAnswerer, GeminiAnswerer
from services.spelling import KnowledgeBaseSpelling


class OutsideWorld:
    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        transcriber: Transcriber | None = None,
        storage: DocumentStorage | None = None,
        vector_store: VectorStore | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        self.settings = settings
        self.storage = storage or create_storage(settings)
        self.vector_store = vector_store or create_vector_store(settings)
        self._embedder = embedder
        self._transcriber = transcriber
        self._embedder_lock = threading.Lock()
        self._transcriber_lock = threading.Lock()
        self.answerer = answerer or self._configured_answerer()
        self.spelling = KnowledgeBaseSpelling()

    def reconfigured(self, settings: Settings) -> "OutsideWorld":
        """A world of the same kind for other settings (nothing carried over)."""
        return type(self)(settings)

    @property
    def embedder(self) -> Embedder:
        """The configured embedder; the first call loads it (never on an event loop)."""
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = create_embedder(self.settings)
            return self._embedder

    @property
    def transcriber(self) -> Transcriber:
        """Whisper for the configured model; the first call loads it."""
        with self._transcriber_lock:
            if self._transcriber is None:
                self._transcriber = create_transcriber(self.settings)
            return self._transcriber

    def _configured_answerer(self) -> Answerer:
        """Gemini with GOOGLE_API_KEY, else the offline extractive answerer."""
        chat = create_gemini_chat(self.settings)
        if chat is None:
            return ExtractiveAnswerer(self.settings.clinic_name, lambda: self.embedder)
        return GeminiAnswerer(chat, self.settings.clinic_name)
