"""Text extraction from PDFs and its chunking."""

import itertools

import pytest

from adapters.pdf_text import (
    CHUNK_MAX,
    CHUNK_OVERLAP,
    DocumentRejected,
    TextChunk,
    chunk_pages,
    extract_pages,
)
from tests.pdfs import encrypted_pdf, image_only_pdf, text_pdf, typeset_pdf


def test_extract_pages_gives_each_pages_text_in_order() -> None:
    data = text_pdf(["Opening hours", "Vaccination schedule", "Parking"])

    pages = extract_pages(data, max_pages=10)

    assert pages == ["Opening hours", "Vaccination schedule", "Parking"]


def test_a_password_protected_pdf_is_rejected() -> None:
    with pytest.raises(DocumentRejected, match="password-protected"):
        extract_pages(encrypted_pdf(), max_pages=10)


def test_a_pdf_without_text_is_rejected_as_probably_scanned() -> None:
    with pytest.raises(DocumentRejected, match="no extractable text — is it a scanned document"):
        extract_pages(image_only_pdf(), max_pages=10)


@pytest.mark.parametrize("data", [b"%PDF-1.7\nnot really", text_pdf(["Cut short"])[:300], b""])
def test_a_damaged_pdf_is_rejected(data: bytes) -> None:
    with pytest.raises(DocumentRejected, match="could not be read as a PDF"):
        extract_pages(data, max_pages=10)


def test_a_pdf_over_the_page_limit_is_rejected() -> None:
    with pytest.raises(DocumentRejected, match="3 pages; at most 2"):
        extract_pages(text_pdf(["a", "b", "c"]), max_pages=2)


def sentences(count: int, topic: str) -> str:
    return " ".join(
        f"Sentence {n} about {topic} explains one more detail for patients." for n in range(count)
    )


def test_chunks_keep_their_page_and_never_span_pages() -> None:
    chunks = chunk_pages([sentences(40, "visits"), "", sentences(3, "parking")])

    assert {chunk.page for chunk in chunks} == {1, 3}
    assert all("visits" in chunk.text for chunk in chunks if chunk.page == 1)
    assert [chunk.text for chunk in chunks if chunk.page == 3] == [sentences(3, "parking")]


def test_chunks_are_bounded_and_break_between_sentences() -> None:
    chunks = chunk_pages([sentences(80, "vaccines")])

    assert len(chunks) > 3
    assert all(len(chunk.text) <= CHUNK_MAX for chunk in chunks)
    assert all(len(chunk.text) >= 500 for chunk in chunks[:-1])
    assert all(chunk.text.startswith("Sentence") and chunk.text.endswith(".") for chunk in chunks)


def test_consecutive_chunks_overlap_by_whole_sentences() -> None:
    chunks = chunk_pages([sentences(80, "vaccines")])

    for previous, following in itertools.pairwise(chunks):
        following_sentences = following.text.split(". ")
        shared = [
            ". ".join(following_sentences[:n]) + "."
            for n in range(1, len(following_sentences))
            if previous.text.endswith(". ".join(following_sentences[:n]) + ".")
        ]
        assert shared, "the next chunk should start with the end of the previous one"
        assert len(shared[-1]) <= CHUNK_OVERLAP


def test_chunks_prefer_paragraph_breaks() -> None:
    paragraph_one = sentences(11, "allergies")  # ~700 characters
    paragraph_two = sentences(11, "insurance")

    chunks = chunk_pages([f"{paragraph_one}\n\n{paragraph_two}"])

    assert "insurance" not in chunks[0].text
    assert chunks[0].text == paragraph_one


def test_a_very_long_word_run_is_cut_to_size() -> None:
    chunks = chunk_pages(["x" * 3000])

    assert all(len(chunk.text) <= CHUNK_MAX for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks) == "x" * 3000


def test_words_broken_across_lines_are_joined() -> None:
    assert chunk_pages(["The appoint-\nment starts\nat nine."]) == [
        TextChunk(page=1, text="The appointment starts at nine.")
    ]


def test_typeset_characters_are_read_as_the_plain_ones_patients_type() -> None:
    pdf = typeset_pdf(
        [
            "Your child\u2019s \ufb01rst \u201ccheck\u201d takes ten min\u00ad",
            "utes and is free of charge.",
        ]
    )

    assert chunk_pages(extract_pages(pdf, max_pages=1)) == [
        TextChunk(page=1, text='Your child\'s first "check" takes ten minutes and is free of charge.')
    ]


def test_a_glyph_its_font_maps_to_no_character_is_left_out_not_stored_as_nul() -> None:
    pdf = typeset_pdf(["A check\u2011up is free."])  # Vera has no non-breaking hyphen: NUL

    assert extract_pages(pdf, max_pages=1) == ["A checkup is free."]


def test_a_heading_line_keeps_its_own_line_and_wrapped_lines_do_not() -> None:
    page = (
        "Clinic - Patient Guide\n"
        "When to get urgent help\n"
        "Call the emergency number 911 for chest pain, severe bleeding or signs of a stroke such as\n"
        "Slurred speech. For urgent problems that are not emergencies, call the reception.\n"
        "Parking\n"
        "Free parking is behind the building for 2 hours."
    )

    [chunk] = chunk_pages([page])

    assert chunk.text == (
        "Clinic - Patient Guide\nWhen to get urgent help\n"
        "Call the emergency number 911 for chest pain, severe bleeding or signs of a stroke such as "
        "Slurred speech. For urgent problems that are not emergencies, call the reception.\n"
        "Parking\nFree parking is behind the building for 2 hours."
    )


def test_a_heading_starts_the_chunk_of_the_paragraph_it_heads() -> None:
    # The paragraph stops short of PARAGRAPH_BREAK_MIN (600 characters), the heading takes it past.
    first, second = sentences(9, "vaccines"), sentences(4, "teenagers")  # ~580 and ~260 characters
    heading = "Teenagers and young people"

    chunks = chunk_pages([f"{first}\n\n{heading}\n{second}"])

    assert not chunks[0].text.endswith(heading)
    assert chunks[1].text.endswith(f"{heading}\n{second}")
