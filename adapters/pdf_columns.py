"""A page set in columns, read one column after the other.

pdfplumber reads a page line by line across its whole width, so two columns of prose come out
interleaved ("The practice is open Monday to Friday from 8 am to For a sick note of up to seven
days you do not need"), and neither column's sentences can be quoted. A page is read as two
columns when a vertical gutter (an empty band) separates its lines, the lines crossing it are
only at its top and bottom (a title, a running header, a footer: read first and last, across
the page), and either side holds wrapped prose: lines of several words. A table's cells are
short, so a table of opening hours is still read row by row. Each column may be split again:
a tri-fold leaflet's three columns take two gutters.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

# A page is split at most this many times (three columns take two).
MAX_SPLITS = 3
# Fewer words than this: not worth a layout of its own (and too little to tell one).
MIN_WORDS = 40
# Words whose tops differ by at most this (points) are on one line.
LINE_TOLERANCE = 3.0
# Where a gutter may lie, as shares of the page's width, and how finely it is looked for (points).
GUTTER_RANGE = (0.3, 0.7)
GUTTER_STEP = 2.0
# A gutter is an empty band at least this wide (points): the gaps between words are narrower,
# however many lines happen to have one at the same place.
GUTTER_MIN_WIDTH = 8.0
# Two columns: each side of the gutter holds words of at least this many lines, and of this share
# of the lines between the page's top and bottom bands (the columns' lines need not align).
MIN_SIDE_LINES = 5
MIN_SIDE_SHARE = 0.25
# Wrapped prose: half a column's lines hold at least this many words (a table's cells hold fewer).
MIN_MEDIAN_WORDS = 4


@dataclass(frozen=True)
class _Word:
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True)
class ColumnSplit:
    gutter: float  # x of the gutter's middle
    top: float  # y where the columns start (above: lines across the page)
    bottom: float  # y where they end (below: lines across the page)


def page_text(page: Any) -> str:
    """The page's text (a pdfplumber page), its columns one after the other."""
    return _region_text(page, splits_left=MAX_SPLITS)


def _region_text(region: Any, *, splits_left: int) -> str:
    """The text of a page or part of one; either side of a gutter may be split again (a tri-fold
    leaflet's three columns: one gutter, then the other)."""
    words = [_Word(w["x0"], w["x1"], w["top"], w["bottom"]) for w in region.extract_words()]
    x0, y0, x1, y1 = region.bbox
    split = column_split(words, x0, x1) if splits_left else None
    if split is None:
        return region.extract_text() or ""
    # Within the region's box: pdfplumber refuses a region reaching outside it.
    top, bottom = min(max(split.top, y0), y1), min(max(split.bottom, y0), y1)
    across = [(x0, y0, x1, top), (x0, bottom, x1, y1)]
    columns = [(x0, top, split.gutter, bottom), (split.gutter, top, x1, bottom)]
    texts = [
        region.within_bbox(across[0]).extract_text() if top > y0 else "",
        *(_region_text(region.within_bbox(c), splits_left=splits_left - 1) for c in columns if bottom > top),
        region.within_bbox(across[1]).extract_text() if y1 > bottom else "",
    ]
    return "\n".join(text for text in texts if text and text.strip())


def column_split(words: list[_Word], left: float, right: float) -> ColumnSplit | None:
    """Where the words between x = left and x = right split into two columns, if they do."""
    if len(words) < MIN_WORDS:
        return None
    lines = _lines(words)
    best = _gutter(lines, left, right)
    if best is None:
        return None
    first, last = _column_band(lines, best)
    band = lines[first : last + 1]
    if not _filled_columns(band, best):
        return None
    top = (lines[first - 1][0].bottom + band[0][0].top) / 2 if first > 0 else band[0][0].top - 1
    below = last + 1 < len(lines)
    bottom = (
        (band[-1][0].bottom + lines[last + 1][0].top) / 2 if below else max(w.bottom for w in band[-1]) + 1
    )
    return ColumnSplit(best, top, bottom)


def _lines(words: list[_Word]) -> list[list[_Word]]:
    lines: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(word.top - lines[-1][0].top) <= LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def _gutter(lines: list[list[_Word]], left: float, right: float) -> float | None:
    """The middle of the widest-sided gutter: an empty band GUTTER_MIN_WIDTH wide or more, crossed
    only above and below the lines beside it, with at least MIN_SIDE_LINES and MIN_SIDE_SHARE of
    those lines on each side (the most on its emptier side wins); None if there is none."""
    flat = [w for line in lines for w in line]
    x0 = np.array([w.x0 for w in flat])[:, None]
    x1 = np.array([w.x1 for w in flat])[:, None]
    starts = np.cumsum([0] + [len(line) for line in lines[:-1]])
    width = right - left
    xs = np.arange(left + GUTTER_RANGE[0] * width, left + GUTTER_RANGE[1] * width, GUTTER_STEP)
    across = np.logical_or.reduceat((x0 < xs) & (xs < x1), starts, axis=0)
    on_left = np.logical_or.reduceat(x1 <= xs, starts, axis=0)
    on_right = np.logical_or.reduceat(x0 >= xs, starts, axis=0)
    sides = np.zeros(xs.size, dtype=int)  # 0: no gutter there
    for p in range(xs.size):
        inner = np.flatnonzero(~across[:, p])
        if not inner.size or across[inner[0] : inner[-1] + 1, p].any():
            continue  # crossed everywhere, or between the lines it separates
        band = slice(inner[0], inner[-1] + 1)
        fewer = min(int(on_left[band, p].sum()), int(on_right[band, p].sum()))
        if fewer >= max(MIN_SIDE_LINES, MIN_SIDE_SHARE * inner.size):
            sides[p] = fewer
    best: tuple[int, float] | None = None
    for first, last in _runs(sides > 0):
        if (last - first) * GUTTER_STEP >= GUTTER_MIN_WIDTH:
            score = int(sides[first : last + 1].min())
            if best is None or score > best[0]:
                best = (score, float(xs[first] + xs[last]) / 2)
    return None if best is None else best[1]


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """The first and last index of each run of True."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate([*flags.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def _crosses(line: list[_Word], x: float) -> bool:
    return any(w.x0 < x < w.x1 for w in line)


def _column_band(lines: list[list[_Word]], gutter: float) -> tuple[int, int]:
    inner = [i for i, line in enumerate(lines) if not _crosses(line, gutter)]
    return inner[0], inner[-1]


def _filled_columns(band: list[list[_Word]], gutter: float) -> bool:
    """Whether both columns hold wrapped prose (a table's cells are short)."""
    left = [[w for w in line if w.x1 <= gutter] for line in band]
    right = [[w for w in line if w.x0 >= gutter] for line in band]
    return _prose(left) and _prose(right)


def _prose(column: list[list[_Word]]) -> bool:
    words = sorted(len(line) for line in column if line)
    return bool(words) and words[len(words) // 2] >= MIN_MEDIAN_WORDS
