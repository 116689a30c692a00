"""Figures read across a table: a column's total over its records, the record whose band holds a figure.

A repayment table's interest column summed over its instalments ('כמה ריבית בסך הכול?'), and a credit
table's band ('98.0% ועד פחות מ-99.0% · זיכוי: 10%') that holds the figure the question gives (98.7%).
A record is a row unit of :mod:`.units` ('כותרת: ערך · כותרת: ערך'); a column is named by the words of its
header. Every number of a result is in the records it is shown with, or in the question.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ...text import normalize, stems, tokenize
from .compute import Calculation, money, percent, shekels

__all__ = ["band_of", "banded_price", "banded_rate", "cells", "column_total", "given_figure", "named_column"]

_H = "\u05d0-\u05ea"
_FIG = r"(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?)\s?(%|₪)?"


def cells(row: str) -> list[tuple[str, str]]:
    """A record's (header, value) cells: 'ריבית: ₪72,000 · סך התשלום: ₪372,000' → [('ריבית', '₪72,000'), …]."""
    out = []
    for cell in row.split(" · "):
        if ":" in cell:
            head, value = cell.split(":", 1)
            out.append((head.strip(), value.strip()))
    return out


def _forms(text: str) -> set[str]:
    return {f for t in tokenize(text) for f in (t, *stems(t)) if len(f) > 2}


def named_column(question: str, headers: list[str], *, of: str = "money") -> str | None:
    """The one header of a money (or percentage) column whose words the question uses, or None."""
    asked = _forms(question)
    named = [h for h in headers if _forms(h) & asked]
    return named[0] if len(named) == 1 else None


def column_total(question: str, rows: list[str]) -> Calculation | None:
    """The sum of the column the question names over every record of the table (each with one amount there)."""
    if len(rows) < 2:
        return None
    first = cells(rows[0])
    money_headers = [h for h, v in first if len(money(v)) == 1]
    column = named_column(question, money_headers)
    if column is None:
        return None
    values: list[Decimal] = []
    for row in rows:
        found = [money(v) for h, v in cells(row) if h == column]
        if len(found) != 1 or len(found[0]) != 1:
            return None
        values.append(found[0][0])
    # Step by step, each sum shown: every figure is one addition from figures already shown.
    steps, result = [], values[0]
    for v in values[1:]:
        steps.append(f"{shekels(result)} + {shekels(v)} = {shekels(result + v)}")
        result += v
    return Calculation(result, f"{column}: " + "; ".join(steps), tuple(range(len(rows))))


_S = r"(₪\s?)?"  # an amount's sign before it ('עד ₪300,000'); a percentage's after it
_BAND_RANGE = re.compile(rf"{_S}{_FIG}\s*(?:ועד|עד|-|–|to)\s*(פחות\s+מ-?|less than\s+)?{_S}{_FIG}")
_BELOW = re.compile(rf"(?:פחות\s+מ-?|מתחת\s+ל-?|less than\s+|below\s+|under\s+){_S}{_FIG}")
_UP_TO = re.compile(rf"(?:^|(?<=\s))(?:עד|up to)\s+{_S}{_FIG}")
# '5,000 ומעלה', '5,000 יחידות ומעלה' (the counted noun between), 'מעל ₪700,000'
_ABOVE = re.compile(
    rf"{_S}{_FIG}\s*(?:[{_H}\"']{{2,}}\s+)?(?:ומעלה|ויותר|or more|and above)"
    rf"|(?:מעל\s+|יותר\s+מ-?|above\s+|over\s+){_S}{_FIG}"
)


def _unit(sign: str | None, after: str | None) -> str:
    return "₪" if sign else (after or "")


def _band(text: str) -> tuple[Decimal, Decimal, str, bool] | None:
    """(low, high, unit, whether high is in the band): 'עד' includes its end, 'פחות מ' does not."""
    plain = normalize(text)
    if m := _BAND_RANGE.search(plain):
        unit = _unit(m.group(1), m.group(3)) or _unit(m.group(5), m.group(7))
        low, high = Decimal(m.group(2).replace(",", "")), Decimal(m.group(6).replace(",", ""))
        return low, high, unit, not m.group(4)
    if m := _BELOW.search(plain):
        return Decimal("-Infinity"), Decimal(m.group(2).replace(",", "")), _unit(m.group(1), m.group(3)), False
    if m := _UP_TO.search(plain):
        return Decimal("-Infinity"), Decimal(m.group(2).replace(",", "")), _unit(m.group(1), m.group(3)), True
    if m := _ABOVE.search(plain):
        if m.group(2):
            value, unit = m.group(2), _unit(m.group(1), m.group(3))
        else:
            value, unit = m.group(5), _unit(m.group(4), m.group(6))
        return Decimal(value.replace(",", "")), Decimal("Infinity"), unit, False
    return None


def band_of(text: str) -> tuple[Decimal, Decimal, str] | None:
    """The band a cell states as (low, high, unit).

    '98.0% ועד פחות מ-99.0%' → (98.0, 99.0, '%'); 'עד ₪300,000' → (−∞, 300,000, '₪').
    """
    band = _band(text)
    return band[:3] if band is not None else None


def given_figure(question: str) -> tuple[Decimal, str] | None:
    """The one percentage (or else the one amount) the question gives, with its unit."""
    rates = percent(question)
    if len(rates) == 1:
        return rates[0], "%"
    amounts = money(question)
    return (amounts[0], "₪") if len(amounts) == 1 and not rates else None


def banded_rate(question: str, rows: list[str]) -> tuple[int, Decimal, str] | None:
    """(the record's index, its rate, the rate's header) of the record whose band holds the question's figure."""
    given = given_figure(question)
    if given is None:
        return None
    value, unit = given
    found: list[tuple[int, Decimal, str]] = []
    for i, row in enumerate(rows):
        parts = cells(row)
        if len(parts) != 2:
            return None
        (_, band_text), (rate_head, rate_text) = parts
        band = _band(band_text)
        rates = percent(rate_text)
        if band is None or len(rates) != 1 or (band[2] and band[2] != unit):
            continue
        low, high, _, inclusive = band
        if low <= value < high or (inclusive and value == high):
            found.append((i, rates[0], rate_head))
    return found[0] if len(found) == 1 else None


# 'הזמנה של 2,400 מסגרות': a count of a noun the question gives (not a date, an amount or a time span).
_COUNT = re.compile(rf"(?<![\d.,/₪-])(\d{{1,3}}(?:,\d{{3}})+|\d{{1,6}})\s+([{_H}]{{3,}})")
_NOT_COUNTS = re.compile(r"^(?:ימים|ימי|יום|שעות|שעה|חודשים|חודש|שנים|שנה|שבועות|דקות|אחוז|אחוזים|שקלים|שקל|נקודות)$")
_PER_UNIT = re.compile(r"ליחידה|ליח'|לכל\s+יחידה|לכל\s+פריט|לפריט|per unit|each", re.I)


def _asked_count(question: str) -> Decimal | None:
    plain = normalize(question)
    if money(plain) or percent(plain):
        return None
    found = [
        Decimal(m.group(1).replace(",", ""))
        for m in _COUNT.finditer(plain)
        if m.group(2)[0] not in "בל" and not _NOT_COUNTS.match(m.group(2))
    ]
    return found[0] if len(found) == 1 else None


def _counted_noun(question: str) -> tuple[Decimal, str] | None:
    """The one count of a noun the question gives ('יש לנו 18,000 מנויים': (18000, 'מנויים')), or None."""
    plain = normalize(question)
    found = [
        (Decimal(m.group(1).replace(",", "")), m.group(2))
        for m in _COUNT.finditer(plain)
        if m.group(2)[0] not in "בל" and not _NOT_COUNTS.match(m.group(2))
    ]
    return found[0] if len(found) == 1 else None


def _noun_root(word: str) -> str:
    """A counted noun's rough root: plural endings off, finals as medial ('מנויים' → 'מנוי', 'אתרים' → 'אתר')."""
    key = re.sub(r"(?:ים|ות)$", "", word) if len(word) > 4 else word
    return key.translate(str.maketrans("ךםןףץ", "כמנפצ"))


def band_holds_count(question: str, row: str) -> bool | None:
    """Whether a table record's band of a count holds the count of the same noun the question gives.

    'יש לנו 18,000 מנויים' against 'מספר המנויים: 10,001 עד 25,000 מנויים · דמי השירות לחודש: ₪3,600' is True,
    against 'עד 10,000 מנויים · …' False; None when the record has no band of that noun (or the question no count).
    """
    asked = _counted_noun(question)
    if asked is None:
        return None
    count, noun = asked
    root = _noun_root(noun)
    for _, value in cells(row):
        band = _band(value)
        if band is None or band[2] or not any(_noun_root(w) == root for w in re.findall(rf"[{_H}]+", value)):
            continue
        low, high, _, inclusive = band
        return low <= count < high or (inclusive and count == high)
    return None


def banded_price(question: str, rows: list[str]) -> tuple[int, Calculation] | None:
    """(the record's index, count × its price) of the quantity band that holds the count the question gives.

    'הזמנה של 2,400 מסגרות' over '500 עד 1,999 יחידות · מחיר ליחידה: ₪84', '2,000 עד 4,999 יחידות · מחיר
    ליחידה: ₪76': 2,400 × ₪76. Only a table of two columns, a band of counts (no ₪, no %) and one price per
    unit (its header or value says so), and one band that holds the count.
    """
    count = _asked_count(question)
    if count is None:
        return None
    found: list[tuple[int, Decimal, str]] = []
    for i, row in enumerate(rows):
        parts = cells(row)
        if len(parts) != 2:
            return None
        (_, band_text), (price_head, price_text) = parts
        band = _band(band_text)
        prices = money(price_text)
        if band is None or band[2] or len(prices) != 1 or not _PER_UNIT.search(f"{price_head} {price_text}"):
            continue
        low, high, _, inclusive = band
        if low <= count < high or (inclusive and count == high):
            found.append((i, prices[0], band_text))
    if len(found) != 1:
        return None
    i, price, band_text = found[0]
    result = (count * price).quantize(Decimal("0.01"))
    count_text = f"{count:,f}".rstrip("0").rstrip(".") if count != count.to_integral() else f"{int(count):,}"
    expression = f"{band_text}: {shekels(price)} ליחידה; {count_text} × {shekels(price)} = {shekels(result)}"
    return i, Calculation(result, expression, (0,))
