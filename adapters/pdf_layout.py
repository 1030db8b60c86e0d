"""A PDF's page text read as a layout: page furniture, headings, list items and table rows.

pdfplumber gives each page as lines in reading order and nothing more. Leaflets made with a word
processor or a design tool repeat a header and a footer on every page ("Oakridge Dental Care |
Practice guide", "Page 2 of 3"), set lists with bullet glyphs (which pdfminer writes as
"(cid:127)" when the font does not map them to text) and put opening hours and prices in
borderless tables, one row per line. Read as prose, all of that runs together into sentences
that are neither true nor quotable ("Sunday Closed On public holidays the practice is
closed. How to find us (cid:127) Address: ..."). Here a page becomes blocks: prose paragraphs,
headings, and items (a list item or a table row), each of which is quoted on its own.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

# How a chunk writes an item's line; readers of chunks (services/passage_sentences.py) take
# such a line as one quotable unit, not as a heading.
ITEM_BULLET = "•"

HEADING_MAX_WORDS = 10
HEADING_TAIL_MAX_WORDS = 3
# Lines this far from a page's top or bottom may be its running header or footer.
EDGE_LINES = 2
# A table row is a short line (at most this share of the document's longest line, which is
# prose filling the page's width) in a run of such lines, one of which holds a digit.
ROW_MAX_WIDTH = 0.6
# A list item's line at least this share of the longest line was wrapped: the next line goes on.
ITEM_WRAPPED_WIDTH = 0.8
# Lines ending in page numbers in order, this many in a row without dot leaders, are contents
# when on one of the document's first pages.
CONTENTS_MIN_RUN = 3
CONTENTS_PAGES = 3

_LIST_MARKER = re.compile(r"^(?:[•●▪■◦‣∙·*–—-]|\(cid:\d+\)|\d{1,2}[.)]|[a-zA-Z]\))\s+")
_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–]\s*\d{1,4}\s*[-–]$", re.I)
_DIGITS = re.compile(r"\d+")
# A table of contents' entry: a title, a dot leader or a space, the page number.
_CONTENTS_ENTRY = re.compile(
    r"^(?P<title>[^\d.!?:;]*[^\d\s.!?:;])(?P<leader>\s*(?:\.\s*){3,}|\s*…+\s*|\s+)(?P<page>\d{1,4})$"
)
_CONTENTS_HEADING = re.compile(r"^(?:table of )?contents$|^in this (?:guide|leaflet|booklet|handbook)$", re.I)
_LINE_ENDING_A_SENTENCE = re.compile(r"[.!?:;]\W*$")
_FUNCTION_WORD_AT_END = re.compile(
    r"\b(?:a|an|and|at|by|for|from|in|of|on|or|the|to|with|your|our)$", re.IGNORECASE
)
# Marks a running line kept on the first page it appears on: a heading there, or an item if it
# is a sentence ("Call 0300 555 0100 to book.").
_KEPT_RUNNING_LINE = "\x00"


class Kind(Enum):
    PROSE = "prose"
    HEADING = "heading"
    ITEM = "item"  # a list item or a table row


@dataclass(frozen=True)
class Block:
    kind: Kind
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def without_furniture(pages: Sequence[str]) -> list[str]:
    """The pages without their running header and footer, and without bare page numbers.

    A line at a page's edge that recurs at the edge of at least half the pages (and of two)
    is page furniture, its numbers aside ("Page 2 of 3"). It is kept once, on the first page it
    appears on (a heading there, or a quotable line if it is a sentence): a footer may hold the
    clinic's phone number.
    """
    split = [page.split("\n") for page in pages]
    seen: Counter[str] = Counter()
    for lines in split:
        seen.update({_edge_key(line) for line in _edge_lines(lines)})
    running = {key for key, count in seen.items() if count >= 2 and 2 * count >= len(pages)}
    kept: set[str] = set()
    cleaned = []
    for lines in split:
        top, bottom = _furniture_span(lines, running)
        page_lines = []
        for i, line in enumerate(lines):
            key = _edge_key(line)
            if not (i < top or i >= bottom):
                page_lines.append(line)
            elif key in running and key not in kept and not _PAGE_NUMBER.match(line.strip()):
                kept.add(key)
                page_lines.append(_KEPT_RUNNING_LINE + line.strip())
        cleaned.append("\n".join(page_lines))
    return cleaned


def without_contents(pages: Sequence[str]) -> list[str]:
    """The pages without their table of contents: its entries name every topic of the document,
    so a question about any of them found the contents page and quoted "Opening hours ..... 2".

    An entry is a line ending in a page number of the document after a dot leader ("Fees ....
    3", "Fees … 3") or, on the first pages, after a title without digits or sentence punctuation
    when at least three such lines follow one another with their page numbers in order. A
    "Contents" heading just above the entries goes with them.
    """
    cleaned = []
    for number, page in enumerate(pages, start=1):
        lines = page.split("\n")
        entries = _contents_entries(lines, len(pages), leaders_only=number > CONTENTS_PAGES)
        if entries:
            first = min(entries)
            above = next((i for i in range(first - 1, -1, -1) if lines[i].strip()), None)
            if above is not None and _CONTENTS_HEADING.match(lines[above].strip()):
                entries.add(above)
        cleaned.append("\n".join(line for i, line in enumerate(lines) if i not in entries))
    return cleaned


def _contents_entries(lines: list[str], page_count: int, *, leaders_only: bool) -> set[int]:
    """The indexes of the lines that are entries of a table of contents."""
    entries: set[int] = set()
    run: list[tuple[int, int]] = []  # (line index, page number) of consecutive entries, pages in order

    def close_run() -> None:
        if len(run) >= CONTENTS_MIN_RUN and not leaders_only:
            entries.update(i for i, _ in run)
        run.clear()

    for i, line in enumerate(lines):
        if not line.strip():
            continue
        match = _CONTENTS_ENTRY.match(line.strip())
        if match is None or not 1 <= int(match["page"]) <= page_count:
            close_run()
            continue
        if match["leader"].strip():
            entries.add(i)
        if run and int(match["page"]) < run[-1][1]:
            close_run()
        run.append((i, int(match["page"])))
    close_run()
    return entries


def _edge_key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.lower().split()))


def _edge_lines(lines: list[str]) -> list[str]:
    present = [line for line in lines if line.strip()]
    return present[:EDGE_LINES] + present[-EDGE_LINES:]


def _furniture_span(lines: list[str], running: set[str]) -> tuple[int, int]:
    """The index of the first line below the header and of the first line of the footer."""

    def furniture(line: str) -> bool:
        return not line.strip() or _edge_key(line) in running or bool(_PAGE_NUMBER.match(line.strip()))

    top, removed = 0, 0
    while top < len(lines) and furniture(lines[top]) and removed < EDGE_LINES:
        removed += bool(lines[top].strip())
        top += 1
    bottom, removed = len(lines), 0
    while bottom > top and furniture(lines[bottom - 1]) and removed < EDGE_LINES:
        removed += bool(lines[bottom - 1].strip())
        bottom -= 1
    return top, bottom


def longest_line(pages: Sequence[str]) -> int:
    return max((len(line.strip()) for page in pages for line in page.split("\n")), default=0)


def blocks(page: str, width: int) -> list[Block]:
    """The page's blocks in reading order; `width` is the document's longest line (`longest_line`)."""
    found: list[Block] = []
    current: list[str] = []
    current_kind: Kind | None = None
    for line in _read_lines(page, width):
        if current and (line.opens or line.kind is not current_kind):
            found.append(Block(current_kind or Kind.PROSE, tuple(current)))
            current = []
        if line.kind is not None:
            current.append(line.text)
            current_kind = line.kind
    if current:
        found.append(Block(current_kind or Kind.PROSE, tuple(current)))
    return found


@dataclass(frozen=True)
class _Line:
    text: str  # without its list marker
    kind: Kind | None  # None: a blank line, which ends a paragraph
    opens: bool  # starts a block (a heading, a row, a list item's first line), else goes on with one


def _read_lines(page: str, width: int) -> list[_Line]:
    lines = [_without_unmapped_glyphs(line) for line in page.split("\n")]
    read: list[_Line] = []
    for i, line in enumerate(lines):
        previous = read[-1] if read else None
        if not line:
            read.append(_Line(line, None, True))
        elif line.startswith(_KEPT_RUNNING_LINE):
            kept = line.removeprefix(_KEPT_RUNNING_LINE)
            read.append(
                _Line(kept, Kind.ITEM if _LINE_ENDING_A_SENTENCE.search(kept) else Kind.HEADING, True)
            )
        elif _LIST_MARKER.match(line):
            read.append(_Line(_LIST_MARKER.sub("", line, count=1), Kind.ITEM, True))
        elif previous and previous.kind is Kind.ITEM and line[:1].islower():
            read.append(_Line(line, Kind.ITEM, False))
        elif previous and previous.kind is Kind.ITEM and _item_wrapped(lines[i - 1], width):
            heading = _is_heading(lines, i, read)
            read.append(_Line(line, Kind.HEADING if heading else Kind.ITEM, heading))
        elif previous and previous.kind is Kind.HEADING and _heading_tail(line):
            read.append(_Line(line, Kind.HEADING, False))
        elif _in_table(lines, i, width):
            first_of_table = i == 0 or not _in_table(lines, i - 1, width)
            heading = first_of_table and _is_heading(lines, i, read)
            read.append(_Line(line, Kind.HEADING if heading else Kind.ITEM, True))
        elif _is_heading(lines, i, read):
            read.append(_Line(line, Kind.HEADING, True))
        else:
            read.append(_Line(line, Kind.PROSE, False))
    return read


def _without_unmapped_glyphs(line: str) -> str:
    """A glyph the font could not map opening a line is a bullet; anywhere else it is dropped."""
    line = line.strip()
    marker = _LIST_MARKER.match(line)
    head = line[: marker.end()] if marker else ""
    return head + _UNMAPPED_GLYPH.sub("", line[len(head) :]).strip()


def _item_wrapped(previous: str, width: int) -> bool:
    """Whether a list item's line ran to the width of the text: its next line goes on with it
    (unless that line is a heading)."""
    return len(previous) >= ITEM_WRAPPED_WIDTH * width and not _LINE_ENDING_A_SENTENCE.search(previous)


def _row_shaped(line: str, width: int) -> bool:
    return (
        bool(line)
        and len(line) <= ROW_MAX_WIDTH * width
        and not _LINE_ENDING_A_SENTENCE.search(line)
        and not _LIST_MARKER.match(line)
        and not line.startswith(_KEPT_RUNNING_LINE)
    )


def _in_table(lines: list[str], i: int, width: int) -> bool:
    """Whether line i is one of a run of two or more row-shaped lines, one of which holds a digit."""
    if not _row_shaped(lines[i], width):
        return False
    start = i
    while start > 0 and _row_shaped(lines[start - 1], width):
        start -= 1
    end = i + 1
    while end < len(lines) and _row_shaped(lines[end], width):
        end += 1
    run = lines[start:end]
    return len(run) >= 2 and any(c.isdigit() for line in run for c in line)


def _is_heading(lines: list[str], i: int, read: list[_Line]) -> bool:
    """A short capitalised line ending without punctuation (or a digit), after a sentence's end or
    an item, before a capitalised line: kept on a line of its own, never quoted."""
    line = lines[i]
    words = line.split()
    rest = [_LIST_MARKER.sub("", n.lstrip(_KEPT_RUNNING_LINE), count=1) for n in lines[i + 1 :] if n]
    if len(rest) > 1 and _heading_tail(rest[0]):
        rest = rest[1:]  # the heading wrapped onto the next line (a narrow column)
    following = rest[0] if rest else ""
    before = next((b for b in reversed(read) if b.kind is not None), None)
    return (
        0 < len(words) <= HEADING_MAX_WORDS
        and not line[:1].islower()
        and not _LINE_ENDING_A_SENTENCE.search(line)
        and not line.endswith((",", "-", "–"))
        and not any(c.isdigit() for c in line)
        and not _FUNCTION_WORD_AT_END.search(line)
        and following[:1].isupper()
        and (before is None or _ends_a_unit(before))
    )


def _heading_tail(line: str) -> bool:
    """The last words of a heading wrapped onto a line of their own ("Growth and development" /
    "checks"): a few lowercase words without sentence punctuation or digits."""
    return (
        line[:1].islower()
        and len(line.split()) <= HEADING_TAIL_MAX_WORDS
        and not _LINE_ENDING_A_SENTENCE.search(line)
        and not any(c.isdigit() for c in line)
    )


def _ends_a_unit(line: _Line) -> bool:
    # A line before a heading may itself be one (a page's title above a section's name).
    words = len(line.text.split())
    heading_shaped = 0 < words <= HEADING_MAX_WORDS and not _LINE_ENDING_A_SENTENCE.search(line.text)
    return (
        line.kind in (Kind.HEADING, Kind.ITEM)
        or bool(_LINE_ENDING_A_SENTENCE.search(line.text))
        or heading_shaped
    )
