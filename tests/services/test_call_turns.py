"""Priming Whisper with the clinic's own words, rebuilt only when they change."""

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.embeddings import Embedder
from kernel.settings import get_settings
from services.call_turns import RecognitionPrompts, distinctive_terms
from tests.assistant_fixtures import index_pdf
from tests.factories import make_service, make_user

CLINIC = "SilverStar Clinic"


def test_distinctive_terms_leave_out_the_words_every_text_has() -> None:
    counted = [("there", 9), ("whitening", 7), ("saturday", 6), ("flu", 5), ("physiotherapy", 4)]
    assert distinctive_terms(counted, limit=5) == ["whitening", "physiotherapy"]
    assert distinctive_terms(counted, limit=1) == ["whitening"]


async def test_the_prompt_holds_the_catalogue_and_the_knowledge_base_terms(
    session: AsyncSession, local_embedder: Embedder
) -> None:
    admin = await make_user(session, "admin")
    await make_user(session, "doctor", name="Amelia Hartmann", specialty="Dermatology")
    await make_service(session, name="Teeth whitening")
    pages = ["Physiotherapy helps after sports injuries. Physiotherapy sessions last an hour."]
    await index_pdf(session, get_settings(), uploader=admin, pages=pages, filename="physio.pdf")

    prompt = await RecognitionPrompts().prompt(session, CLINIC)

    assert f"A caller asks {CLINIC}" in prompt
    assert "Amelia Hartmann" in prompt and "Teeth whitening" in prompt and "physiotherapy" in prompt


async def test_the_prompt_is_kept_until_the_vocabulary_changes(session: AsyncSession) -> None:
    prompts = RecognitionPrompts()
    first = await prompts.prompt(session, CLINIC)
    assert await prompts.prompt(session, CLINIC) is first

    await make_service(session, name="Allergy testing")
    changed = await prompts.prompt(session, CLINIC)
    assert changed is not first and "Allergy testing" in changed
    assert await prompts.prompt(session, "Another Clinic") != changed
