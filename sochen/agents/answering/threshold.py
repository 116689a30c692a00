"""A discount that holds from a threshold up ('10% הנחה מ-3,000 ₪ ומעלה'), applied to the amount asked about.

The price list's row may hold several amounts (a single treatment, a series): the one whose column the
question names ('סדרה') is the base. The rule is applied only when the base reaches the threshold; below
it, the answer says the threshold and that no discount applies (never a discounted figure).
"""

from __future__ import annotations

import re
from decimal import Decimal

from ...text import normalize, stems, tokenize
from .compute import Calculation, _num, _round, money, shekels

__all__ = ["column_amount", "threshold_discount", "threshold_rule"]

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
    named = [
        c for c in cells if ":" in c and {f for t in tokenize(c.split(":", 1)[0]) for f in (t, *stems(t))} & asked
    ]
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
