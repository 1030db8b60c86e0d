"""An answer rewritten for the ear: what the phone line's text-to-speech reads to a caller.

Whichever answerer wrote it, the caller hears no file names, page numbers, citation marks,
headings or markdown; short sentences; times and prices in the words a voice reads
naturally ("9 am to 1 pm", "40 dollars"); and no more than the configured characters,
cut at a sentence end. An answer to several questions, a paragraph each, is cut paragraph by
paragraph: each keeps its first sentences, so a caller who asked two things hears both answers
(or that one was not found), not the whole first answer alone.
"""

import re

from services.passage_sentences import split_sentences, strip_headings

# A long sentence is split at these, each part read as a sentence of its own.
_CLAUSE_BREAK = re.compile(r"\s*[;:]\s+|\s+[–—]\s+")
_LONG_SENTENCE_CHARS = 140
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SOURCE = re.compile(
    r"\s*\((?:[^()]*\.pdf|page \d+)[^()]*\)|\[\d{1,3}\]|\b[\w.-]+\.pdf\b|,?\s*\bpages? \d+\b", re.IGNORECASE
)
_QUOTE_PREAMBLE = re.compile(r"^Here is what .*? say[^:]*:\s*", re.IGNORECASE)
_DISCLAIMER = re.compile(r"This is not medical advice\..*$", re.IGNORECASE | re.DOTALL)
_MARKUP = re.compile(r"[*_#`>\"“”]+|https?://\S+|^[ \t]*[-•][ \t]+", re.MULTILINE)
# A range of times written with a dash ("8:00 - 18:00", "9am–1pm"): read "to", not "minus".
_CLOCK = r"\d{1,2}(?::[0-5]\d\s?(?:am|pm)?|\s?(?:am|pm))"
_TIME_RANGE = re.compile(rf"\b({_CLOCK})\s*[-–—]\s*({_CLOCK})\b", re.IGNORECASE)
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b(?!\s*(?:am|pm|a\.m\.|p\.m\.))", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"(?P<symbol>[$€£])\s?(?P<amount>\d+(?:[.,]\d{1,2})?)")
_CURRENCY_AFTER = re.compile(r"(?P<amount>\d+(?:[.,]\d{1,2})?)\s?(?P<symbol>€|EUR\b|USD\b|GBP\b)")
_CURRENCY_NAMES = {
    "$": "dollars",
    "USD": "dollars",
    "€": "euros",
    "EUR": "euros",
    "£": "pounds",
    "GBP": "pounds",
}
_WORDS = [
    (re.compile(r"\bDr\.?(?=\s+[A-Z])"), "Doctor"),
    (re.compile(r"\be\.g\.", re.IGNORECASE), "for example"),
    (re.compile(r"\bi\.e\.", re.IGNORECASE), "that is"),
    (re.compile(r"\bapprox\.", re.IGNORECASE), "about"),
    (re.compile(r"\s&\s"), " and "),
    (re.compile(r"(\d)\s?%"), r"\1 percent"),
    (re.compile(r"(\d)\s?km\b"), r"\1 kilometres"),
    (re.compile(r"\bmin\.?(?=\s|$)"), "minutes"),
]


def spoken_answer(text: str, max_chars: int) -> str:
    """`text` as a caller should hear it, at most `max_chars` long."""
    text = _QUOTE_PREAMBLE.sub("", text.strip())
    text = _DISCLAIMER.sub("", text)
    text = _SOURCE.sub("", text)
    text = _MARKUP.sub(" ", text)
    paragraphs = [_spoken_sentences(paragraph) for paragraph in _PARAGRAPH_BREAK.split(text)]
    return _within_shares([p for p in paragraphs if p], max_chars)


def _spoken_sentences(paragraph: str) -> list[str]:
    sentences: list[str] = []
    for sentence in split_sentences(paragraph):
        sentences.extend(_short_sentences(_speakable(strip_headings(sentence))))
    return sentences


def _speakable(sentence: str) -> str:
    sentence = _CURRENCY_BEFORE.sub(_amount, sentence)
    sentence = _CURRENCY_AFTER.sub(_amount, sentence)
    sentence = _TIME_RANGE.sub(r"\1 to \2", sentence)
    sentence = _TIME.sub(_clock_time, sentence)
    for pattern, spoken in _WORDS:
        sentence = pattern.sub(spoken, sentence)
    return " ".join(sentence.split())


def _amount(match: re.Match[str]) -> str:
    amount = match["amount"].replace(",", ".")
    if amount.endswith((".00", ".0")):
        amount = amount.split(".")[0]
    symbol = match["symbol"]
    return f"{amount} {_CURRENCY_NAMES[symbol.upper() if symbol.isalpha() else symbol]}"


def _clock_time(match: re.Match[str]) -> str:
    """A 24-hour time as it is said: 13:00 → 1 pm, 7:30 → 7:30 am, 12:00 → 12 noon."""
    hour, minute = int(match[1]), match[2]
    if hour == 0 and minute == "00":
        return "midnight"
    if hour == 12 and minute == "00":
        return "12 noon"
    suffix = "am" if hour < 12 else "pm"
    hour = hour % 12 or 12
    return f"{hour} {suffix}" if minute == "00" else f"{hour}:{minute} {suffix}"


def _short_sentences(sentence: str) -> list[str]:
    """A long sentence as several, split where a semicolon, colon or dash joins two clauses."""
    if len(sentence) <= _LONG_SENTENCE_CHARS:
        return [_ended(sentence)] if sentence else []
    parts = [p.strip() for p in _CLAUSE_BREAK.split(sentence) if p.strip()]
    return [_ended(p[:1].upper() + p[1:]) for p in parts]


def _ended(sentence: str) -> str:
    sentence = sentence.rstrip(" ,")
    return sentence if sentence[-1:] in ".!?" else sentence + "."


def _within_shares(paragraphs: list[list[str]], max_chars: int) -> str:
    """The paragraphs' first sentences within `max_chars`: each has an even share of what the
    shorter ones leave, so a short paragraph is said whole and the long ones are cut."""
    room = max_chars - (len(paragraphs) - 1)  # a space between paragraphs
    said = [""] * len(paragraphs)
    by_length = sorted(range(len(paragraphs)), key=lambda i: len(" ".join(paragraphs[i])))
    for done, i in enumerate(by_length):
        said[i] = _within(paragraphs[i], room // (len(paragraphs) - done))
        room -= len(said[i])
    return " ".join(filter(None, said))


def _within(sentences: list[str], max_chars: int) -> str:
    spoken = ""
    for sentence in sentences:
        candidate = f"{spoken} {sentence}".strip()
        if len(candidate) > max_chars:
            break
        spoken = candidate
    if spoken or not sentences:
        return spoken
    cut = sentences[0][: max_chars - 1].rsplit(" ", 1)[0]  # one sentence longer than the limit
    return cut.rstrip(" ,;:") + "."
