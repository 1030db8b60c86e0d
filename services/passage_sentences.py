"""A passage cut into quotable sentences, with its headings taken off.

Chunks keep a heading on a line of its own (`adapters.pdf_text` tells it by the PDF's
lines), and such a line is no sentence. Chunks stored before that have their line breaks
flattened, so a page's heading ("Birchwood Medical Centre - Patient Guide", "Opening
hours") runs straight into the first sentence under it; there a heading is recognised by
its shape: a short run of words without sentence punctuation, not opening like a clause,
that ends just before a capitalised word starting a sentence. When in doubt a prefix is
kept: a heading left in reads worse than a sentence cut in half.
"""

import re
from collections.abc import Iterable

from adapters.pdf_layout import HEADING_MAX_WORDS, ITEM_BULLET

# Full stops that do not end a sentence.
_ABBREVIATION = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Prof|St|No|Nr|approx|incl|e\.g|i\.e|etc|vs|ca)\.$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_HEADING_MAX_LOWERCASE_WORDS = 4
_SEPARATORS = {"-", "–", "—", "|", "·"}
# Words that end no heading (a heading ends on a noun), and that start a clause, not a heading.
_FUNCTION_WORDS = {
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "in", "into", "is", "it",
    "may", "must", "not", "of", "on", "or", "our", "please", "should", "than", "that", "the",
    "their", "this", "to", "we", "will", "with", "you", "your",
}  # fmt: skip
_CLAUSE_OPENERS = {
    "a", "after", "all", "an", "any", "ask", "at", "before", "bring", "call", "do", "don't", "each",
    "for", "he", "how", "i", "if", "in", "it", "its", "keep", "most", "no", "on", "our", "please",
    "she", "some", "tell", "that", "the", "there", "these", "they", "this", "to", "we", "what",
    "when", "where", "you", "your",
}  # fmt: skip
_ITEM = f"{ITEM_BULLET} "
_TITLES = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof.", "st", "st."}


def split_sentences(text: str) -> list[str]:
    """The sentences of a passage, headings left out, abbreviations ("Dr.") not taken as ends.

    A list item or a table row (a line opening with the bullet `adapters.pdf_layout` writes) is
    a sentence of its own, punctuated or not."""
    lines = [line for line in text.split("\n") if line.strip()]
    body = [
        line
        for i, line in enumerate(lines)
        if i == len(lines) - 1 or line.startswith(_ITEM) or not _is_heading_line(line)
    ]
    return [sentence for line in body for sentence in _sentences(line.removeprefix(_ITEM))]


def join_sentences(sentences: Iterable[str]) -> str:
    """Sentences one after another, a list item or table row without an ending given a full stop
    ("Saturday 9:00 - 12:00. On public holidays the practice is closed.")."""
    return " ".join(s if _LINE_END.search(s) else f"{s}." for s in sentences)


def _is_heading_line(line: str) -> bool:
    """A short line followed by another that ends without sentence punctuation: a heading kept
    apart (a paragraph ending in a list's lead-in, "... Dial 999 if your child", is no heading)."""
    return not _LINE_END.search(line) and len(line.split()) <= HEADING_MAX_WORDS


_LINE_END = re.compile(r"[.!?:;]\W*$")


def _sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(flat):
        piece = flat[start : match.start()]
        if _ABBREVIATION.search(piece):
            continue
        sentences.append(piece)
        start = match.end()
    sentences.append(flat[start:])
    return [s.strip() for s in sentences if s.strip()]


def strip_headings(sentence: str) -> str:
    """The sentence without the heading lines flattened onto its start (possibly several)."""
    while True:
        words = sentence.split(" ")
        cut = _heading_end(words)
        if cut is None:
            return sentence
        sentence = " ".join(words[cut:])


def _heading_end(words: list[str]) -> int | None:
    """The index of the word after a leading heading, if the sentence starts with one."""
    if not words or not _capitalised(words[0]) or words[0].lower() in _CLAUSE_OPENERS:
        return None
    lowercase = 0
    for i in range(1, min(len(words) - 3, HEADING_MAX_WORDS + 1)):
        previous, word = words[i - 1], words[i]
        if previous[-1:] in ".!?;:" and previous not in _SEPARATORS:
            return None  # sentence punctuation: not a heading
        if previous[:1].islower():
            lowercase += 1
            if lowercase > _HEADING_MAX_LOWERCASE_WORDS:
                return None
        if not _capitalised(word) or previous.lower().strip(",") in _FUNCTION_WORDS:
            continue
        if previous in _SEPARATORS or previous.lower() in _TITLES:
            continue
        starts_sentence = words[i + 1][:1].islower() or words[i + 1][:1].isdigit()
        after_lowercase = previous[:1].islower()  # "Opening hours | Monday to Friday we are..."
        opener = word.lower() in _CLAUSE_OPENERS  # "Cancellations | Please tell us..."
        after_title_line = (
            bool(_SEPARATORS & set(words[:i])) and starts_sentence
        )  # "Clinic - Guide | Welcome to"
        if (after_lowercase and starts_sentence) or opener or after_title_line:
            return i
    return None


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


# Words that carry no content in a question ("how long do I ...?"): left out of the lexical overlap.
_STOP_WORDS = set(
    "a about after am an and any are as at be before being by can could did do does for from get got had "
    "has have how i i'm if in into is it its me my of on or our please should so some than that the their "
    "them then there these they this to up was we what when where which who whom why will with would you "
    "your".split()
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*", re.IGNORECASE)


def content_terms(text: str) -> set[str]:
    """The text's content words, crudely stemmed ("cheques", "cheque" -> "chequ"), for lexical overlap."""
    return {_stem(word) for word in _WORD.findall(text) if word.lower() not in _STOP_WORDS}


def _stem(word: str) -> str:
    word = word.lower().strip("'-")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word
