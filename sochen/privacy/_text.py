"""Normalised text with a map back to the original offsets.

Matching runs on :func:`sochen.text.normalize`-style text (no niqqud, no bidi or zero-width
controls, unified geresh/gershayim and maqaf, lower case), but every finding must point into the
ORIGINAL string. Normalising character by character keeps that map: each output character
remembers the index of the input character it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sochen.text import normalize

__all__ = ["Normalized", "normalize_with_offsets"]

# Text made only of ASCII and plain Hebrew letters normalises one character to one character
# (NFC leaves it alone and lower() keeps ASCII lengths), so the offsets are the identity.
_NEEDS_MAP = re.compile(r"[^\x00-\x7f\u05d0-\u05ea]")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised `text` and, unless the mapping is the identity, the original index of each character."""

    text: str
    offsets: tuple[int, ...] | None
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span [start, end) of the normalised text to the original text."""
        if self.offsets is None:
            return start, end
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return pos, pos
        stop = self.offsets[end - 1] + 1
        # Niqqud on the last letter belongs to the span (it was dropped from the normalised text).
        while stop < len(self.original) and _is_mark(self.original[stop]):
            stop += 1
        return self.offsets[start], stop


def _is_mark(c: str) -> bool:
    return "\u0591" <= c <= "\u05c7" and c not in "\u05be\u05c0\u05c3\u05c6"


@lru_cache(maxsize=8192)
def _char(c: str) -> str:
    return normalize(c)


def normalize_with_offsets(text: str) -> Normalized:
    """Normalise `text` for matching and keep the way back to its offsets."""
    if not _NEEDS_MAP.search(text):
        return Normalized(text.lower(), None, text)
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    # Plain runs (ASCII, Hebrew letters) map one to one; only the other characters go one by one.
    for m in _NEEDS_MAP.finditer(text):
        i = m.start()
        if i > pos:
            parts.append(text[pos:i].lower())
            offsets.extend(range(pos, i))
        n = _char(text[i])
        if n:
            parts.append(n)
            offsets.extend([i] * len(n))
        pos = i + 1
    if pos < len(text):
        parts.append(text[pos:].lower())
        offsets.extend(range(pos, len(text)))
    return Normalized("".join(parts), tuple(offsets), text)
