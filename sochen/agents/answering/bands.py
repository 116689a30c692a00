"""A rule that holds from an amount up, applied to the price of the thing a question names.

'אפשר לשלם על האבחון הרב-מקצועי בתשלומים?': the price list says what the assessment costs (2,600 ₪), a
policy clause says what holds from which amount up ('תשלום של 2,000 ₪ ומעלה אפשר לחלק עד 4 תשלומים …
תשלום של 5,000 ₪ ומעלה … עד 8 תשלומים. סכום נמוך מ-2,000 ₪ משולם בתשלום אחד.'). The sentence of the band
that holds the price answers; both facts are quoted and the comparison is shown. A row with several
amounts (a private price, a member's price) answers only when every amount falls in the same band.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from ...text import normalize
from .compute import Calculation, money, shekels

__all__ = ["amount_bands", "band_holding", "row_amounts", "sentences"]

_FROM_UP = re.compile(
    r"(?P<a>\d{1,3}(?:,\d{3})+|\d+)\s?(?:₪|ש\"ח|שקלים)\s*(?:ומעלה|ויותר|or more|and above|and up)"
    # 'תשלום של יותר מ-1,000 ₪', 'מעל 2,500 ₪': from above the amount (the amount itself is below it)
    r"|(?P<over>יותר\s+מ-?|מעל\s*|above\s+|over\s+|more\s+than\s+)"
    r"(?:₪\s?(?P<c>\d{1,3}(?:,\d{3})+|\d+)|(?P<b>\d{1,3}(?:,\d{3})+|\d+)\s?(?:₪|ש\"ח|שקלים))",
    re.I,
)
_BELOW = re.compile(
    r"(?:נמוך|פחות|מתחת)\s*(?:מ-?|ל-?)\s*(?P<a>\d{1,3}(?:,\d{3})+|\d+)\s?(?:₪|ש\"ח|שקלים)"
    r"|(?P<b>\d{1,3}(?:,\d{3})+|\d+)\s?(?:₪|ש\"ח|שקלים)\s*(?:ומטה|ופחות|or less)"
)
_SENTENCE = re.compile(r"(?<=[.;])\s+")


def sentences(text: str) -> list[str]:
    """A clause's sentences, split after '.' or ';'."""
    return _SENTENCE.split(text)


def amount_bands(text: str) -> list[tuple[Decimal, str]]:
    """The sentences of a clause that each hold from an amount up, as (amount, sentence), lowest first."""
    return list(_amount_bands(text))


@lru_cache(maxsize=20_000)
def _amount_bands(text: str) -> tuple[tuple[Decimal, str], ...]:
    # cached: every clause of the library is read for every question that names a priced thing
    return tuple((floor, sentence) for floor, sentence, _over in _bands(text))


@lru_cache(maxsize=20_000)
def _bands(text: str) -> tuple[tuple[Decimal, str, bool], ...]:
    """(amount, sentence, whether the band starts above the amount rather than at it), lowest first."""
    out = []
    for sentence in _SENTENCE.split(normalize(text)):
        m = _FROM_UP.search(sentence)
        if m is not None:
            value = (m.group("a") or m.group("b") or m.group("c")).replace(",", "")
            out.append((Decimal(value), sentence.strip(), bool(m.group("over"))))
    return tuple(sorted(out, key=lambda b: b[0]))


def band_holding(text: str, amounts: list[Decimal]) -> tuple[str, Calculation] | None:
    """The sentence of `text` whose band holds every one of `amounts`, with the comparison shown.

    Below the lowest band, the clause's own sentence for smaller amounts ('סכום נמוך מ-2,000 ₪ …') answers;
    None when the amounts fall in different bands, or below the lowest with no such sentence.
    """
    found = _bands(text)
    if not found or not amounts:
        return None
    chosen: set[int] = set()
    for amount in amounts:
        held = [i for i, (floor, _, over) in enumerate(found) if amount > floor or (amount == floor and not over)]
        chosen.add(held[-1] if held else -1)
    if len(chosen) != 1:
        return None
    index = chosen.pop()
    shown = " / ".join(shekels(a) for a in amounts)
    if index < 0:
        below = next((s.strip() for s in _SENTENCE.split(normalize(text)) if _BELOW.search(s)), None)
        if below is None:
            return None
        floor, _, over = found[0]
        sign = "≤" if over else "<"
        return below, Calculation(max(amounts), f"{shown} {sign} {shekels(floor)} → {below}", (0, 1))
    floor, sentence, over = found[index]
    sign = ">" if over else "≥"
    return sentence, Calculation(min(amounts), f"{shown} {sign} {shekels(floor)} → {sentence}", (0, 1))


def row_amounts(row: str) -> list[Decimal]:
    """The amounts of a price-list record, one per column that holds one."""
    return [money(c)[-1] for c in row.split(" · ") if money(c)]
