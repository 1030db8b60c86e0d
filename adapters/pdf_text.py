"""Text out of uploaded PDFs, page by page, and its split into chunks for embedding.

pdfplumber is pure Python and slow (a second or more per dense page), so this runs in the
worker, never in the API. Anything that makes a file unusable for good (a password, a
broken file, too many pages, no text layer) is a `DocumentRejected` whose message is shown
to the uploader; retrying would not help.
"""

import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from adapters.pdf_columns import page_text
from adapters.pdf_layout import ITEM_BULLET, Kind, blocks, longest_line, without_contents, without_furniture
from kernel.typography import plain

# Characters: all-MiniLM-L6-v2 reads at most 256 word pieces (~1,000 characters of English),
# so a chunk much longer than that would be cut off when embedded.
CHUNK_TARGET = 1000
CHUNK_MAX = 1200
CHUNK_OVERLAP = 150
# A chunk at least this long ends at a paragraph break rather than running into the next one.
PARAGRAPH_BREAK_MIN = 600

_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")
_HYPHENATED_LINE_END = re.compile(r"(?<=[a-zäöüß])-\n(?=[a-zäöüß])")
_WHITESPACE = re.compile(r"\s+")


class DocumentRejected(Exception):
    """A permanent failure; `reason` is written for the person who uploaded the file."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TextChunk:
    page: int  # 1-based
    text: str


def extract_pages(data: bytes, *, max_pages: int, on_page: Callable[[int], None] | None = None) -> list[str]:
    """The text of each page (empty for a page without a text layer), in this process.

    `on_page(number)` is called before each page is read (the bounded reader starts its
    page budget and timer there). Uploads are read through `adapters.bounded_pdf`.
    """
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            page_count = len(pdf.pages)
            if page_count > max_pages:
                raise DocumentRejected(
                    f"The document has {page_count} pages; at most {max_pages} are accepted."
                )
            pages: list[str] = []
            for number, page in enumerate(pdf.pages, start=1):
                if on_page is not None:
                    on_page(number)
                pages.append(plain(page_text(page)))
                # Layout objects of a page are cached until the file closes: free them as we go.
                page.close()
    except DocumentRejected:
        raise
    except Exception as exc:
        # A limit reached inside pdfminer may come back wrapped by pdfplumber.
        limit = _limit_reached(exc)
        if limit is exc:
            raise
        if limit is not None:
            raise limit from exc
        if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], PDFPasswordIncorrect):
            raise DocumentRejected("The PDF is password-protected; upload it without a password.") from exc
        # pdfminer raises assorted errors (KeyError, TypeError, PSEOF...) on malformed files.
        raise DocumentRejected("The file could not be read as a PDF; it may be damaged.") from exc
    if not any(text.strip() for text in pages):
        raise DocumentRejected("The PDF has no extractable text — is it a scanned document?")
    return pages


def _limit_reached(exc: BaseException) -> DocumentRejected | MemoryError | None:
    """A rejection or MemoryError that `exc` wraps (as its argument, cause or context), if any."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, DocumentRejected | MemoryError):
            return current
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return None


def chunk_pages(pages: Sequence[str]) -> list[TextChunk]:
    """Chunks of ~1,000 characters overlapping by ~150, never spanning two pages.

    The pages' running header and footer are left out, and headings, list items and table rows
    each keep a line of their own (`adapters.pdf_layout`), an item's marked with a bullet.
    Breaks fall between paragraphs where one is near, else between sentences, else between
    words; the overlap is the previous chunk's last sentences (or words), so a fact cut in
    two by a break is still whole in one of the chunks.
    """
    pages = without_contents(without_furniture(pages))
    width = longest_line(pages)
    chunks: list[TextChunk] = []
    for number, text in enumerate(pages, start=1):
        chunks.extend(TextChunk(number, chunk) for chunk in _chunk_text(text, width))
    return chunks


def _chunk_text(text: str, width: int) -> Iterator[str]:
    current: list[str] = []  # units of the chunk being built
    size = 0  # its length with one separator between units

    for unit, starts_paragraph in _units(text, width):
        added = len(unit) + (1 if current else 0)
        too_long = size + added > CHUNK_TARGET and (size >= CHUNK_TARGET // 2 or size + added > CHUNK_MAX)
        paragraph_break = starts_paragraph and size >= PARAGRAPH_BREAK_MIN
        if current and (too_long or paragraph_break):
            # A heading ending the chunk belongs to what follows it: it starts the next one instead.
            heading: list[str] = []
            while len(current) > 1 and _is_heading_unit(current[-1]):
                heading.insert(0, current.pop())
            yield _joined(current).strip()
            current = _overlap(current) + heading
        current.append(unit)
        size = len(_joined(current))
    if current:
        yield _joined(current).strip()


def _is_heading_unit(unit: str) -> bool:
    return unit.endswith("\n") and not unit.startswith(ITEM_BULLET)


def _joined(units: list[str]) -> str:
    """Units one space apart; a heading or an item (a unit ending in a line break) on a line of its own."""
    text = ""
    for unit in units:
        if unit.endswith("\n"):
            text = (text.rstrip() + "\n" if text else "") + unit
        else:
            text += (" " if text and not text.endswith("\n") else "") + unit
    return text


def _units(text: str, width: int) -> Iterator[tuple[str, bool]]:
    """Sentences (or pieces of over-long ones) with whether each starts a paragraph.

    A heading, a list item and a table row are each a unit of their own ending in a line break,
    and start a paragraph.
    """
    for block in blocks(_HYPHENATED_LINE_END.sub("", text), width):
        flat = _WHITESPACE.sub(" ", block.text).strip()
        if block.kind is Kind.HEADING:
            yield flat + "\n", True
        elif block.kind is Kind.ITEM:
            for piece in _split_words(flat, CHUNK_TARGET - CHUNK_OVERLAP):
                yield f"{ITEM_BULLET} {piece}\n", True
        else:
            first = True
            for sentence in _SENTENCE_END.split(flat):
                for piece in _split_words(sentence.strip(), CHUNK_TARGET - CHUNK_OVERLAP):
                    yield piece, first
                    first = False


def _split_words(text: str, limit: int) -> Iterator[str]:
    """`text` in pieces of at most `limit` characters, cut between words where possible."""
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        yield text[:cut].strip()
        text = text[cut:].strip()
    if text:
        yield text


def _overlap(units: list[str]) -> list[str]:
    """The tail of a finished chunk that starts the next: whole sentences if they fit, else words."""
    tail: list[str] = []
    size = 0
    for unit in reversed(units):
        if size + len(unit) + 1 > CHUNK_OVERLAP:
            break
        tail.insert(0, unit)
        size += len(unit) + 1
    if tail:
        return tail
    words = units[-1][-CHUNK_OVERLAP:].split(" ")
    return [" ".join(words[1:])] if len(words) > 1 else []
