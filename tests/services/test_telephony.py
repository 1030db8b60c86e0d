import pytest

from adapters.speech import MAX_PROMPT_CHARS
from services.call_turns import QUESTION_LEAD_IN, recognition_prompt
from services.spoken_answer import spoken_answer
from services.telephony import is_farewell


@pytest.mark.parametrize("said", ["Goodbye.", "No, thank you. Bye!", "That's all, thanks.", "nothing else"])
def test_farewells_are_recognised(said: str) -> None:
    assert is_farewell(said)


@pytest.mark.parametrize(
    "said",
    [
        "What are the opening hours on Saturday?",
        "Can I say goodbye to my old doctor and book with a new one today?",
        "Can I see you tomorrow?",
    ],
)
def test_questions_are_not_farewells(said: str) -> None:
    assert not is_farewell(said)


def test_a_spoken_answer_loses_markup_and_is_cut_at_a_sentence_end() -> None:
    text = "**Saturday**: open 9 to 13 [1]. See https://clinic.example/hours. " + "More words here. " * 60
    spoken = spoken_answer(text, 120)
    assert len(spoken) <= 120 and spoken.endswith(".")
    assert "*" not in spoken and "[1]" not in spoken and "http" not in spoken
    assert spoken.startswith("Saturday : open 9 to 13")


def test_the_recognition_prompt_names_doctors_and_services_in_prose() -> None:
    prompt = recognition_prompt("SilverStar Clinic", ["Dr. Meyer", "Dr. Okafor"], ["Cardiology check-up"])
    assert prompt.startswith("A caller asks SilverStar Clinic")
    assert "Dr. Meyer, Dr. Okafor" in prompt and "Cardiology check-up" in prompt


def test_the_recognition_prompt_ends_by_announcing_the_callers_question() -> None:
    prompt = recognition_prompt("SilverStar Clinic", ["Dr. Meyer"], ["Flu shot"], ["vaccination"])
    assert prompt.startswith("Words we use: vaccination. A caller asks SilverStar Clinic")
    assert prompt.endswith("Our services: Flu shot. " + QUESTION_LEAD_IN)


def test_knowledge_base_terms_that_would_overflow_the_prompt_are_left_out_whole() -> None:
    terms = [f"term{n:03d}suffix" for n in range(200)]
    prompt = recognition_prompt("SilverStar Clinic", ["Dr. Meyer"], ["Flu shot"], terms)
    assert len(prompt) <= MAX_PROMPT_CHARS
    listed = prompt.removeprefix("Words we use: ").split(". A caller asks")[0].split(", ")
    assert 10 < len(listed) < len(terms) and listed == terms[: len(listed)]
    assert "Dr. Meyer" in prompt and prompt.endswith(QUESTION_LEAD_IN)
