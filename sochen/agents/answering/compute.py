"""One step of arithmetic over quoted facts.

A total with VAT, an amount after a percentage rise or discount, a quantity at a unit rate, a yearly
amount from a monthly one (or back), the difference or the sum of two amounts. Each function takes the
quoted texts and returns the calculation or None; a number is computed only from figures that appear in
the quotes it is shown with (and the calendar's 12 months a year), with :class:`~decimal.Decimal`.

What the question asks for is read by :func:`asked_operation`; which facts it needs and whether they are
there is the extractive answerer's business (a needed fact missing or ambiguous: nothing is computed).
Amounts are read after :func:`sochen.text.normalize` (niqqud, gershayim, bidi marks and dashes folded):
``₪4,500`` · ``4,500 ₪`` · ``4500 ש"ח`` · ``4,500 ש״ח`` · ``4,500 שקלים חדשים`` · ``NIS 4,500`` · ``4,500 ILS``.
A range (``₪7,500–₪12,000``) is not one amount: it is never computed with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from ...text import normalize, stems, tokenize

__all__ = [
    "Calculation",
    "Operation",
    "allowance",
    "amount_sum",
    "asked_operation",
    "asked_period",
    "asks_for_vat_total",
    "count_in_span",
    "covers_allowance",
    "dated_count",
    "difference",
    "floor_or_cap",
    "money",
    "per_period",
    "percent",
    "percent_change",
    "percent_off",
    "quantity_asked",
    "shekels",
    "states_period",
    "times_quantity",
    "unit_of",
    "vat_rate",
    "vat_total",
]

Operation = Literal["vat", "per_year", "per_month", "difference", "sum", "discount", "quantity"]

_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_MONEY = re.compile(
    rf"(?:₪|\bnis\b|\bils\b)\s?({_NUM})(?:\.(\d{{1,2}}))?"
    rf"|({_NUM})(?:\.(\d{{1,2}}))?\s?(?:₪|ש\"ח|שקלים|שקל|\bnis\b|\bils\b)"
)
_RANGE = re.compile(rf"(?:₪\s?)?(?:{_NUM})\s?(?:₪\s?)?-\s?(?:₪\s?)?(?:{_NUM})(?:\s?₪)?")
_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{1,2})?)\s?%")  # whole numbers: "100%" is not "0%"
# The word itself, not its letters inside another word: 'במעמד החתימה' says no VAT.
_VAT_WORD = r'(?<![\u05d0-\u05ea])[בוהל]?(?:מע"מ|מעמ)(?![\u05d0-\u05ea])'
_VAT = re.compile(_VAT_WORD + r"|\bvat\b|ضريبة", re.IGNORECASE)
_VAT_RATE = re.compile(
    _VAT_WORD + r"(?:[^.%\n]{0,20}?|[^.%\n]{0,40}?שיעור[^.%\n]{0,30}?)(\d{1,2}(?:\.\d)?)\s?%"
    r"|(\d{1,2}(?:\.\d)?)\s?%[^.\n]{0,10}?" + _VAT_WORD
)  # 'מע"מ (18%)', 'מע"מ בשיעור 17%', 'מע"מ כדין, שיעורו במועד החתימה 18%'

# A clause's limits on an amount: 'ולא פחות מ-₪40,000', 'לכל הפחות ₪500', 'minimum of ₪500' (a floor) and
# 'ולא יותר מ-₪X', 'שלא יעלה על ₪X', 'עד לסך ₪X', 'תקרה של ₪X', 'up to ₪X', 'capped at' (a cap).
_FLOOR_WORDS = r"(?:לא\s+פחות\s+מ|לכל\s+הפחות|לפחות|מינימום|at\s+least|minimum\s+of|no\s+less\s+than)"
_CAP_WORDS = (
    r"(?:לא\s+יותר\s+מ|שלא\s+יעלה\s+על|לא\s+יעלה\s+על|לא\s+יעלו\s+על|עד\s+לסך|עד\s+לסכום|תקרה\s+של|בתקרה\s+של"
    r"|up\s+to|not\s+more\s+than|no\s+more\s+than|capped\s+at|maximum\s+of)"
)
_LIMIT_PER = re.compile(r"\x00\s*(?:ל|לכל\s+|per\s+)[\u05d0-\u05ea\w]+")  # the unit a removed limit is per
_FLOOR = re.compile(_FLOOR_WORDS + r"\W{0,3}(?:₪\s?)?\d")
_CAP = re.compile(_CAP_WORDS + r"\W{0,3}(?:₪\s?)?\d")
_LIMIT_AMOUNT = re.compile(
    rf"(?:{_FLOOR_WORDS}|{_CAP_WORDS})\W{{0,3}}(?:₪\s?)?(?:{_NUM})(?:\.\d{{1,2}})?(?:\s?(?:₪|ש\"ח|שקלים|שקל))?"
)
# 'פיצוי בשיעור של 150% מדמי השכירות …': a payment stated as a share of an amount (three digits: 150%).
_SHARE = re.compile(
    r"(?<![\d.])(\d{1,3}(?:\.\d{1,2})?)\s?%\s*מ(?:-|ה|ן\s)?([\u05d0-\u05ea\"]+(?:\s+[\u05d0-\u05ea\"]+)?)"
)
_WITH = re.compile(r'כולל|כוללת|סה"כ|סך הכול|סך הכל|בסך הכול|עם מע|total|including|incl|شامل|المجموع', re.I)
_RISE = re.compile(
    r"(?:יעלו|יעלה|תעלה)(?!\s+על\s+\d[\d.]*\s?%\s*מ)|יגדל|יגדלו|העלאה|תוספת|עלייה|יתווסף|increase|raised"
)
_OFF = re.compile(r"הנחה|בהנחה|הפחתה|מופחת|discount|reduction")
_QUANTITY = re.compile(
    r"(\d{1,4}(?:\.\d)?)\s*(שעות|שעה|חודשים|חודשי|חודש|ימים|ימי|יום|hours|hour|months|month|days|day|ساعات|ساعة|أشهر"
    r"|קילוגרם|ק\"ג|kilograms|kilogram|kg)"
    r"(?![\u05d0-\u05ea\w])"
)
# '60 ימים לפני מועד האירוע', '3 months before the event': a point in time the question dates an act by ('12 ימים
# אחרי המועד' may be a delay to price, so only 'before' dates).
_BEFORE_EVENT = re.compile(r"\s+(?:לפני|קודם|before|prior)(?![\u05d0-\u05ea])", re.IGNORECASE)
_PER = {
    # 'על כל שעת איחור': the hour in its construct form
    "שעה": (
        r"לשעה",
        r"לכל שעה",
        r"על כל שעת?(?![\u05d0-\u05ea])",
        r"בעד כל שעת?(?![\u05d0-\u05ea])",
        # 'כל שעת צילום נוספת … תחויב ב-₪650': what every hour is charged
        r"(?<![\u05d0-\u05ea])כל\s+שעת\s+[\u05d0-\u05ea]+(?:\s+[\u05d0-\u05ea]+)?[^.;₪]{0,40}?(?:תחויב|תשולם|יחויב|ישולם)",
        r"per hour",
        r"/hour",
    ),
    "קילוגרם": (r"לקילוגרם", r"לכל קילוגרם", r"לק\"ג", r"לכל ק\"ג", r"per kg", r"per kilogram", r"/kg"),
    "חודש": (r"לחודש", r"לכל חודש", r"על כל חודש", r"בעד כל חודש", r"per month", r"/month"),
    "יום": (r"ליום", r"לכל יום", r"על כל יום", r"בעד כל יום", r"per day", r"/day"),
}
_UNIT_OF = {
    "שעות": "שעה",
    "שעה": "שעה",
    "hours": "שעה",
    "hour": "שעה",
    "ساعات": "שעה",
    "ساعة": "שעה",
    "חודשים": "חודש",
    "חודשי": "חודש",
    "חודש": "חודש",
    "months": "חודש",
    "month": "חודש",
    "أشهر": "חודש",
    "ימים": "יום",
    "ימי": "יום",  # '5 ימי איחור'
    "יום": "יום",
    "days": "יום",
    "day": "יום",
    "קילוגרם": "קילוגרם",
    'ק"ג': "קילוגרם",
    "kilograms": "קילוגרם",
    "kilogram": "קילוגרם",
    "kg": "קילוגרם",
}
_H = "\u05d0-\u05ea"
# Whole words only: 'חודשים' (months) is not 'חודשי' (monthly), 'שנתיים' (two years) is not 'שנתי'.
_MONTHLY = re.compile(
    rf"(?<![{_H}])(?:לחודש|בחודש|לכל חודש|חודשי|חודשית|החודשי|החודשית|החודשיים)(?![{_H}])|per month|monthly|a month"
    # 'דמי שירות חודשיים' (monthly, after its noun); 'תוך חודשיים' or 'של חודשיים' is two months
    rf"|(?<=[{_H}] )(?<!תוך )(?<!משך )(?<!לפני )(?<!לאחר )(?<!אחרי )(?<!בעוד )(?<!של )(?<!עד )חודשיים(?![{_H}])"
)
_YEARLY = re.compile(
    rf"(?<![{_H}])(?:לשנה|בשנה|לכל שנה|שנתי|שנתית|השנתי|השנתית)(?![{_H}])|per year|a year|annual|yearly"
)
# 'בשנה מסוימת נמכרו …', 'בשנה שבה …' dates the year of the asker's story; it asks no yearly amount.
_DATED_YEAR = re.compile(rf"(?<![{_H}])(?:ב|ל)שנה\s+(?:מסוימת|מסויימת|כלשהי|שבה|בה)(?![{_H}])")
_HOW_MUCH = re.compile(
    r"כמה|בכמה|מה המחיר|מה הסכום|מה גובה|מהו גובה|מה יהיה|מה יהיו|מה הסך|מה סך|מהו סך|מה ההפרש|מהו ההפרש"
    r"|how much|what is the total|what would|كم"
    # 'what is the most the forwarder has to pay' (not 'the minimum annual royalty', a noun asked)
    r"|what is the (?:most|maximum|least|minimum) (?:the \w+|that|it|he|she|they|we|you|i) [^?]*\bpay",
    re.IGNORECASE,
)
_DIFFERENCE = re.compile(
    # 'ההפרש' (the difference), never 'הפרשה' (a contribution to a fund)
    r"(?<![\u05d0-\u05ea])ה?הפרש(?![\u05d0-\u05ea])"
    r"|בכמה (?:יותר|פחות|יגדל|יגדלו|יעלו|יעלה|תעלה|גבוה|נמוך|יקר|זול)|difference|how much more",
    re.I,
)
_SUM = re.compile(r"ביחד|יחד|בסך הכול|בסך הכל|סך הכול|סה\"כ|together|in total|combined", re.I)
_VAT_WORDS_Q = re.compile(
    r'כולל(?:ת)?\s+מע"מ|כולל(?:ת)?\s+מעמ|בתוספת\s+מע"מ|including\s+vat|with\s+vat|incl\.?\s+vat', re.I
)
# 'כמה ימי חופשה', 'כמה שעות נוספות', 'how many days': a count is asked; its 'בשנה' is what it counts in.
_COUNT_ASKED = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ל|ב)?כמה\s+(?:ימי|ימים|שעות|פעמים|שבועות|דקות|משמרות|עובדים|חדרים)(?![\u05d0-\u05ea])"
    r"|how many (?:days|hours|times|weeks|minutes|shifts)",
    re.IGNORECASE,
)
_DISCOUNT_Q = re.compile(r"הנחה|בהנחה|אחרי ההנחה|לאחר ההנחה|discount", re.I)
_TWELVE = Decimal(12)
_CENT = Decimal("0.01")
MONTHS_A_YEAR = _TWELVE
"""The one number a calculation may use that no clause states: the calendar's months in a year."""


@dataclass(frozen=True)
class Calculation:
    """A computed figure, the expression that shows how, and which quotes (by index) it used."""

    result: Decimal
    expression: str
    uses: tuple[int, ...]


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def shekels(value: Decimal | float) -> str:
    """₪ with thousands separators, and agorot only when there are any."""
    v = _round(Decimal(str(value)))
    return f"₪{v:,.2f}" if v != v.to_integral_value() else f"₪{int(v):,}"


def _num(value: Decimal) -> str:
    """A rate or factor as written: 18, 0.5, 1.18."""
    text = f"{value.normalize():f}"
    return text


def money(text: str) -> list[Decimal]:
    """The shekel amounts written in `text`, in order (a range's two ends are left out)."""
    plain = normalize(text)
    ranges = [m.span() for m in _RANGE.finditer(plain) if re.search(r"₪", m.group(0))]
    out = []
    for m in _MONEY.finditer(plain):
        if any(a <= m.start() < b for a, b in ranges):
            continue
        whole = m.group(1) or m.group(3)
        cents = m.group(2) or m.group(4)
        value = Decimal(whole.replace(",", ""))
        if cents:
            value += Decimal(cents) / (10 ** len(cents))
        out.append(value)
    return out


def floor_or_cap(text: str) -> tuple[Decimal | None, Decimal | None]:
    """The least and the most amount a clause allows ('ולא פחות מ-₪40,000'), each None when not stated."""
    plain = normalize(text)
    floor = cap = None
    for pattern, kind in ((_FLOOR, "floor"), (_CAP, "cap")):
        m = pattern.search(plain)
        if m is None:
            continue
        found = money(plain[m.start() : m.end() + 24])
        if found:
            if kind == "floor":
                floor = found[0]
            else:
                cap = found[0]
    return floor, cap


def percent(text: str) -> list[Decimal]:
    """The percentages written in `text`, in order."""
    return [Decimal(m.group(1)) for m in _PERCENT.finditer(normalize(text))]


def vat_rate(text: str) -> Decimal | None:
    """The VAT rate `text` states beside the word מע"מ ('מע"מ (18%)', 'מע"מ בשיעור 17%'), or None."""
    m = _VAT_RATE.search(normalize(text))
    return Decimal(m.group(1) or m.group(2)) if m else None


# 'מה שכר החוזה כולל מע"מ?' asks for the total as much as 'כמה'; 'האם המחיר כולל מע"מ?' asks yes or no.
_WHAT = re.compile(
    r"(?:^|[\s,.;:])ו?(?:מה|מהו|מהי|מהם|מהן)\s|\bwhat(?:'s| is| are| would be)\b"
    r"|\bwhat\s+[a-z]+\s+(?:does|do|will|would|must|should)\b",  # 'what royalty does the licensee pay'
    re.IGNORECASE,
)
_NO_VAT = re.compile(
    r'(?:לפני|ללא|בלי|בניכוי|לא\s+כולל|לא\s+כולל(?:ת)?|שאינו\s+כולל)\s+(?:ה)?(?:מע"מ|מעמ)'
    r"|(?:before|excluding|excl\.?|without|net of)\s+vat",
    re.IGNORECASE,
)
_YES_NO = re.compile(r"(?<![\u05d0-\u05ea])(?:ה)?האם(?![\u05d0-\u05ea])|^\s*(?:does|do|is|are)\b", re.IGNORECASE)


def asks_for_vat_total(question: str) -> bool:
    """Whether the question asks for an amount including VAT ('does the price include VAT?' does not)."""
    q = normalize(question)
    if not (_VAT.search(q) and _WITH.search(q)) or _NO_VAT.search(q):
        return False  # 'בסך הכול, לפני מע"מ': a total without VAT is asked
    return bool(_HOW_MUCH.search(q) or (_WHAT.search(q) and not _YES_NO.search(q)))


def asked_period(question: str) -> Operation | None:
    """'per_year' or 'per_month' when the question asks for an amount over that period, whatever else it asks.

    'כמה ישלם בשנה, כולל מע"מ?' is a year of the monthly amount, then VAT.
    """
    q = _VAT_WORDS_Q.sub(" ", normalize(question))
    op = asked_operation(q)
    return op if op in ("per_year", "per_month") else None


def asked_operation(question: str) -> Operation | None:
    """The derived amount a question asks for, if any (the facts it needs are looked for afterwards)."""
    q = normalize(question)
    if asks_for_vat_total(q):
        return "vat"
    if not _HOW_MUCH.search(q) and not _DIFFERENCE.search(q):
        return None
    if _DIFFERENCE.search(q):
        return "difference"
    if quantity_asked(q) is not None and not _dated_by_count(q):
        return "quantity"
    if _DISCOUNT_Q.search(q):
        return "discount"
    if _COUNT_ASKED.search(q):
        return "sum" if _SUM.search(q) else None  # 'לכמה ימי חופשה בשנה': a count in a year, not an amount
    if _YEARLY.search(_DATED_YEAR.sub(" ", q)) and not _MONTHLY.search(q):
        return "per_year"
    if (
        _MONTHLY.search(q)
        and not _YEARLY.search(q)
        and re.search(
            rf"(?<![{_H}])(?:בחודש|לחודש)(?!\s+(?:מסוים|מסויים|אחד|כלשהו|הזה|שעבר|הבא|שבו|שבה|בו|בה))"
            r"|per month|a month",  # 'בחודש שבו הפדיון היה …' dates the month; it asks no monthly amount
            q,
        )
    ):
        return "per_month"
    if _SUM.search(q):
        return "sum"
    return None


def unit_of(word: str) -> str:
    """A unit of time or weight in its base form ('ימים' → 'יום', 'hours' → 'שעה'); another word as it is."""
    return _UNIT_OF.get(word, word)


def _dated_by_count(question: str) -> bool:
    """Whether the question's count of time dates an act ('ביטלה 60 ימים לפני מועדו'): no days to price."""
    return dated_count(question) is not None


def dated_count(question: str) -> tuple[Decimal, str] | None:
    """The count of time that dates the question's act ('ביטל 45 יום לפני הכנס': (45, 'יום')), or None."""
    q = normalize(question)
    m = _QUANTITY.search(q)
    if m is None or _BEFORE_EVENT.match(q, m.end()) is None:
        return None
    return Decimal(m.group(1)), _UNIT_OF[m.group(2)]


_SPAN_NUMBER = r"(\d{1,4})"


def count_in_span(count: Decimal, unit: str, text: str) -> bool | None:
    """Whether a clause's span of that unit of time holds the count; None when it states no count of that unit.

    '30 עד 89 ימים לפני הכנס' holds 45, '90 ימים או יותר' holds 100, 'פחות מ-30 ימים' holds 20; a count of the
    unit in no span the reader knows is False (which row holds the count is then not for arithmetic to guess).
    """
    words = [w for w, u in _UNIT_OF.items() if u == unit]
    if not words:
        return None
    u = "(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")(?![\u05d0-\u05ea\w])"
    t = normalize(text)
    if not re.search(rf"\d\s*{u}", t):
        return None
    n = int(count)
    if m := re.search(rf"(?:בין\s+)?{_SPAN_NUMBER}\s*(?:עד|[-–]|ל-?|and|to)\s*{_SPAN_NUMBER}\s*{u}", t):
        low, high = sorted((int(m.group(1)), int(m.group(2))))  # 'בין 60 ל-14 ימים' counts down
        return low <= n <= high
    if m := re.search(rf"{_SPAN_NUMBER}\s*{u}\s*(?:או\s+יותר|ומעלה|לפחות|or\s+more)", t):
        return n >= int(m.group(1))
    if m := re.search(rf"(?:(?P<over>יותר\s+מ-?|מעל|more\s+than)|לפחות|at\s+least)\s*{_SPAN_NUMBER}\s*{u}", t):
        return n > int(m.group(2)) if m.group("over") else n >= int(m.group(2))
    if m := re.search(rf"(?:פחות\s+מ-?|less\s+than|fewer\s+than)\s*{_SPAN_NUMBER}\s*{u}", t):
        return n < int(m.group(1))
    if m := re.search(rf"(?:עד|up\s+to|within)\s*{_SPAN_NUMBER}\s*{u}", t):
        return n <= int(m.group(1))
    return False


def states_period(text: str, period: Literal["month", "year"]) -> bool:
    """Whether `text` says its amount is per month (or per year), as whole words."""
    return bool((_MONTHLY if period == "month" else _YEARLY).search(normalize(text)))


def vat_total(amount_text: str, rate_text: str, *, amount_index: int = 0, rate_index: int = 1) -> Calculation | None:
    """Amount + VAT, when the amount is in one quote and the VAT rate beside 'מע"מ' in another."""
    amounts = money(amount_text)
    rate = vat_rate(rate_text)
    if len(amounts) != 1 or rate is None:
        return None  # no amount, or several: which one is taxed is not for arithmetic to guess
    if len(percent(amount_text)) > (1 if vat_rate(amount_text) is not None else 0):
        return None  # 'בשיעור של 0.5% … ולא פחות מ-₪40,000': the amount is a floor, not the price
    base = amounts[0]
    factor = 1 + rate / 100
    total = _round(base * factor)
    expression = f'{shekels(base)} + מע"מ {_num(rate)}% = {shekels(base)} × {_num(factor)} = {shekels(total)}'
    return Calculation(total, expression, (amount_index, rate_index))


def percent_change(rule_text: str, base_text: str, *, rule_index: int = 0, base_index: int = 1) -> Calculation | None:
    """A base amount raised by the percentage a rule states ('יעלו ב-4%'), when the rule gives no result."""
    if not _RISE.search(rule_text):
        return None
    rates, bases = percent(rule_text), money(base_text)
    if len(rates) != 1 or not bases:
        return None
    rate, base = rates[0], bases[0]
    result = _round(base * (1 + rate / 100))
    expression = f"{shekels(base)} + {_num(rate)}% = {shekels(base)} × {_num(1 + rate / 100)} = {shekels(result)}"
    return Calculation(result, expression, (base_index, rule_index))


def percent_off(rule_text: str, base_text: str, *, rule_index: int = 0, base_index: int = 1) -> Calculation | None:
    """A base amount less the discount a rule states ('בהנחה של 15%')."""
    plain = normalize(rule_text)
    m = re.search(r"(?:הנחה|הפחתה|discount|reduction)\D{0,12}?(\d{1,2}(?:\.\d{1,2})?)\s?%", plain)
    bases = money(base_text)
    if m is None or len(bases) != 1:
        return None
    rate, base = Decimal(m.group(1)), bases[0]
    result = _round(base * (1 - rate / 100))
    expression = f"{shekels(base)} − {_num(rate)}% = {shekels(base)} × {_num(1 - rate / 100)} = {shekels(result)}"
    return Calculation(result, expression, (base_index, rule_index))


def per_period(question: str, text: str, *, index: int = 0) -> Calculation | None:
    """A monthly amount for a year (× 12) or a yearly one for a month (÷ 12), when the quote says which it is."""
    op = asked_operation(question)
    if op not in ("per_year", "per_month"):
        op = asked_period(question)  # 'בשנה, כולל מע"מ': the year first (VAT is the chain's last step)
    amounts = money(text)
    if len(amounts) != 1:
        return None
    plain = normalize(text)
    amount = amounts[0]
    if op == "per_year" and _MONTHLY.search(plain) and not _YEARLY.search(plain):
        result = _round(amount * _TWELVE)
        return Calculation(result, f"{shekels(amount)} לחודש × 12 חודשים = {shekels(result)} לשנה", (index,))
    if op == "per_month" and _YEARLY.search(plain) and not _MONTHLY.search(plain):
        result = _round(amount / _TWELVE)
        return Calculation(result, f"{shekels(amount)} לשנה ÷ 12 חודשים = {shekels(result)} לחודש", (index,))
    counted = _COUNT_A_PERIOD.search(plain)
    if counted is not None and op == ("per_year" if _YEARLY.match(counted.group(3)) else "per_month"):
        # 'דמי הבראה בעד 5 ימים בשנה, בשיעור של ₪418 ליום' asked a year: the days of the period at the day's rate.
        unit = _UNIT_OF[counted.group(2)]
        rate = _rate_for(question, plain[counted.end() :], _PER[unit])
        if rate is not None and rate == amount:
            days = Decimal(counted.group(1))
            result = _round(days * rate)
            return Calculation(result, f"{_num(days)} × {shekels(rate)} = {shekels(result)}", (index,))
    return None


def counts_a_period(text: str, period: str) -> bool:
    """Whether `text` states a count of days or hours in the period ('year' or 'month') and a rate per that unit.

    'זכאי לדמי הבראה בעד 5 ימים בשנה, בשיעור של ₪418 ליום': a year's amount is the days times the day's rate.
    """
    plain = normalize(text)
    counted = _COUNT_A_PERIOD.search(plain)
    if counted is None or bool(_YEARLY.match(counted.group(3))) != (period == "year"):
        return False
    return _rate_for(text, plain[counted.end() :], _PER[_UNIT_OF[counted.group(2)]]) is not None


# A count of units in a period ('בעד 5 ימים בשנה', '8 שעות בחודש'): with a rate per unit after it, a period's amount.
_COUNT_A_PERIOD = re.compile(
    rf"(?<![\d.,])(\d{{1,3}})\s*(ימים|ימי|שעות)\s+(בשנה|לשנה|לכל שנה|בחודש|לחודש|לכל חודש)(?![{_H}])"
)


def difference(first_text: str, second_text: str, *, first_index: int = 0, second_index: int = 1) -> Calculation | None:
    """The larger amount less the smaller, one amount from each quote."""
    a, b = money(first_text), money(second_text)
    if len(a) != 1 or len(b) != 1 or a[0] == b[0]:
        return None
    (hi, hi_i), (lo, lo_i) = sorted(((a[0], first_index), (b[0], second_index)), key=lambda x: -x[0])
    result = hi - lo
    return Calculation(result, f"{shekels(hi)} − {shekels(lo)} = {shekels(result)}", (hi_i, lo_i))


_PER_EACH = re.compile(r"\s*(?:ל|ב)?כל\s|\s*(?:per|each|a)\s", re.IGNORECASE)


def amount_sum(texts: list[str]) -> Calculation | None:
    """The sum of one amount from each quote, or of the two amounts one quote adds ('₪1,800 … בתוספת ₪900')."""
    if len(texts) == 1:
        plain = normalize(texts[0])
        found = money(texts[0])
        spans = [m.span() for m in _MONEY.finditer(plain)]
        # The second amount is what is added to the first ('₪1,800 בתוספת ₪900'): 'בתוספת מע"מ' after both adds
        # neither, and two prices per unit ('₪3,500 לכל פוסט ו-₪600 לכל סטורי') are no total of anything.
        between = plain[spans[0][1] : spans[1][0]] if len(spans) == 2 else ""
        if len(found) != 2 or not re.search(r"בתוספת|ועוד|plus", between) or _PER_EACH.match(between):
            return None
        result = found[0] + found[1]
        return Calculation(result, f"{shekels(found[0])} + {shekels(found[1])} = {shekels(result)}", (0,))
    each = [money(t) for t in texts]
    if len(each) < 2 or any(len(m) != 1 for m in each):
        return None
    values = [m[0] for m in each]
    result = sum(values, Decimal(0))
    expression = " + ".join(shekels(v) for v in values) + f" = {shekels(result)}"
    return Calculation(result, expression, tuple(range(len(values))))


_PRICE_PER_NOUN = re.compile(
    rf"(?:₪\s?({_NUM})|({_NUM})\s?(?:₪|ש\"ח))\s+(?:לכל|בעד כל|על כל)\s+([\u05d0-\u05ea]{{3,}})"
)
_COUNT_OF_NOUN = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})*)\s+(?:ו-?)?([\u05d0-\u05ea]{3,})")


def _same_noun(a: str, b: str) -> bool:
    """'פוסט' / 'פוסטים', 'סטורי' / 'סטוריז': one noun's rough root begins the other's."""
    ka, kb = _noun_key(a), _noun_key(b)
    return len(min(ka, kb, key=len)) >= 3 and (ka.startswith(kb) or kb.startswith(ka))


def prices_times_counts(prices_text: str, counts_text: str) -> Calculation | None:
    """Each price per unit of one clause times the count another clause states of that unit, added up.

    '₪3,500 לכל פוסט ו-₪600 לכל סטורי' and '6 פוסטים ו-10 סטוריז' give 6 × ₪3,500 + 10 × ₪600. None unless every
    priced unit is counted there, once.
    """
    plain, counts = normalize(prices_text), normalize(counts_text)
    prices = [
        (Decimal((m.group(1) or m.group(2)).replace(",", "")), m.group(3)) for m in _PRICE_PER_NOUN.finditer(plain)
    ]
    if len(prices) < 2:
        return None
    found = [(Decimal(m.group(1).replace(",", "")), m.group(2)) for m in _COUNT_OF_NOUN.finditer(counts)]
    steps, parts = [], []
    for price, noun in prices:
        counted = [n for n, word in found if _same_noun(noun, word)]
        if len(counted) != 1:
            return None
        part = _round(counted[0] * price)
        steps.append(f"{_num(counted[0])} × {shekels(price)} = {shekels(part)}")
        parts.append(part)
    total = sum(parts, Decimal(0))
    steps.append(" + ".join(shekels(p) for p in parts) + f" = {shekels(total)}")
    return Calculation(total, "; ".join(steps), (0, 1))


# 'תוך 14 ימים ממסירת הסרטון', 'within 7 days of': when something is due, not a quantity of days to price.
_WITHIN = re.compile(r"(?:(?<![\u05d0-\u05ea])ב?תוך|\bwithin)\s*(?:-\s*)?(\d{1,4})\s*(?:ימים|ימי|יום|days?)", re.I)


def quantity_asked(question: str) -> tuple[Decimal, str] | None:
    """'10 שעות' in the question: (10, 'שעה'); '3 ישיבות': (3, 'ישיבות') (a counted noun, matched by its root)."""
    q = _WITHIN.sub(" ", normalize(question))
    m = _QUANTITY.search(q)
    if m:
        return Decimal(m.group(1)), _UNIT_OF[m.group(2)]
    # A counted noun: not a date ('12 בינואר'), a law's section ('סעיף 7 לחוק') or a definite phrase.
    noun = re.search(r"(?<!סעיף )(?<!עמ' )(?<![\d.,/-])(\d{1,3}(?:,\d{3})+|\d{1,3})\s+([\u05d0-\u05ea]{3,})", q)
    if noun and noun.group(2)[0] in "בלהמו" and not _PLURAL_NOUN.fullmatch(noun.group(2)):
        noun = None  # 'בינואר', 'מהם': a prefix, not the noun counted
    if noun and _COUNTED.search(q[: noun.start()] + " " + q[noun.end() :]) is None:
        return Decimal(noun.group(1).replace(",", "")), noun.group(2)
    return None


# A plural noun that begins with a letter that may be a prefix ('280 משטחים', '2,400 מסגרות', '3 הזמנות'): counted,
# unless that letter is a prefix before the article ('מהמשטחים', 'בהזמנות').
_PLURAL_NOUN = re.compile(r"(?![מבלו]ה)[\u05d0-\u05ea]{2,}(?:ים|ות)")


def states_count(counted: tuple[Decimal, str], text: str) -> bool:
    """Whether the text names the asked count itself ('דירת 4 חדרים' in 'צביעת דירה 4 חדרים | ₪6,500').

    Then the count describes the item whose price is asked, not a quantity to multiply a rate by.
    """
    quantity, unit = counted
    # str(Decimal('90').normalize()) is '9E+1': a round count is written as a whole number, as a row says it.
    number = str(int(quantity)) if quantity == quantity.to_integral() else str(quantity)
    forms = [form for form, base in _UNIT_OF.items() if base == unit] or [_noun_key(unit)[:3]]
    said = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.search(rf"(?<![\d.,]){re.escape(number)}\s*(?:{said})", normalize(text)) is not None


_COUNTED = re.compile(r"%|₪|ש\"ח")  # '3 ישיבות' counts sessions; '5% הנחה' or '₪3 …' is not a count


def _noun_key(word: str) -> str:
    """A counted noun's rough root: plural and feminine endings off, finals as medial ('ישיבות' → 'ישיב')."""
    key = re.sub(r"(?:ות|ים|ה|ת)$", "", word) if len(word) > 4 else word
    return key.translate(str.maketrans("ךםןףץ", "כמנפצ"))


def _per_noun(noun: str) -> tuple[str, ...]:
    """'לכל ישיבה', 'לישיבה', 'per session': the markers of a rate per the counted noun."""
    key = re.escape(_noun_key(noun))
    return (
        rf"(?:לכל|על כל|בעד כל)\s+{key}",
        rf"(?<![\u05d0-\u05ea])ל-?{key}",
        # a rate table's unit column: 'יחידת החיוב: משטח לחודש · התעריף: ₪45'
        rf"(?:^|[:·|]\s*){key}[\u05d0-\u05ea]{{0,2}}(?:\s+ל[\u05d0-\u05ea]+)?\s*(?:[·|]|$)",
    )


def _rate_for(question: str, text: str, markers: tuple[str, ...]) -> Decimal | None:
    """The one per-unit amount of `text` the question is about.

    A clause listing several rates ('…לפי התעריפים השעתיים: שותף — ₪1,200 לשעה; עורך דין — ₪850 לשעה')
    gives the one whose item label (the words before its amount, after the list's colon) the question
    names; none when it names none of them or several equally: which rate is not for arithmetic to guess.
    """
    # 'ולא יותר מ-₪3,600' limits the total; it is no rate. '₪450 ליום, ולא יותר מ-₪9,000 למכולה': the unit
    # after a limit is what the limit is per, not the rate's unit.
    plain = _LIMIT_PER.sub(" ", _LIMIT_AMOUNT.sub(" \x00", normalize(text))).replace("\x00", "")
    if not any(re.search(mk, plain) for mk in markers):
        return None
    amounts = money(plain)
    if len(amounts) == 1:
        return amounts[0]
    asked = {f for t in tokenize(question) for f in (t, *stems(t)) if len(f) > 2}
    scored: list[tuple[int, Decimal]] = []
    # Items joined by a comma and 'ו' ('דמי השחרור … ₪850 לכל מכולה, ודמי ההובלה … ₪1,700 לכל מכולה') are a list too.
    for part in re.split(r"[;\n]|,\s+(?=ו[\u05d0-\u05ea])", plain):
        found = money(part)
        if len(found) == 1 and any(re.search(mk, part) for mk in markers):
            label = part.split(":")[-1] if ":" in part.split("₪")[0] else part
            label = re.sub(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+", "", label)  # not the clause's number ('2.3 ')
            label = re.split(r"₪|\d", label)[0]  # the item's own words, before its amount
            words = {f for t in tokenize(label) for f in (t, *stems(t))}
            scored.append((len(asked & words), found[0]))
    scored.sort(key=lambda x: -x[0])
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


# A deposit or a booking or cancellation fee that a clause names beside the thing counted ('מקדמה בסך ₪300' of a
# whitening): what is paid on booking, never the price of one unit — unless the question asks of it. ('בתוספת
# מע"מ' beside a rate per hour is no such charge.)
_NOT_A_UNIT_PRICE = re.compile(
    r"(?<![\u05d0-\u05ea])[ו]?[בלה]?(?:מקדמה|מקדמת|פיקדון|פקדון|דמי\s+(?:ביטול|רישום|הרשמה|הזמנה))(?![\u05d0-\u05ea])"
    r"|\b(?:deposit|down\s+payment|cancellation\s+fee|booking\s+fee)s?\b",
    re.IGNORECASE,
)
# A row priced as a bundle ('סדרה של 3 הזרקות', 'כרטיסייה', 'חבילת'): no price of one unit.
_BUNDLE = re.compile(r"סדרה|סדרת|כרטיסי|חבילה|חבילת|מנוי|זוג|\b(?:series|package|pack|bundle)\b", re.IGNORECASE)
_PRICE_FIELD = re.compile(r"^\s*(?:ה?מחיר|ה?עלות|ה?תעריף|price|cost|rate)\s*:", re.IGNORECASE)
_NOTE_FIELD = re.compile(r"^\s*(?:הערות|הערה|notes?)\s*:", re.IGNORECASE)


def _row_fields(text: str) -> list[str]:
    """A table row's fields ('טיפול: הלבנת שיניים', 'מחיר: ₪1,800'), split at its '·' or '|'."""
    return [f.strip() for f in re.split(r"\s·\s|\s\|\s", normalize(text)) if f.strip()]


def row_names_unit(noun: str, text: str) -> bool:
    """Whether a table row's item (its first field) names the counted noun ('הזרקת PRP' of 'הזרקות')."""
    fields = _row_fields(text)
    if len(fields) < 2 or ":" not in fields[0]:
        return False
    key = _noun_key(noun)
    item = fields[0].split(":", 1)[1]
    return len(key) >= 3 and any(_noun_key(w) == key for w in re.findall(r"[\u05d0-\u05ea]+", item))


def unit_row_price(noun: str, text: str) -> Decimal | None:
    """The price of one unit of the counted noun, when a table row prices that thing itself as one unit.

    'טיפול: הזרקת PRP — הזרקה בודדת · מחיר: 1,200 ₪' of '2 הזרקות': 1,200 — the row's item (its first field)
    names the noun, and neither it nor its other fields (its notes aside) count a bundle of it ('סדרה של 3
    הזרקות'). The price is that of the row's one price field ('מחיר: ₪1,800'); a deposit the notes name
    ('הערות: מקדמה ₪300') is not. None when no such row or price is sure.
    """
    if not row_names_unit(noun, text):
        return None
    fields = _row_fields(text)
    item = fields[0].split(":", 1)[1]
    prices = [f for f in fields if _PRICE_FIELD.match(f)]
    others = [f for f in fields if not _PRICE_FIELD.match(f) and not _NOTE_FIELD.match(f)]
    # a count in the item is a bundle ('3 הזרקות'); in a description it may be a duration ('60 דקות')
    if len(prices) != 1 or re.search(r"\d", item) or any(_BUNDLE.search(f) for f in others):
        return None
    found = money(prices[0])
    return found[0] if len(found) == 1 else None


def times_quantity(question: str, rate_text: str, *, index: int = 0) -> Calculation | None:
    """A quantity the question gives times the rate the quote states per that unit ('₪1,200 לשעה')."""
    asked = quantity_asked(question)
    if asked is None:
        return None
    quantity, unit = asked
    rate = _rate_for(question, rate_text, _PER[unit] if unit in _PER else _per_noun(unit))
    if rate is not None and _NOT_A_UNIT_PRICE.search(normalize(rate_text)):
        asked_words = normalize(question)
        if not _NOT_A_UNIT_PRICE.search(asked_words):
            rate = None  # 'בעת קביעת תור להלבנת שיניים משולמת מקדמה בסך ₪300': a deposit, not what one costs
    if rate is None and unit not in _PER:
        rate = unit_row_price(unit, rate_text)  # 'טיפול: הזרקת PRP — הזרקה בודדת · מחיר: 1,200 ₪'
    if rate is None:
        return None
    steps = []
    included = allowance(question, rate_text)
    if included is not None:
        # 'שעות מעבר ל-40 השעות בחודש ישולמו לפי ₪650 לשעה' and a month of 52 hours: only the units above those
        # included are paid so (a count the question calls extra, or within the allowance, is priced as asked).
        above = quantity - included
        steps.append(f"{_num(quantity)} − {_num(included)} = {_num(above)}")
        quantity = above
    share = _share_of(rate_text, rate)
    if share is not None:
        # 'פיצוי בשיעור של 150% מדמי השכירות … בעד כל חודש; דמי השכירות … ₪6,800 לחודש': the unit's payment
        # is the share of the amount, not the amount.
        paid = _round(rate * share / 100)
        steps.append(f"{_num(share)}% × {shekels(rate)} = {shekels(paid)}")
        rate = paid
    result = _round(quantity * rate)
    steps.append(f"{_num(quantity)} × {shekels(rate)} = {shekels(result)}")
    floor, cap = floor_or_cap(rate_text)
    if cap is not None and result > cap:
        # '₪180 בעד כל יום איחור, ולא יותר מ-₪3,600': the clause's cap holds the total.
        steps.append(f"יותר מהתקרה שבסעיף ({shekels(cap)}), ולכן {shekels(cap)}")
        result = cap
    elif floor is not None and result < floor:
        steps.append(f"פחות מהמינימום שבסעיף ({shekels(floor)}), ולכן {shekels(floor)}")
        result = floor
    return Calculation(result, "; ".join(steps), (index,))


_ABOVE = re.compile(
    r"(?:מעבר\s+ל|מעל\s+ל?|בנוסף\s+ל|beyond|above|in excess of|over)\W{0,3}(\d{1,4})\s*(?:ה)?"
    r"(שעות|שעה|ימים|ימי|יום|חודשים|חודש|hours|hour|days|day|months|month)(?![\u05d0-\u05ea])",
    re.IGNORECASE,
)
_UP_TO = r"(?:עד|עד\s+ל|לכל\s+היותר|up\s+to)\W{0,3}"


# '5 שעות של שותף מעבר לריטיינר', '3 שעות נוספות': the question's units are already those above the allowance.
_ALREADY_ABOVE = re.compile(
    r"\d\s*(?:שעות|שעה|ימים|ימי|יום|חודשים|hours|days)(?:\s+\S+){0,3}?\s+(?:מעבר|נוספות|נוספים|עודפות|עודפים)"
    r"|\d\s*(?:extra|additional|more)\s|(?:hours|days)\s+(?:\S+\s+){0,3}?(?:beyond|above|over)\s",
    re.IGNORECASE,
)


def allowance(question: str, rate_text: str) -> Decimal | None:
    """The units a rate clause leaves out as included, when the question's count is a period's total above them.

    'שעות מעבר ל-40 השעות בחודש … ₪650 לשעה' and 'עבד 52 שעות': 40. Only of the unit the question counts (its
    hours, not days). None when the clause names no such threshold, when the count is within it, or when the
    question calls its units extra already ('5 שעות מעבר לריטיינר'): then the count is priced as asked.
    """
    asked = quantity_asked(question)
    m = _ABOVE.search(normalize(rate_text))
    if asked is None or m is None or _UNIT_OF.get(m.group(2).lower()) != asked[1]:
        return None
    included = Decimal(m.group(1))
    if asked[0] <= included or _ALREADY_ABOVE.search(normalize(question)) or _other_basis(question, rate_text):
        return None
    return included


_ALSO = re.compile(r"(?:^|[\s,])(?:וכן|וגם|and also|as well as)\s+([^,;:]+)", re.I)


def _other_basis(question: str, rate_text: str) -> bool:
    """Whether the rate clause bills another work too and the question names it.

    'מעבר ל-15 שעות בחודש, וכן העבודה על העסקה' and '20 שעות … על העסקה': those hours are billed from the
    first, no allowance is taken.
    """
    plain = normalize(rate_text)
    m = _ALSO.search(plain)
    if m is None:
        return False

    def words(text: str) -> set[str]:
        return {f for t in tokenize(text) if len(t) > 2 for f in (t, *stems(t)) if len(f) > 2}

    own = words(m.group(1)) - words(plain[: m.start()])
    return bool(own & words(question))


def covers_allowance(text: str, included: Decimal, unit: str) -> Decimal | None:
    """The one amount of a clause that covers `included` units ('ריטיינר … ₪24,000 … המכסה עד 40 שעות'), or None."""
    plain = normalize(text)
    amounts = money(plain)
    if len(amounts) != 1:
        return None
    forms = "|".join(f for f, base in _UNIT_OF.items() if base == unit)
    said = re.search(rf"{_UP_TO}{re.escape(_num(included))}\s*(?:ה)?(?:{forms})(?![\u05d0-\u05ea])", plain)
    return amounts[0] if said else None


# The object of a percentage, then a relative clause that gives its amount ('משכר יום עבודה, ששיעורו לעניין זה'):
# at most two more words of the object, a comma, the relative word, and a few words up to the amount.
_REFERS_BACK = re.compile(
    r"(?:\s+[\u05d0-\u05ea\"]+){0,2}\s*,?\s*(?:ששיעורו|ששיעורה|שסכומו|שסכומה|שגובהו|שגובהה|שערכו|שערכה|שהוא|שהיא"
    r"|העומד|העומדת)(?:\s+[\u05d0-\u05ea\"]+){0,3}\s*(?:על\s*)?(?:-|:)?\s*"
)


def _share_of(text: str, amount: Decimal) -> Decimal | None:
    """The percentage of `amount` a clause pays per unit ('150% מדמי השכירות …; דמי השכירות … ₪6,800'), or None.

    Only a percentage whose object (the words after '% מ') is named again just before the amount, after the
    percentage, or given to it by a relative clause right after it ('משכר יום עבודה, ששיעורו ₪298'): a
    percentage of something else in the clause ('10% מהסכום שייפסק') is not applied to it.
    A VAT rate, a cap or floor, and a percentage per period (interest 'לחודש') are not shares.
    """
    plain = _LIMIT_AMOUNT.sub(" ", normalize(text))
    vat = vat_rate(plain)
    found = []
    for m in _SHARE.finditer(plain):
        rate = Decimal(m.group(1))
        if rate == vat or rate <= 0:
            continue
        after = plain[m.end() :]
        at = next((a for a in _MONEY.finditer(after) if money(a.group(0)) == [amount]), None)
        if at is None:
            continue
        before = set(tokenize(after[max(0, at.start() - 80) : at.start()]))
        named = [w.lstrip("ה") for w in tokenize(m.group(2))]
        if named and all(any(t.lstrip("ה") == w for t in before) for w in named):
            found.append(rate)
        elif _REFERS_BACK.fullmatch(after[: at.start()]):
            found.append(rate)  # '150% משכר יום עבודה, ששיעורו לעניין זה ₪298': the amount is the object's own
    return found[0] if len(found) == 1 else None
