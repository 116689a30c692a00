"""One step of arithmetic over quoted facts.

A total with VAT, an amount after a percentage change, a quantity at a unit rate. Each function takes
the quoted texts and returns the calculation or None; a number is computed only from figures that
appear in the quotes it is shown with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Calculation",
    "asks_for_vat_total",
    "money",
    "percent",
    "percent_change",
    "quantity_asked",
    "times_quantity",
    "vat_total",
]

_MONEY = re.compile(r"₪\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?|(\d{1,3}(?:,\d{3})+|\d+)\s?(?:ש\"ח|ש״ח|שקלים|₪|NIS)")
_PERCENT = re.compile(r"(\d{1,2}(?:\.\d{1,2})?)\s?%")
_VAT = re.compile(r'מע"מ|מע״מ|מעמ|\bvat\b|ضريبة', re.IGNORECASE)
_WITH = re.compile(r"כולל|כוללת|סה\"כ|סך הכול|סך הכל|בסך הכול|עם מע|total|including|incl|شامل|المجموع", re.I)
_RISE = re.compile(r"יעלו|יעלה|תעלה|יגדל|יגדלו|העלאה|תוספת|עלייה|יתווסף|increase|raised")
_QUANTITY = re.compile(
    r"(\d{1,4}(?:\.\d)?)\s*(שעות|שעה|חודשים|חודש|ימים|יום|hours|hour|months|month|days|ساعات|ساعة|أشهر)"
)
_PER = {
    "שעה": ("לשעה", "per hour", "/hour"),
    "חודש": ("לחודש", "per month", "/month"),
    "יום": ("ליום", "per day", "/day"),
}
_UNIT_OF = {
    "שעות": "שעה",
    "שעה": "שעה",
    "hours": "שעה",
    "hour": "שעה",
    "ساعات": "שעה",
    "ساعة": "שעה",
    "חודשים": "חודש",
    "חודש": "חודש",
    "months": "חודש",
    "month": "חודש",
    "أشهر": "חודש",
    "ימים": "יום",
    "יום": "יום",
    "days": "יום",
}


@dataclass(frozen=True)
class Calculation:
    """A computed figure, the expression that shows how, and which quotes (by index) it used."""

    result: float
    expression: str
    uses: tuple[int, ...]


def shekels(value: float) -> str:
    """₪ with thousands separators, and agorot only when there are any."""
    return f"₪{value:,.2f}" if round(value, 2) != round(value) else f"₪{round(value):,}"


def money(text: str) -> list[float]:
    """The shekel amounts written in `text`, in order."""
    out = []
    for m in _MONEY.finditer(text):
        whole = m.group(1) or m.group(3)
        value = float(whole.replace(",", ""))
        if m.group(2):
            value += float(m.group(2)) / 10 ** len(m.group(2))
        out.append(value)
    return out


def percent(text: str) -> list[float]:
    """The percentages written in `text`, in order."""
    return [float(m.group(1)) for m in _PERCENT.finditer(text)]


_HOW_MUCH = re.compile(r"כמה|בכמה|מה המחיר|מה הסכום|how much|what is the total|كم", re.IGNORECASE)


def asks_for_vat_total(question: str) -> bool:
    """Whether the question asks for an amount including VAT ('does the price include VAT?' does not)."""
    return bool(_VAT.search(question) and _WITH.search(question) and _HOW_MUCH.search(question))


def vat_total(amount_text: str, rate_text: str, *, amount_index: int = 0, rate_index: int = 1) -> Calculation | None:
    """Amount + VAT, when the amount is in one quote and the VAT rate beside 'מע"מ' in another."""
    amounts = money(amount_text)
    rate_match = re.search(
        r'(?:מע"מ|מע״מ)[^.%\n]{0,20}?(\d{1,2}(?:\.\d)?)\s?%|(\d{1,2}(?:\.\d)?)\s?%[^.\n]{0,10}מע', rate_text
    )
    if not amounts or not rate_match:
        return None
    rate = float(rate_match.group(1) or rate_match.group(2))
    base = amounts[0]
    total = base * (1 + rate / 100)
    expression = f'{shekels(base)} + מע"מ {rate:g}% = {shekels(base)} × {1 + rate / 100:g} = {shekels(total)}'
    return Calculation(total, expression, (amount_index, rate_index))


def percent_change(rule_text: str, base_text: str, *, rule_index: int = 0, base_index: int = 1) -> Calculation | None:
    """A base amount raised by the percentage a rule states ('יעלו ב-4%'), when the rule gives no result."""
    if not _RISE.search(rule_text):
        return None
    rates, bases = percent(rule_text), money(base_text)
    if not rates or not bases:
        return None
    rate, base = rates[0], bases[0]
    result = base * (1 + rate / 100)
    expression = f"{shekels(base)} + {rate:g}% = {shekels(base)} × {1 + rate / 100:g} = {shekels(result)}"
    return Calculation(result, expression, (base_index, rule_index))


def quantity_asked(question: str) -> tuple[float, str] | None:
    """'10 שעות' in the question: (10, 'שעה')."""
    m = _QUANTITY.search(question)
    if not m:
        return None
    return float(m.group(1)), _UNIT_OF[m.group(2)]


def times_quantity(question: str, rate_text: str, *, index: int = 0) -> Calculation | None:
    """A quantity the question gives times the rate the quote states per that unit ('₪1,200 לשעה')."""
    asked = quantity_asked(question)
    if asked is None:
        return None
    quantity, unit = asked
    markers = _PER[unit]
    amounts = money(rate_text)
    if not amounts or not any(mk in rate_text for mk in markers):
        return None
    rate = amounts[0]
    result = quantity * rate
    expression = f"{quantity:g} × {shekels(rate)} = {shekels(result)}"
    return Calculation(result, expression, (index,))
