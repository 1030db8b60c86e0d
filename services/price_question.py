"""A question asking a price is answered only by the price of what it asks about.

Every sentence holding a price looks like an answer to "How much does X cost?" to the embedding
model: the cost words carry much of both. So an unlisted item's price question ("How much do
prescription sunglasses cost?") was answered with a listed one's ("A contact lens fitting costs
45 pounds"), a reply that misleads. Here the item asked about (the question without its question
and cost words: "prescription sunglasses") is compared with the priced items of the passages'
sentences (the words before each amount, and the whole sentence without its amounts: "A contact
lens fitting", "Check-up"). The question is answerable when one of them is the same thing: near
in meaning, or holding at least half of the item's content words ("care plan a month" in "The
care plan costs 18 euros a month").

A question whose item is a clause ("What does it cost to speak to a doctor?", "What is the charge
if I don't turn up?") or a pronoun ("How much do they cost?", a follow-up) is left to the
general rule: its item cannot be read off this way.
"""

import re
from collections.abc import Sequence

import numpy as np

from adapters.embeddings import Embedder
from services.passage_sentences import content_terms

# Near in meaning: MiniLM's cosine similarity of two short names. Two names of one thing score
# above this ("teeth whitening" and "Tooth whitening" 0.96, "first visit" and "initial
# assessment" 0.41), two things of one clinic's price list mostly below ("hydrotherapy pool
# session" and "block of six follow-up treatments" 0.31); some score above ("prescription
# sunglasses" and "Children's glasses" 0.59), where the general rule decides as before.
SAME_ITEM_SIMILARITY = 0.4
SAME_ITEM_WORD_SHARE = 0.5
_PREFIX_CHARS = 5

_ASKS_PRICE = re.compile(
    r"^(?:how much(?:'s| is| are| does| do| will| would| for)\b"
    r"|what(?:'s| is| are| does| do| will| would)?\b.*\b(?:costs?|prices?|fees?|charges?)\b)",
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
# An item holding one of these is a clause, not a thing with a price.
_CLAUSE = re.compile(
    r"\b(?:if|when|to|i|i'm|after|before|they|them|it|this|that|these|those)\b", re.IGNORECASE
)


def asked_item(question: str) -> str | None:
    """What a price question asks the price of ("prescription sunglasses"); None when the question
    asks no price, or its item is a clause or a pronoun."""
    if not _ASKS_PRICE.search(question.strip()):
        return None
    item = _words(_NOT_ITEM.sub(" ", question))
    if not item or _CLAUSE.search(item) or not content_terms(item):
        return None
    return item


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


def prices_asked_item(item: str, sentences: Sequence[str], embedder: Embedder) -> bool:
    """Whether one of the sentences gives a price for `item` (one small embedding batch)."""
    priced = list(dict.fromkeys(p for sentence in sentences for p in priced_items(sentence)))
    if not priced:
        return False
    if any(_word_share(item, p) >= SAME_ITEM_WORD_SHARE for p in priced):
        return True
    vectors = np.asarray(embedder.embed([item, *priced]), dtype=np.float32)
    return bool((vectors[1:] @ vectors[0]).max() >= SAME_ITEM_SIMILARITY)


def _word_share(item: str, priced: str) -> float:
    """The share of the item's content words the priced item holds, a word matching another
    it begins ("travel" and "travelling")."""
    wanted, held = content_terms(item), content_terms(priced)
    found = [w for w in wanted if any(w == h or _same_word(w, h) for h in held)]
    return len(found) / len(wanted)


def _same_word(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= _PREFIX_CHARS and longer.startswith(shorter)


def _words(text: str) -> str:
    return " ".join(text.split())
