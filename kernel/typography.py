"""Text as patients type it: the characters typesetters and phone keyboards substitute, made plain.

A clinic's PDF, set by a word processor or a design tool, says "doctor’s", "ﬁlling" or
"check‑up" (a curly apostrophe, a ligature, a non-breaking hyphen), and a phone's keyboard
sends "doctor’s" too, while others type "doctor's". To the embedding model and to the lexical
match these are different words. The documents' text (at ingestion) and the questions (when
searched) are both read through `plain`, so they meet.
"""

import re
import unicodedata

# What NFKC leaves: quotation marks, hyphens and the fraction slash it makes of "½".
_PLAIN = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2044": "/",
    }
)  # fmt: skip
# Control characters: a glyph the PDF's font maps to no character comes out as NUL, which
# PostgreSQL cannot store in text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A soft hyphen is printed only where a line breaks inside a word: there it joins the two halves.
_SOFT_HYPHEN_BREAK = re.compile("\u00ad[ \t]*\n[ \t]*")


def plain(text: str) -> str:
    """Compatibility characters (ligatures, non-breaking spaces, full-width forms) as their plain
    letters (NFKC), typographic quotes and hyphens as the keyboard's, soft hyphens and control
    characters (but line breaks and tabs) gone."""
    text = _CONTROL.sub("", _SOFT_HYPHEN_BREAK.sub("", text).replace("\u00ad", ""))
    return unicodedata.normalize("NFKC", text).translate(_PLAIN)
