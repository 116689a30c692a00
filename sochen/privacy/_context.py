"""Candidates and context: what every detector proposes, and the cue words around a span."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import _patterns as P

__all__ = ["DIGIT", "Cand", "Context", "Cue", "digits", "evidence", "is_amount"]

DIGIT = re.compile(r"\d")
_BEFORE_WINDOW = 30
_AFTER_WINDOW = 15
_CURRENCY_BEFORE = ("₪", "$", "€")
_CURRENCY_AFTER = ("₪", 'ש"ח', "שח", "שקל", "nis", "ils", "$", "€", "%", "אחוז", "אלף", "מיליון", "usd", "eur")


@dataclass(slots=True)
class Cand:
    type: str
    start: int
    end: int
    score: float
    evidence: str


@dataclass(frozen=True, slots=True)
class Cue:
    start: int
    end: int
    kind: str
    text: str


class Context:
    """Cue words found in the text, and the nearest one to a span."""

    def __init__(self, text: str) -> None:
        self.cues = [
            Cue(m.start(m.lastgroup or 0), m.end(), m.lastgroup or "", m.group(m.lastgroup or 0))
            for m in P.CUES.finditer(text)
        ]

    def nearest(self, start: int, end: int) -> Cue | None:
        best: Cue | None = None
        best_gap = _BEFORE_WINDOW + 1
        for cue in self.cues:
            if cue.end <= start and start - cue.end < best_gap:
                best, best_gap = cue, start - cue.end
        if best is not None:
            return best
        for cue in self.cues:
            if cue.start >= end and cue.start - end <= _AFTER_WINDOW:
                return cue
        return None

    def has(self, kind: str, start: int, end: int, window: int = 50) -> bool:
        return any(c.kind == kind and c.end >= start - window and c.start <= end + window for c in self.cues)


def digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def is_amount(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" -")
    after = text[end : end + 6].lstrip(" ")
    return before.endswith(_CURRENCY_BEFORE) or after.startswith(_CURRENCY_AFTER)


def evidence(base: str, cue: Cue | None) -> str:
    return f"{base}+context:{cue.text}" if cue is not None and base else (f"context:{cue.text}" if cue else base)
