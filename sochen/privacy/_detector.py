"""The detector: candidates from patterns, cues and vocabulary, scored, then overlaps resolved.

See the package docstring (:mod:`sochen.privacy`) for the entity types and the scoring contract.
Everything works on normalised text; spans are mapped back to the original string at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _numbers, _words
from . import _patterns as P
from ._context import DIGIT, Cand, Context
from ._text import normalize_with_offsets

__all__ = ["MIN_SCORE", "Finding", "detect"]

MIN_SCORE = 0.5
# Ties between equally scored overlapping candidates go to the more specific type.
_PRIORITY = {
    "iban": 0,
    "email": 1,
    "credit_card": 2,
    "id_number": 3,
    "phone": 4,
    "bank_account": 5,
    "date_of_birth": 6,
    "address": 7,
    "name": 8,
    "health": 9,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: its type, where it is in the original text, how sure, and why.

    The value itself is never stored, so the repr cannot leak it.
    """

    type: str
    start: int
    end: int
    score: float
    evidence: str


def _resolve(cands: list[Cand]) -> list[Cand]:
    """Keep the best candidate where spans overlap: higher score, then the more specific type, then longer."""
    chosen: list[Cand] = []
    for c in sorted(cands, key=lambda c: (-c.score, _PRIORITY[c.type], c.start - c.end)):
        if c.score < MIN_SCORE or c.end <= c.start:
            continue
        if all(c.end <= k.start or c.start >= k.end for k in chosen):
            chosen.append(c)
    return chosen


# Words that end the words before a company suffix: "בין דנה כהן לבין אורן מערכות בע"מ" names a
# company after לבין, not before it.
_COMPANY_STOP = frozenset({"בין", "לבין", "עם", "של", "את", "עבור", "מול", "לטובת", "מאת", "אל", "ובין", "לחברת"})


def _company_span(text: str, start: int, end: int) -> tuple[int, int]:
    for m in reversed(list(P.HEBREW_TOKEN.finditer(text, start, end))):
        if m.group(0) in _COMPANY_STOP:
            return m.end(), end
    return start, end


def detect(text: str) -> list[Finding]:
    """Personal data in `text`, sorted by start (see :func:`sochen.privacy.scan`)."""
    if not text:
        return []
    norm = normalize_with_offsets(text)
    t = norm.text
    cands: list[Cand] = []
    has_digit = DIGIT.search(t) is not None
    ctx = Context(t)
    if has_digit:
        _numbers.phones(t, ctx, cands)
        _numbers.id_numbers(t, ctx, cands)
        _numbers.cards(t, ctx, cands)
        _numbers.bank_accounts(t, ctx, cands)
        if "il" in t:
            _numbers.ibans(t, cands)
    if "@" in t:
        _numbers.emails(t, cands)
    _numbers.dates_of_birth(t, ctx, cands)
    tokens = [(m.group(0), m.start(), m.end()) for m in P.HEBREW_TOKEN.finditer(t)]
    _words.health(t, tokens, cands)
    _words.names(norm, tokens, ctx, cands)
    _words.addresses(t, cands)
    # A company's name is not a person's, and the words in it are not anyone's health.
    companies = [_company_span(t, m.start(), m.end()) for m in P.COMPANY.finditer(t)]
    if companies:
        cands = [
            c
            for c in cands
            if c.type not in ("name", "health") or not any(s <= c.start and c.end <= e for s, e in companies)
        ]
    findings = []
    for c in _resolve(cands):
        start, end = norm.span(c.start, c.end)
        findings.append(Finding(c.type, start, end, round(min(c.score, 1.0), 2), c.evidence))
    findings.sort(key=lambda f: (f.start, f.end))
    return findings
