"""What belongs to the business: the names, places and offerings in its own documents and configuration.

Sensitivity is about the person writing. "ד"ר אבי לוי", "הרצל 112, רחובות" or "צילום פנורמי" in a
message are the clinic's doctor, address and service when the clinic's own documents name them; they
tell nothing about the writer. :class:`BusinessTerms` indexes the business's texts as short word
sequences (each word also without its prefix letters and plural ending) so that :func:`sochen.privacy.assess`
can tell a finding that repeats the business's own words from one that is the writer's.
"""

from __future__ import annotations

from collections.abc import Iterable

from sochen.text import normalize, stems

from . import _patterns as P

__all__ = ["BusinessTerms"]

_MAX_GRAM = 3


def _key(word: str) -> str:
    """A word without a plural ending, so "כיסאות גלגלים" and "כיסא גלגלים" share their key."""
    if len(word) > 4 and word.endswith(("ים", "ות")) and not word.isascii():
        return word[:-2]
    return word


def _variants(word: str) -> set[str]:
    return {_key(word), *(_key(s) for s in stems(word))}


class BusinessTerms:
    """Word sequences (up to three words) of the business's documents, names and services."""

    def __init__(self, texts: Iterable[str], services: Iterable[str] = ()) -> None:
        grams: set[tuple[str, ...]] = set()
        for text in (*texts, *services):
            words = [m.group(0) for m in P.HEBREW_TOKEN.finditer(normalize(text))]
            for i, first in enumerate(words):
                for head in _variants(first):
                    grams.add((head,))
                    tail: tuple[str, ...] = ()
                    for word in words[i + 1 : i + _MAX_GRAM]:
                        tail = (*tail, _key(word))
                        grams.add((head, *tail))
        self._grams = frozenset(grams)
        self.services = frozenset(normalize(s) for s in services)

    def __len__(self) -> int:
        return len(self._grams)

    def covers(self, value: str) -> bool:
        """Whether the business's texts contain `value` (its first three words, in any prefixed form)."""
        words = [m.group(0) for m in P.HEBREW_TOKEN.finditer(normalize(value))][:_MAX_GRAM]
        if not words:
            return False
        rest = tuple(_key(w) for w in words[1:])
        return any((head, *rest) in self._grams for head in _variants(words[0]))
