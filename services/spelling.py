"""Typos in a question mended against the clinic's own words before it is searched.

Patients type on phones: "opnening hours", "perscription". A misspelt word is a different
word to the embedding model and to the lexical match, so one typo in a question's topic word
made the offline assistant refuse questions it answered when typed cleanly (bench/answers.py
--typos). Each ready knowledge-base document keeps its words and their counts
(`documents.vocabulary`, written by ingestion). A question's word that is none of them, shares
no stem with one, and is no English word (pyspellchecker's list of about 160,000: "nappy" and
"amoxicillin" are words; and, as that list lacks words of today, the 29,000 words people write
most often by wordfreq's count, at least once in a million words: "wifi", "vaping" and "texted"
were mended into "wife", "raping" and "tested") becomes the nearest word one edit away (a
letter added, dropped, changed, or two swapped; two edits for words of eight letters or more):
the knowledge base's own words first, the more frequent first, then the 30,000 commonest
English words ("sohuld" -> "should"). A capitalised word inside a sentence (a day, a name, a
brand) is mended only to the knowledge base's words ("Sautrday" -> "Saturday"; "Amex" stays).
Anything further is left as typed. Only the searched text is mended: the conversation keeps
what the patient wrote.
"""

import asyncio
import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import process
from rapidfuzz.distance import OSA
from spellchecker import SpellChecker
from wordfreq import iter_wordlist, zipf_frequency

from persistence.repositories.documents import DocumentRepository
from services.passage_sentences import content_terms

MIN_WORD_LENGTH = 4  # shorter words have too many neighbours one edit away
LONG_WORD_LENGTH = 8  # from here two edits are mended
CANDIDATES = 5
COMMON_CANDIDATES = 30_000
# Words written at least this often (Zipf: 3 is once in a million words) are English words.
CURRENT_WORD_ZIPF = 3.0
# A lowercase word, or one with a capital first letter; acronyms ("MRI") are left as typed.
_WORD = re.compile(r"\b[A-Za-z][a-z]+\b")
_LETTERS = re.compile(r"[A-Za-z]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?;:]\s*)\W*$")


def word_counts(texts: Iterable[str]) -> dict[str, int]:
    """The words of a document (lowercase, three letters or more) and how often each occurs."""
    counts = Counter(word.lower() for text in texts for word in _LETTERS.findall(text) if len(word) >= 3)
    return dict(counts)


@dataclass(frozen=True)
class EnglishWords:
    known: frozenset[str]  # never mended
    commonest: tuple[str, ...]  # the most frequent first: the words a typo may become


@functools.cache
def english_words() -> EnglishWords:
    """English words (lowercase): pyspellchecker's and wordfreq's current ones, read once per
    process (about 0.6 s, in a thread, at the first question)."""
    frequency = dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)
    commonest = sorted(frequency, key=lambda word: (-frequency[word], word))[:COMMON_CANDIDATES]
    by_frequency = iter_wordlist("en")  # the most frequent first
    current = itertools.takewhile(lambda word: zipf_frequency(word, "en") >= CURRENT_WORD_ZIPF, by_frequency)
    return EnglishWords(frozenset(frequency).union(current), tuple(commonest))


class Speller:
    """Mends a text's words against the knowledge base's vocabulary (word -> count), then English."""

    def __init__(self, vocabulary: Mapping[str, int], english: EnglishWords) -> None:
        self._vocabulary = dict(vocabulary)
        self._english = english.known
        self._stems = content_terms(" ".join(self._vocabulary))
        # The clinic's words first, the more frequent first; then English words by frequency.
        self._clinic = sorted(self._vocabulary, key=lambda word: (-self._vocabulary[word], word))
        common = (word for word in english.commonest if word not in self._vocabulary)
        self._candidates = [*self._clinic, *common]
        self._rank = {word: rank for rank, word in enumerate(self._candidates)}

    def correct(self, text: str) -> str:
        return _WORD.sub(self._mended_match, text)

    def _mended_match(self, match: re.Match[str]) -> str:
        # A capital inside a sentence names a day, someone or something ("Sautrday", "Amex"): only
        # the knowledge base's own words may mend it, not English ones ("Amex" is no "amen").
        word = match.group(0)
        named = word[0].isupper() and not _SENTENCE_START.search(match.string, 0, match.start())
        return self._mended(word, self._clinic if named else self._candidates)

    def _mended(self, word: str, candidates: list[str]) -> str:
        lower = word.lower()
        if len(lower) < MIN_WORD_LENGTH or lower in self._vocabulary or lower in self._english:
            return word
        if content_terms(lower) <= self._stems:  # "cheque" beside the documents' "cheques"
            return word
        edits = 1 if len(lower) < LONG_WORD_LENGTH else 2
        found = process.extract(lower, candidates, scorer=OSA.distance, score_cutoff=edits, limit=CANDIDATES)
        if not found:
            return word
        nearest, _, _ = min(found, key=lambda hit: (hit[1], self._rank[hit[0]]))
        return nearest.capitalize() if word[0].isupper() else nearest


class KnowledgeBaseSpelling:
    """This process's speller for the knowledge base as it is now: built again from the
    documents' vocabularies when one of them is added, read again or removed."""

    def __init__(self) -> None:
        self._built: tuple[tuple[int, datetime | None], Speller] | None = None

    async def speller(self, documents: DocumentRepository) -> Speller:
        version = await documents.knowledge_base_version()
        if self._built is None or self._built[0] != version:  # two at once may both build it: no harm
            vocabulary = await documents.knowledge_base_vocabulary()
            english = await asyncio.to_thread(english_words)
            self._built = (version, await asyncio.to_thread(Speller, vocabulary, english))
        return self._built[1]
