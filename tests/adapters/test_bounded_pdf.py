"""PDF text extraction in a bounded child process: every limit reached is a clear rejection."""

import dataclasses

import pytest

from adapters.bounded_pdf import ExtractionLimits, extract_pages_bounded
from adapters.pdf_text import DocumentRejected
from tests.bomb_pdfs import text_operators_bomb_pdf, zeros_bomb_pdf
from tests.pdfs import encrypted_pdf, text_pdf

MIB = 1024 * 1024
GIB = 1024 * MIB

LIMITS = ExtractionLimits(
    max_pages=10,
    max_page_decompressed_bytes=8 * MIB,
    max_document_decompressed_bytes=16 * MIB,
    page_timeout_seconds=60,
    document_timeout_seconds=120,
    memory_bytes=1536 * MIB,
)


def test_a_normal_pdf_is_read_page_by_page() -> None:
    data = text_pdf(["Opening hours", "Vaccination schedule"])

    assert extract_pages_bounded(data, LIMITS) == ["Opening hours", "Vaccination schedule"]


def test_a_damaged_or_locked_pdf_is_still_rejected_with_its_reason() -> None:
    with pytest.raises(DocumentRejected, match="password-protected"):
        extract_pages_bounded(encrypted_pdf(), LIMITS)
    with pytest.raises(DocumentRejected, match="could not be read as a PDF"):
        extract_pages_bounded(b"%PDF-1.7\nnot really", LIMITS)


def test_a_page_inflating_to_a_gigabyte_of_zeros_is_refused_at_the_page_limit() -> None:
    with pytest.raises(DocumentRejected, match=r"Page 1 expands to more than 8 MB when decompressed"):
        extract_pages_bounded(zeros_bomb_pdf(GIB), LIMITS)


def test_a_page_of_hundreds_of_megabytes_of_text_operators_is_refused_at_the_page_limit() -> None:
    with pytest.raises(DocumentRejected, match=r"Page 1 expands to more than 8 MB"):
        extract_pages_bounded(text_operators_bomb_pdf(300 * MIB), LIMITS)


def test_the_document_limit_counts_every_stream() -> None:
    limits = dataclasses.replace(
        LIMITS, max_page_decompressed_bytes=GIB, max_document_decompressed_bytes=4 * MIB
    )

    with pytest.raises(DocumentRejected, match=r"The document expands to more than 4 MB"):
        extract_pages_bounded(zeros_bomb_pdf(64 * MIB), limits)


# Laying out the text operators' bomb takes over 30 s and 2 GB: the timing tests give memory room
# enough that only the time limit under test can stop the reader (with 1.5 GB, memory sometimes
# ran out first within the half second).
ROOM = 8 * GIB


def test_a_page_that_takes_too_long_is_refused() -> None:
    # 2 MB of text operators is under the byte limits but is ~30,000 strings to lay out.
    limits = dataclasses.replace(LIMITS, page_timeout_seconds=0.5, memory_bytes=ROOM)

    with pytest.raises(DocumentRejected, match=r"Page 1 took longer than 0.5 seconds"):
        extract_pages_bounded(text_operators_bomb_pdf(2 * MIB), limits)


def test_a_document_that_takes_too_long_is_killed() -> None:
    limits = dataclasses.replace(LIMITS, document_timeout_seconds=1, memory_bytes=ROOM)

    with pytest.raises(DocumentRejected, match=r"took longer than 1 seconds \(the limit per document\)"):
        extract_pages_bounded(text_operators_bomb_pdf(2 * MIB), limits)


def test_a_reader_over_its_memory_limit_is_stopped() -> None:
    limits = dataclasses.replace(
        LIMITS,
        max_page_decompressed_bytes=4 * GIB,
        max_document_decompressed_bytes=4 * GIB,
        memory_bytes=512 * MIB,
    )

    with pytest.raises(DocumentRejected, match=r"needed more than 512 MB of memory"):
        extract_pages_bounded(zeros_bomb_pdf(GIB), limits)
