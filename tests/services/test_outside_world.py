from kernel.settings import Settings
from services.answerers import ExtractiveAnswerer, GeminiAnswerer
from services.outside_world import OutsideWorld

GEMINI = {"google_api_key": "test-key", "gemini_base_url": "http://127.0.0.1:9"}


def test_the_embedder_is_built_once_and_shared() -> None:
    world = OutsideWorld(Settings(embedding_provider="gemini", **GEMINI))
    assert world.embedder is world.embedder


def test_the_answerer_is_gemini_with_a_key_and_extractive_without() -> None:
    assert isinstance(OutsideWorld(Settings(**GEMINI)).answerer, GeminiAnswerer)
    assert isinstance(OutsideWorld(Settings(google_api_key=None)).answerer, ExtractiveAnswerer)


def test_a_reconfigured_world_follows_the_new_settings() -> None:
    offline = OutsideWorld(Settings(**GEMINI)).reconfigured(Settings(google_api_key=None))
    assert isinstance(offline.answerer, ExtractiveAnswerer)
