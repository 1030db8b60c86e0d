from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import DocumentStatus
from persistence.repositories.documents import DocumentRepository
from services.spelling import EnglishWords, KnowledgeBaseSpelling, Speller, english_words, word_counts
from tests.document_fixtures import make_document
from tests.factories import make_user

CLINIC = word_counts(
    [
        "The practice is open Monday to Saturday. Prescriptions are ready after two working days.",
        "Physiotherapy sessions last 45 minutes. We do not accept cheques. Paracetamol helps.",
    ]
)


def test_word_counts_are_lowercase_words_of_three_letters_or_more() -> None:
    assert word_counts(["The flu jab. The FLU clinic, 2 jabs a day"]) == {
        "the": 2, "flu": 2, "jab": 1, "clinic": 1, "jabs": 1, "day": 1,
    }  # fmt: skip


def test_a_typo_becomes_the_clinics_word_one_or_two_edits_away() -> None:
    speller = Speller(CLINIC, english_words())

    assert speller.correct("When is the practcie opne?") == "When is the practice open?"
    assert speller.correct("Can I take paracetomol?") == "Can I take paracetamol?"
    assert speller.correct("How long is a physiotherpay session?") == "How long is a physiotherapy session?"
    assert speller.correct("Perscriptions: when are they ready?") == "Prescriptions: when are they ready?"
    assert speller.correct("What sohuld I bring?") == "What should I bring?"  # a common English word
    assert speller.correct("Are you open on Sautrday?") == "Are you open on Saturday?"  # the clinic's


def test_known_words_acronyms_and_words_far_from_any_are_left_as_typed() -> None:
    speller = Speller(CLINIC, english_words())

    for question in (
        "Can I pay by cheque?",  # the documents say "cheques"
        "Where can I change my baby's nappy?",  # an English word, one edit from "happy"
        "Do you offer MRI scans or acupuncture?",
        "Is Dr. Hartman in? Do you take Amex?",  # names inside a sentence
        "What about the sdfghjk?",  # nothing near
        "Is there wifi? Can vaping harm my lungs? I texted the surgery.",  # today's words
    ):
        assert speller.correct(question) == question


def test_the_more_frequent_of_two_equally_near_words_wins() -> None:
    speller = Speller({"fever": 1, "fewer": 9}, EnglishWords(frozenset(), ()))

    assert speller.correct("fexer") == "fewer"


async def test_the_spelling_follows_the_knowledge_base_as_documents_become_ready(
    session: AsyncSession,
) -> None:
    uploader = await make_user(session, "admin")
    patient = await make_user(session, "patient")
    spelling = KnowledgeBaseSpelling()
    documents = DocumentRepository(session)
    first = await make_document(session, uploader_id=uploader.id, status=DocumentStatus.ready)
    first.vocabulary = {"physiotherapy": 3}
    private = await make_document(
        session, uploader_id=uploader.id, patient_id=patient.id, status=DocumentStatus.ready
    )
    private.vocabulary = {"hydrotherapy": 1}  # a patient's own document: never a correction
    await session.flush()

    before = (await spelling.speller(documents)).correct("physiotherpay and hydrotherpay")
    second = await make_document(session, uploader_id=uploader.id, status=DocumentStatus.ready)
    second.vocabulary = {"ultrasound": 2}
    await session.flush()
    after = (await spelling.speller(documents)).correct("physiotherpay and ultrasuond")

    assert before == "physiotherapy and hydrotherpay"
    assert after == "physiotherapy and ultrasound"
