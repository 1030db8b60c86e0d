"""A quality floor for the offline answerer on a small fixed set (bench/answers.py measures the full one).

A three-page leaflet of a fictional practice, indexed like an upload; answerable questions
(half worded unlike the text), unanswerable ones and follow-ups asked through the
assistant service with no model key. The floors sit at or just below what the answerer reaches, so a
change that makes it pick the wrong sentences or refuse the wrong questions fails here.
"""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.embeddings import Embedder
from kernel.settings import Settings
from persistence.models import AIChannel, MessageRole
from services.answerers import Turn
from services.assistant import AssistantService
from tests.assistant_fixtures import index_pdf, offline_settings
from tests.factories import make_user
from tests.outside_world import SharedModelsWorld
from tests.pdfs import leaflet_pdf

LEAFLET = [
    "Hillside Practice - Patient Leaflet\nOpening hours\n"
    "The practice is open Monday to Friday from 8:00 to 17:00.\n"
    "On Saturdays we open from 9:00 to 12:00 for urgent cases only.\n"
    "The practice is closed on Sundays and on public holidays.\n"
    "Our phone line is busiest before 9:00, so please call later for test results.",
    "Fees and missed appointments\n"
    "Please cancel appointments at least one day in advance.\n"
    "A missed appointment is charged a fee of $35 because another patient could have used it.\n"
    "A sick note for an employer costs $15 and is ready the next day.\n"
    "We accept card payments and cash, but not cheques.",
    "After a vaccination\n"
    "Stay in the waiting room for 15 minutes after the injection.\n"
    "A sore arm or a slight temperature for a day or two is normal.\n"
    "For pain, paracetamol can be taken as written on the packet.\n"
    "Call us at once if you find it hard to breathe or your face swells.",
]
# The same facts laid out as a word processor makes a leaflet: a running header and a "Page N of M"
# footer, bullet lists (their glyph unmapped: pdfminer reads "(cid:127)"), a table of opening hours.
LAID_OUT_LEAFLET = """
# Opening hours
| Day | Hours |
| Monday to Friday | 8:00 - 17:00 |
| Saturday (urgent cases only) | 9:00 - 12:00 |
| Sunday | Closed |
The practice is also closed on public holidays.
# Calling us
Our phone line is busiest before 9:00, so please call later for test results.
---
# Fees and missed appointments
- Please cancel appointments at least one day in advance
- A missed appointment is charged a fee of $35
- A sick note for an employer costs $15 and is ready the next day
# Paying
- We accept card payments and cash
- We do not accept cheques
---
# After a vaccination
- Stay in the waiting room for 15 minutes after the injection
- A sore arm or a slight temperature for a day or two is normal
- For pain, paracetamol can be taken as written on the packet
Call us at once if you find it hard to breathe or your face swells.
"""
# (question, words the reply must contain)
ANSWERABLE = [
    ("When is the practice open on weekdays?", ["8:00", "17:00"]),
    ("Is the practice open on Saturday?", ["9:00", "12:00"]),
    ("Can I come in on a Sunday?", ["closed"]),
    ("What happens if I forget my appointment?", ["$35"]),
    ("How much is a sick note for work?", ["$15"]),
    ("Can I pay with a cheque?", ["cheques"]),
    ("How long should I wait after my jab?", ["15 minutes"]),
    ("What can I take for the pain after a vaccine?", ["paracetamol"]),
]
UNANSWERABLE = [
    "Do you offer MRI scans?",
    "Do you do laser eye surgery?",
    "What is the doctor's home address?",
]
FOLLOW_UPS = [
    ("When is the practice open on Saturdays?", "And on Sundays?", ["closed"]),
    ("How much is a sick note?", "When is it ready?", ["next day"]),
]
# Measured 2026-11-29 with sentence windows and the rule calibrated on two development sets: 7/8 answered,
# 3/3 refused, 2/2 follow-ups; the answered floor keeps one question of slack.
MIN_ANSWERED = 6
MIN_FOLLOW_UPS = 2
MIN_REFUSED = 3
# The laid-out leaflet, measured 2026-12-01 once its furniture, lists and rows were read as such: 8/8
# answered, 2/3 refused (the doctor's home address is answered with the opening hours). Before,
# quotes ran "(cid:127)" bullets, table rows and the header together.
MIN_ANSWERED_LAID_OUT = 7
MIN_REFUSED_LAID_OUT = 2
NOT_FOUND = "could not find"


@pytest.fixture
def settings(local_embedder: Embedder) -> Settings:
    return offline_settings(Settings(environment="test", clinic_name="Hillside Practice"))


async def _ask(
    session: AsyncSession, settings: Settings, question: str, history: list[Turn] | None = None
) -> str:
    answer = await AssistantService(session, SharedModelsWorld(settings)).answer(
        question, user=None, patient_id=None, channel=AIChannel.chat, history=history or []
    )
    return " ".join(answer.text.split())


async def _index_leaflet(session: AsyncSession, settings: Settings) -> None:
    """The plain three-page leaflet, indexed as an admin's upload."""
    await index_pdf(
        session, settings, uploader=await make_user(session, "admin"), pages=LEAFLET, filename="leaflet.pdf"
    )


def _contains(reply: str, words: list[str]) -> bool:
    return NOT_FOUND not in reply and all(word.lower() in reply.lower() for word in words)


async def test_the_offline_answerer_answers_most_questions_and_refuses_unanswerable_ones(
    session: AsyncSession, settings: Settings
) -> None:
    await _index_leaflet(session, settings)

    answered = [q for q, words in ANSWERABLE if _contains(await _ask(session, settings, q), words)]
    refused = [q for q in UNANSWERABLE if NOT_FOUND in await _ask(session, settings, q)]

    assert len(answered) >= MIN_ANSWERED, set(q for q, _ in ANSWERABLE) - set(answered)
    assert len(refused) >= MIN_REFUSED, refused


async def test_follow_ups_are_answered_from_the_conversation(
    session: AsyncSession, settings: Settings
) -> None:
    await _index_leaflet(session, settings)

    answered = []
    for first, follow_up, words in FOLLOW_UPS:
        earlier = await _ask(session, settings, first)
        history = [Turn(MessageRole.user, first), Turn(MessageRole.assistant, earlier)]
        if _contains(await _ask(session, settings, follow_up, history), words):
            answered.append(follow_up)

    assert len(answered) >= MIN_FOLLOW_UPS, answered


async def test_a_laid_out_leaflet_is_quoted_without_its_page_furniture_or_bullet_glyphs(
    session: AsyncSession, settings: Settings
) -> None:
    pdf = leaflet_pdf(LAID_OUT_LEAFLET, running_header="Hillside Practice | Patient leaflet | 2026")
    await index_pdf(session, settings, uploader=await make_user(session, "admin"), pdf=pdf)

    replies = {q: await _ask(session, settings, q) for q, _ in ANSWERABLE}
    answered = [q for q, words in ANSWERABLE if _contains(replies[q], words)]
    refused = [q for q in UNANSWERABLE if NOT_FOUND in await _ask(session, settings, q)]

    assert len(answered) >= MIN_ANSWERED_LAID_OUT, set(q for q, _ in ANSWERABLE) - set(answered)
    assert len(refused) >= MIN_REFUSED_LAID_OUT, refused
    quoted = " ".join(replies.values())
    assert "(cid:" not in quoted
    assert "Page 1 of" not in quoted and "Patient leaflet | 2026" not in quoted


async def test_a_question_typed_with_a_phone_keyboards_quotes_gets_the_plain_questions_reply(
    session: AsyncSession, settings: Settings
) -> None:
    await _index_leaflet(session, settings)
    typed = "What\u2019s the fee if I don\u2019t turn up?"  # as a phone's smart punctuation sends it
    plainly = "What's the fee if I don't turn up?"

    prepared = await AssistantService(session, SharedModelsWorld(settings)).prepare(
        typed, user=None, patient_id=None, channel=AIChannel.chat
    )
    reply = await _ask(session, settings, typed)

    assert (prepared.question.text, prepared.question.parts[0].search_text) == (typed, plainly)
    assert reply == await _ask(session, settings, plainly)
    assert _contains(reply, ["$35"])


# Typed on a phone: one typo in each question's topic word (answer words as in ANSWERABLE).
TYPED_WITH_TYPOS = [
    ("Is the practice open on Saturady?", ["9:00", "12:00"]),
    ("Is the pracitce open on Satruday?", ["9:00", "12:00"]),
    ("What happens if I forget my apointment?", ["$35"]),
    ("When is the practise open on weekdays?", ["8:00", "17:00"]),
    ("What can I take for the pian after a vaccine?", ["paracetamol"]),
    ("Can I pay with a cheqeu?", ["cheques"]),
]
# Measured 2026-12-01 with the knowledge base's words mending the questions: 6/6; without, 3/6
# (the first three refused).
MIN_ANSWERED_WITH_TYPOS = 5


async def test_questions_with_typos_are_answered_from_the_clinics_own_words(
    session: AsyncSession, settings: Settings
) -> None:
    await _index_leaflet(session, settings)

    answered = [q for q, words in TYPED_WITH_TYPOS if _contains(await _ask(session, settings, q), words)]

    assert len(answered) >= MIN_ANSWERED_WITH_TYPOS, set(q for q, _ in TYPED_WITH_TYPOS) - set(answered)
