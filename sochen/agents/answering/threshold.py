"""A discount that holds from a threshold up ('10% הנחה מ-3,000 ₪ ומעלה'), applied to the amount asked about.

The price list's row may hold several amounts (a single treatment, a series): the one whose column the
question names ('סדרה') is the base. The rule is applied only when the base reaches the threshold; below
it, the answer says the threshold and that no discount applies (never a discounted figure).
"""

from __future__ import annotations

import re
from decimal import Decimal

from ...text import normalize, stems, tokenize
from ...text.hebrew import CLOCK_NUMBERS
from .compute import Calculation, _num, _round, money, shekels

__all__ = [
    "additional_total",
    "asked_count",
    "asked_hours",
    "column_amount",
    "hour_window",
    "threshold_discount",
    "threshold_rule",
]

_RATE = re.compile(
    r"(\d{1,2}(?:\.\d{1,2})?)\s?%\s*(?:הנחה|discount)|(?:הנחה|discount)\D{0,12}?(\d{1,2}(?:\.\d{1,2})?)\s?%", re.I
)
_AT_LEAST = re.compile(
    r"(?:(?P<a>\d{1,3}(?:,\d{3})+|\d+)\s?₪\s*(?:ומעלה|ויותר|or more|and above|and up))"
    r"|(?:(?:מעל|לפחות|מינימום|above|over|at least)\s+(?:₪\s?)?(?P<b>\d{1,3}(?:,\d{3})+|\d+))",
    re.I,
)


def threshold_rule(text: str) -> tuple[Decimal, Decimal] | None:
    """(rate %, threshold ₪) of a rule that gives a discount from an amount up, or None."""
    plain = normalize(text)
    rate, floor = _RATE.search(plain), _AT_LEAST.search(plain)
    if rate is None or floor is None:
        return None
    value = (floor.group("a") or floor.group("b")).replace(",", "")
    return Decimal(rate.group(1) or rate.group(2)), Decimal(value)


def column_amount(row: str, question: str) -> Decimal | None:
    """The amount of a table record the question asks for: the one amount, or the column the question names."""
    cells = [c for c in row.split(" · ") if money(c)]
    if len(cells) == 1:
        return money(cells[0])[-1]
    asked = {f for t in tokenize(question) for f in (t, *stems(t)) if len(f) > 2}
    named = [c for c in cells if ":" in c and {f for t in tokenize(c.split(":", 1)[0]) for f in (t, *stems(t))} & asked]
    return money(named[0].split(":", 1)[1])[-1] if len(named) == 1 else None


def threshold_discount(
    rule_text: str, base: Decimal, *, rule_index: int = 1, base_index: int = 0
) -> Calculation | None:
    """The base less the rule's discount when it reaches the threshold; the base itself when it does not."""
    rule = threshold_rule(rule_text)
    if rule is None:
        return None
    rate, floor = rule
    if base < floor:
        expression = f"{shekels(base)} < {shekels(floor)}: {_num(rate)}% — 0"
        return Calculation(base, expression, (base_index, rule_index))
    result = _round(base * (1 - rate / 100))
    expression = (
        f"{shekels(base)} ≥ {shekels(floor)}: {shekels(base)} − {_num(rate)}% = "
        f"{shekels(base)} × {_num(1 - rate / 100)} = {shekels(result)}"
    )
    return Calculation(result, expression, (base_index, rule_index))


_COUNTS = {
    "שתי": 2,
    "שני": 2,
    "שתיים": 2,
    "שניים": 2,
    "שלוש": 3,
    "שלושה": 3,
    "ארבע": 4,
    "ארבעה": 4,
    "חמש": 5,
    "חמישה": 5,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
}
_EACH_MORE = re.compile(r"(?:כל|each)\s+(?:\S+\s+){0,2}?(?:נוסף|נוספת|נוספים|נוספות|additional|extra)", re.I)


def asked_count(question: str) -> tuple[int, str] | None:
    """(how many, of what) when the question counts items ('שתי שומות', '3 מזרקים'), else None."""
    tokens = tokenize(question)
    for i, tok in enumerate(tokens[:-1]):
        n = next((_COUNTS[f] for f in (tok.lower(), *stems(tok)) if f in _COUNTS), None)
        n = n or (int(tok) if tok.isdigit() and 2 <= int(tok) <= 20 else None)
        if n:
            return n, tokens[i + 1]
    return None


def is_each_more(text: str) -> bool:
    """A price for each further item in the same visit ('כל שומה נוספת שנכרתת באותו ביקור')."""
    return bool(_EACH_MORE.search(normalize(text)))


def additional_total(first_row: str, more_row: str, count: int) -> Calculation | None:
    """The first item's price plus the further items' price for the rest: 900 + (2 − 1) × 400."""
    first, more = money(first_row), money(more_row)
    if not first or not more or count < 2:
        return None
    total = _round(first[0] + (count - 1) * more[0])
    expression = f"{shekels(first[0])} + {count - 1} × {shekels(more[0])} = {shekels(total)}"
    return Calculation(total, expression, (0, 1))


_SPAN_WORDS = (
    (re.compile(r"יום וחצי|a day and a half"), 36),
    (re.compile(r"יומיים|two days"), 48),
    (re.compile(r"חצי יום|half a day"), 12),
    (re.compile(r"(?<![\u05d0-\u05ea])(?:יום|a day)(?![\u05d0-\u05ea])"), 24),
)
_HOURS_N = re.compile(r"(\d{1,3})\s*(?:שעות|שעה|hours?)")
_DAYS_N = re.compile(r"(\d{1,2})\s*(?:ימים|days)")
_HOURS_IN_WORDS = re.compile(
    r"(?<![\u05d0-\u05ea])(?:שעתיים|("
    + "|".join(sorted(CLOCK_NUMBERS, key=len, reverse=True))
    + r")\s+שעות)(?![\u05d0-\u05ea])"
)
_BEFORE = re.compile(r"לפני|מראש|in advance|before|قبل")
# 'לפני שנה', 'לפני שלושה חודשים', 'לפני כמה שבועות': how long ago something happened, not hours before an
# appointment ('לפני שנה היה לי התקף פאניקה והייתי יום אחד באשפוז' places no act a day ahead).
_AGO = re.compile(
    r"לפני\s+(?:כ-?\s*|בערך\s+|כמה\s+|\d{1,2}\s*|[\u05d0-\u05ea]+\s+(?=(?:שנים|חודשים|שבועות)(?![\u05d0-\u05ea])))?"
    r"(?:שנה|שנתיים|שנים|חודש|חודשיים|חודשים|שבוע|שבועיים|שבועות)(?![\u05d0-\u05ea])"
)


# A cancellation on the day itself ('בבוקר של אותו יום', 'ביום התור'): hours before, fewer than a day.
_SAME_DAY = re.compile(r"(?:ב|של\s+)אותו\s+יום|ביום\s+(?:התור|עצמו|הטיפול)|\bsame day\b|\bon the day\b|في نفس اليوم")
_CHANGE = re.compile(r"ביטול|לבטל|מבטל|מבטלת|מבטלים|אבטל|ביטלתי|לשנות|שינוי|להזיז|cancel|reschedul|إلغاء|الغاء")
_SAME_DAY_HOURS = 6


def asked_hours(question: str) -> int | None:
    """How many hours ahead a question places an act ('יום וחצי לפני' → 36; a cancellation that day → 6), or None."""
    plain = _AGO.sub(" ", normalize(question))
    if not _BEFORE.search(plain):
        if _SAME_DAY.search(plain) and _CHANGE.search(plain):
            return _SAME_DAY_HOURS
        return None
    if m := _HOURS_N.search(plain):
        return int(m.group(1))
    if m := _HOURS_IN_WORDS.search(plain):  # 'חמש שעות לפני', 'שעתיים לפני'
        return 2 if m.group(0).startswith("שעתיים") else CLOCK_NUMBERS[m.group(1)]
    if m := _DAYS_N.search(plain):
        return int(m.group(1)) * 24
    for pattern, hours in _SPAN_WORDS:
        if pattern.search(plain):
            return hours
    return None


_BETWEEN = re.compile(r"בין\s+(\d{1,3})\s+ל-?\s?(\d{1,3})\s+שעות|between\s+(\d{1,3})\s+and\s+(\d{1,3})\s+hours")
_UNDER = re.compile(r"(?:פחות מ-?|less than |under )\s?(\d{1,3})\s+(?:שעות|hours)")
_UP_TO = re.compile(r"(?:עד|יותר מ-?|מעל|more than|at least)\s?(\d{1,3})\s+(?:שעות|hours)\s+(?:לפני|before)")


def hour_window(text: str) -> tuple[float, float] | None:
    """The hours-ahead window a clause speaks of: 'בין 48 ל-24 שעות' → (24, 48), 'פחות מ-24' → (0, 24)."""
    plain = normalize(text)
    if m := _BETWEEN.search(plain):
        a, b = (int(x) for x in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        return (min(a, b), max(a, b))
    if m := _UNDER.search(plain):
        return (0, int(m.group(1)))
    if m := _UP_TO.search(plain):
        return (int(m.group(1)), float("inf"))
    return None
