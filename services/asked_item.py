"""A question about one thing is answered only by sentences about that thing.

Two kinds of question name a thing the answer must be about, and the embedding model's
similarity alone misses when the documents speak of a neighbour instead:
- a price ("How much do prescription sunglasses cost?"): every sentence holding a price looks
  like an answer, the cost words carrying much of both, and an unlisted item's price was
  answered with a listed one's ("A contact lens fitting costs 45 pounds");
- whether the clinic offers it ("Do you offer sedation for nervous patients?"): a sentence on
  the question's other words ("Dr. Reid also treats nervous patients") was quoted as the answer.
A question asking for a phone number ("What is Dr. Kowalski's mobile number?") is answered only
by a quote holding one: "Dr. Anna Kowalski and Dr. James Reid are our dentists" is no answer.

The thing asked about is read off the question: what is left of it without its question,
cost and function words ("prescription sunglasses"; for an offer, the words after the verb up
to a place or a clause: "sedation"). A price question is answerable when a sentence of the
passages prices the same thing (`prices_item`); an offer question when the quote holds each of
the thing's words, or a phrase near it in meaning (`mentions_item`). Either is "the same thing"
by its words (a word matching another it begins: "travel" and "travelling") or its meaning
(MiniLM's similarity of the short names). A question whose thing is a clause ("What does it
cost to speak to a doctor?") or a pronoun ("How much do they cost?", a follow-up) is left to the
general rule: its thing cannot be read off this way.
"""

import re
from collections.abc import Sequence

import numpy as np

from adapters.embeddings import Embedder
from services.passage_sentences import content_terms

# Two short names of one thing score above this ("teeth whitening" and "Tooth whitening" 0.96,
# "first visit" and "initial assessment" 0.41), two things of one clinic's price list mostly
# below ("hydrotherapy pool session" and "block of six follow-up treatments" 0.31); some score
# above ("prescription sunglasses" and "Children's glasses" 0.59), where the general rule
# decides as before.
SAME_PRICED_ITEM_SIMILARITY = 0.4
SAME_PRICED_ITEM_WORD_SHARE = 0.5
# An offered thing against every phrase of one or two words of the quote: the best of many
# short phrases runs higher than one name against another ("flu jabs" and "flu vaccine" 0.79,
# "sedation" and "nervous patients" 0.45).
MENTIONED_ITEM_SIMILARITY = 0.6
_PHRASE_WORDS = 2
_PREFIX_CHARS = 5

# A question may open with a word joining it to an earlier one ("And do you offer ...?").
_OPENING = re.compile(r"^(?:and|also|so|but|then|ok|okay),?\s+", re.IGNORECASE)
_ASKS_PRICE = re.compile(
    r"^(?:how much(?:'s| is| are| does| do| will| would| for)\b"
    r"|what(?:'s| is| are| does| do| will| would)?\b.*\b(?:costs?|prices?|fees?|charges?)\b)",
    re.IGNORECASE,
)
_ASKS_OFFER = re.compile(
    r"^(?:(?:do|does) (?:you|the \w+|your \w+) (?:offer|do|provide|sell|have|treat|perform|stock|run|fit)"
    r"|(?:can|could|may) (?:i|we|my \w+) (?:get|have|buy|book|order|arrange|receive)"
    r"|(?:is|are) there(?: an?| any| some)?)"
    r"\s+(?P<item>.+?)[?.!]*$",
    re.IGNORECASE,
)
# A phone number asked for; not a count ("What is the number of free sessions?").
_ASKS_NUMBER = re.compile(
    r"\b(?:phone|telephone|mobile|contact|fax) numbers?\b"
    r"|^what numbers? (?:do|should|can|shall) (?:i|we) (?:call|ring|dial|phone|text)\b"
    r"|^what(?:'s| is)? the numbers? (?:for|of)\b.*\b(?:line|service|desk|reception|team|office)\b",
    re.IGNORECASE,
)
# Three digits or more, in groups ("999", "0300 555 0199"); not a time, a price or a decimal.
_PHONE_NUMBER = re.compile(r"(?<![\d:.,$€£])\d{3,}(?:[ -]\d{2,})*(?![\d:.,]\d)")
# Where an offered thing ends: a place, a time, a purpose or a clause after it.
_ITEM_END = re.compile(
    r"\s+(?:at|in|here|for|during|on|from|with|inside|near|by|before|after|while|if|when|who|which|that|as)\b.*$",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"[$€£]\s?\d+(?:[.,]\d+)*|\b\d+(?:[.,]\d+)*\s?(?:dollars?|euros?|pounds?|EUR|USD|GBP)\b"
    r"|\bfree(?: of charge)?\b|\bno charge\b",
    re.IGNORECASE,
)
_NOT_ITEM = re.compile(
    r"\b(?:how much|what's|what|is|are|does|do|will|would|it|costs?|prices?|priced|fees?|charges?|charged"
    r"|me|my|your|our|you|we|a|an|the|for|of|from|and|plus|with|or)\b|[?!,.;:]",
    re.IGNORECASE,
)
# An item holding one of these is a clause, not a thing.
_CLAUSE = re.compile(
    r"\b(?:if|when|to|i|i'm|after|before|they|them|it|this|that|these|those)\b", re.IGNORECASE
)
# Words that name no thing ("someone who specialises", "vaccinated against yellow fever").
_NO_THING = frozenset(
    "against over under without through someone somebody anyone anybody something anything "
    "somewhere anywhere one ones out off".split()
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")


def answers_asked_item(
    question: str, sentences: Sequence[str], quoted: Sequence[str], embedder: Embedder
) -> bool:
    """Whether the passages' `sentences` price, or the `quoted` ones mention, the thing the
    question asks about, and a question asking for a phone number is quoted one; True when it
    asks about no one thing."""
    if _ASKS_NUMBER.search(_OPENING.sub("", question.strip())):
        return any(_PHONE_NUMBER.search(sentence) for sentence in quoted)
    if (item := priced_item_asked(question)) is not None:
        return prices_item(item, sentences, embedder)
    if (item := offered_item_asked(question)) is not None:
        return mentions_item(item, quoted, embedder)
    return True


def priced_item_asked(question: str) -> str | None:
    """What a price question asks the price of ("prescription sunglasses"); None when the question
    asks no price, or its item is a clause or a pronoun."""
    question = _OPENING.sub("", question.strip())
    if not _ASKS_PRICE.search(question):
        return None
    return _thing(_NOT_ITEM.sub(" ", question))


def offered_item_asked(question: str) -> str | None:
    """What a question asks whether the clinic offers ("Do you offer dental implants?" ->
    "dental implants"); None for any other question."""
    asked = _ASKS_OFFER.match(_OPENING.sub("", question.strip()))
    if asked is None:
        return None
    return _thing(_NOT_ITEM.sub(" ", _ITEM_END.sub("", asked["item"])))


def priced_items(sentence: str) -> list[str]:
    """The items a sentence gives a price for: the words before each amount, and the whole
    sentence without its amounts ("Check-up 45 euros." -> ["Check-up"])."""
    if not _AMOUNT.search(sentence):
        return []
    items: list[str] = []
    start = 0
    for amount in _AMOUNT.finditer(sentence):
        items.append(_words(_NOT_ITEM.sub(" ", sentence[start : amount.start()])))
        start = amount.end()
    items.append(_words(_NOT_ITEM.sub(" ", _AMOUNT.sub(" ", sentence))))
    return list(dict.fromkeys(item for item in items if item))


def prices_item(item: str, sentences: Sequence[str], embedder: Embedder) -> bool:
    """Whether one of the sentences gives a price for `item` (one small embedding batch)."""
    priced = list(dict.fromkeys(p for sentence in sentences for p in priced_items(sentence)))
    if not priced:
        return False
    if any(_word_share(item, p) >= SAME_PRICED_ITEM_WORD_SHARE for p in priced):
        return True
    return _nearest(item, priced, embedder) >= SAME_PRICED_ITEM_SIMILARITY


def mentions_item(item: str, sentences: Sequence[str], embedder: Embedder) -> bool:
    """Whether the sentences hold each of the item's words, or a short phrase near it in meaning
    (embedded in one small batch, only when a word is missing)."""
    text = " ".join(sentences)
    if _word_share(item, text) == 1:
        return True
    words = [w.lower() for w in _WORD.findall(text) if content_terms(w)]
    phrases = {
        " ".join(words[i : i + n]) for n in range(1, _PHRASE_WORDS + 1) for i in range(len(words) - n + 1)
    }
    return bool(phrases) and _nearest(item, sorted(phrases), embedder) >= MENTIONED_ITEM_SIMILARITY


def _thing(words: str) -> str | None:
    item = _words(" ".join(w for w in words.split() if w.lower() not in _NO_THING))
    if not item or _CLAUSE.search(item) or not content_terms(item):
        return None
    return item


def _nearest(item: str, names: Sequence[str], embedder: Embedder) -> float:
    vectors = np.asarray(embedder.embed([item, *names]), dtype=np.float32)
    return float((vectors[1:] @ vectors[0]).max())


def _word_share(item: str, text: str) -> float:
    """The share of the item's content words the text holds, a word matching another it begins
    ("travel" and "travelling")."""
    wanted, held = content_terms(item), content_terms(text)
    found = [w for w in wanted if any(w == h or _same_word(w, h) for h in held)]
    return len(found) / len(wanted)


def _same_word(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= _PREFIX_CHARS and longer.startswith(shorter)


def _words(text: str) -> str:
    return " ".join(text.split())
