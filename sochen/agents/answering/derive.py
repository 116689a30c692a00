"""Derived amounts beyond one step of :mod:`.compute`: the question's own figures, floors and caps, chains.

What a lawyer asks of a fee clause or a rent clause is often "how much if…": a percentage of a value the
question gives (with the clause's floor or cap), an amount split into equal instalments, the least the
clause allows, a monthly amount over the whole term another clause states, a percentage per period
(interest per week) over a base amount, and any of these with VAT on top. Each function here reads the
operands by their kind — an amount in ₪, a percentage, a count of a unit — never by a phrase of a given
question, and returns a :class:`~.compute.Calculation` whose every number is in the question or in the
quoted texts it is shown with (or is the calendar's 12 months a year), else None.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ...text import normalize, stems, tokenize
from .compute import Calculation, floor_or_cap, money, percent, shekels, vat_rate

__all__ = [
    "area_of",
    "asks_amount",
    "asks_deadline",
    "asks_least",
    "asks_together",
    "asks_update",
    "asks_whole_term",
    "date_after",
    "date_event",
    "dates",
    "days_from_event",
    "deadline",
    "fixed_plus_share",
    "floor_or_cap",
    "given_date",
    "index_base",
    "indexed",
    "instalment",
    "interest_per_period",
    "of_amount_with_vat",
    "one_rate",
    "over_area",
    "over_term",
    "period_lead",
    "raised",
    "rate_of_question_amount",
    "rate_per_area",
    "rates_together",
    "share_of",
    "share_of_with_vat",
    "shares_of_question_amount",
    "states_one_period",
    "states_with_vat",
    "term_months",
    "with_vat",
]

_CENT = Decimal("0.01")
_H = "\u05d0-\u05ea"
_LEAST_Q = re.compile(r"לכל הפחות|לפחות|מינימום|המינימלי|המינימלית|המזערי|הנמוך ביותר|at least|minimum|the least", re.I)
_INSTALMENTS = re.compile(
    rf"(\d{{1,2}})\s*(?:תשלומים|פעימות|שיעורים|תשלומי|instalments|installments|payments)(?![{_H}])", re.I
)
_EACH = re.compile(r"כל תשלום|כל פעימה|כל שיעור|לתשלום|each|per (?:instalment|installment|payment)", re.I)
_WHOLE_TERM = re.compile(
    r"(?:על|ל|במשך|לאורך)\s*כל\s*(?:ה)?תקופ|כל תקופת|for the (?:whole|entire|full) (?:term|period)", re.I
)
# 'תקופת השכירות היא 24 חודשים' states the term; 'להאריך את התקופה ב-12 חודשים' extends it by 12.
_TERM = re.compile(rf"תקופ[{_H}]*[^.;\n]{{0,40}}?(?<!ב-)(?<!ב)(?<![\d.,])(\d{{1,3}})\s*(?:חודשים|חודש)(?![{_H}])")
_PER_PERIOD = {
    "שבוע": re.compile(r"(\d{1,2}(?:\.\d{1,2})?)\s?%\s*(?:לשבוע|לכל שבוע|per week|a week)"),
    "חודש": re.compile(r"(\d{1,2}(?:\.\d{1,2})?)\s?%\s*(?:לחודש|לכל חודש|per month|a month)"),
    "יום": re.compile(r"(\d{1,2}(?:\.\d{1,2})?)\s?%\s*(?:ליום|לכל יום|per day|a day)"),
}
_PERIOD_Q = {
    "שבוע": re.compile(rf"(?:(\d{{1,2}})\s*)?(?<![{_H}])(?:ש?ב?שבוע|שבועות|שבועי|weeks?)(?![{_H}])"),
    "חודש": re.compile(rf"(?:(\d{{1,2}})\s*)?(?<![{_H}])(?:ש?ב?חודש|חודשים|חודשי|months?)(?![{_H}])"),
    "יום": re.compile(rf"(?:(\d{{1,3}})\s*)?(?<![{_H}])(?:ש?ב?יום|ימים|ימי|days?)(?![{_H}])"),
}

# The dual: 'שבועיים', 'חודשיים', 'יומיים' are two of the period.
_DUAL_Q = {
    "שבוע": re.compile(rf"(?<![{_H}])[בלו]?שבועיים(?![{_H}])"),
    "חודש": re.compile(rf"(?<![{_H}])[בלו]?חודשיים(?![{_H}])"),
    "יום": re.compile(rf"(?<![{_H}])[בלו]?יומיים(?![{_H}])"),
}


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def asks_least(question: str) -> bool:
    """Whether the question asks for the least amount ('כמה ישלם לכל הפחות')."""
    return bool(_LEAST_Q.search(normalize(question)))


def _plain_rate(text: str) -> Decimal | None:
    """The one percentage of a clause that is not a VAT rate (a fee 'בשיעור של 0.5% משווי העסקה')."""
    rates = percent(text)
    vat = vat_rate(text)
    if vat is not None:
        rates = [r for r in rates if r != vat]
    return rates[0] if len(rates) == 1 else None


def one_rate(text: str) -> Decimal | None:
    """The one percentage of a clause that is not its VAT rate, or None (none, or several)."""
    return _plain_rate(text)


_SQM = r'מ"ר|מטר\s+רבוע|sqm|m2|m²'
# Farmland is let by the dunam (1,000 m²): '₪1,150 לדונם לשנה', 'חלקה בשטח 85 דונם'.
_DUNAM = rf"(?:דונם|דונמים|dunams?|dunums?)(?![{_H}a-z])"
_PER_SQM = re.compile(
    rf"(?:₪\s?)(\d{{1,3}}(?:,\d{{3}})*(?:\.\d{{1,2}})?)\s*(?:ל-?|לכל\s+|per\s+)({_SQM}|{_DUNAM})", re.I
)
_AREA = re.compile(rf"(?<![\d.,₪])(\d{{1,3}}(?:,\d{{3}})*(?:\.\d{{1,2}})?)\s*({_SQM}|{_DUNAM})", re.I)


def _area_unit(said: str) -> str:
    """The unit an area or a rate per area is stated in, as the answer writes it: 'מ"ר' or 'דונם'."""
    return "דונם" if re.match(_DUNAM, said, re.I) else 'מ"ר'


def rate_per_area(text: str) -> Decimal | None:
    """The one amount a clause states per square metre or per dunam ('דמי ניהול בסך ₪38 למ"ר לחודש'), or None."""
    found = _PER_SQM.findall(normalize(text))
    return Decimal(found[0][0].replace(",", "")) if len(found) == 1 else None


def area_of(text: str) -> Decimal | None:
    """The one area in square metres or dunams a text states with no rate per area ('בשטח של 120 מ"ר'), or None."""
    plain = normalize(text)
    if _PER_SQM.search(plain):
        return None
    found = _AREA.findall(plain)
    return Decimal(found[0][0].replace(",", "")) if len(found) == 1 else None


def over_area(rate_text: str, area_text: str) -> Calculation | None:
    """A rate per area times the area another text (or the question) states in the same unit: 120 מ"ר × ₪38."""
    rate, area = rate_per_area(rate_text), area_of(area_text)
    if rate is None or area is None:
        return None
    rate_unit = _area_unit(_PER_SQM.findall(normalize(rate_text))[0][1])
    unit = _area_unit(_AREA.findall(normalize(area_text))[0][1])
    if unit != rate_unit:
        return None  # a rate per m² is not multiplied by dunams
    result = _round(rate * area)
    return Calculation(result, f"{_num(area)} {unit} × {shekels(rate)} = {shekels(result)}", (0, 1))


_SHARE_OF = re.compile(rf"(\d{{1,2}}(?:\.\d{{1,2}})?)\s?%\s*מ-?ה?([{_H}]{{3,}})")
_HIGHER = re.compile(r"הגבוה\s+מבין|הגבוה\s+שבהם|הגבוה\s+מהשניים|whichever is (?:higher|greater)", re.I)
_EITHER = re.compile(rf"הנמוך\s+מבין|הנמוך\s+שבהם|(?<![{_H}])או(?![{_H}])|whichever is lower", re.I)


# The clause pays the two together: 'את שני אלה', '(א) … (ב) …', 'בנוסף', 'וכן', 'in addition'.
_BOTH = re.compile(rf"שני\s+אלה|שניהם|\(א\)[^()]*\(ב\)|בנוסף|(?<![{_H}])וכן(?![{_H}])|in addition|plus\b", re.I)


def asks_fixed_part(question: str, plain: str) -> bool:
    """Whether the question names a word only the fixed part (א) has ('מה דמי השכירות הבסיסיים …')."""
    m = re.search(r"\(א\)([^()]*)\(ב\)(.*)", normalize(plain))
    if m is None:
        return False

    def words(text: str) -> set[str]:
        return {f for t in tokenize(text) if len(t) > 3 for f in (t, *stems(t)) if len(f) > 3}

    return bool(words(question) & (words(m.group(1)) - words(m.group(2))))


def fixed_plus_share(question: str, text: str) -> Calculation | None:
    """A clause's fixed amount and its percentage of the amount the question gives, both paid (or the higher).

    '(א) דמי שכירות בסיסיים ₪18,000; (ב) 4% מהפדיון החודשי' and a month whose turnover (פדיון) the question gives
    as ₪350,000: ₪18,000 + 4% × ₪350,000. Only when the clause has exactly one amount and one percentage (not
    its VAT), the percentage is of a thing the question names ('מהפדיון' — 'הפדיון'), and the clause does not
    offer the two as alternatives; 'הגבוה מבין' takes the higher of them.
    """
    given, fixed = money(question), money(text)
    rate = _plain_rate(text)
    if len(given) != 1 or len(fixed) != 1 or rate is None:
        return None
    plain = normalize(text)
    if not _BOTH.search(plain) or asks_fixed_part(question, plain):
        return None  # two amounts side by side are not a sum unless the clause adds them and the question asks it
    m = _SHARE_OF.search(plain)
    if m is None or Decimal(m.group(1)) != rate:
        return None
    of = m.group(2)
    if not any(of in (w, w[1:] if w[0] in "הבלמ" else w) for w in re.findall(rf"[{_H}]{{3,}}", normalize(question))):
        return None  # the percentage is of something the question gives no amount for
    if floor_or_cap(text) != (None, None):
        return None  # a floor or cap on the share: the fixed amount is a limit, not a second payment
    share = _round(given[0] * rate / 100)
    steps = f"{_num(rate)}% × {shekels(given[0])} = {shekels(share)}"
    if _HIGHER.search(plain):
        result = max(share, fixed[0])
        return Calculation(
            result, f"{steps}; הגבוה מבין {shekels(fixed[0])} ו-{shekels(share)}: {shekels(result)}", (0,)
        )
    if _EITHER.search(plain):
        return None  # one or the other: which is not for arithmetic to guess
    result = fixed[0] + share
    return Calculation(result, f"{steps}; {shekels(fixed[0])} + {shekels(share)} = {shekels(result)}", (0,))


def rate_of_question_amount(question: str, text: str) -> Calculation | None:
    """The clause's percentage of the amount the question gives, held to the clause's floor and cap.

    'כמה דמי הצלחה אם שווי העסקה ₪20,000,000?' over '0.5% משווי העסקה, ולא פחות מ-₪40,000' → ₪100,000.
    """
    given = money(question)
    if len(given) != 1:
        return None
    rate = _plain_rate(text)
    if rate is None:
        return None
    plain = normalize(text)
    if any(p.search(plain) for p in _PER_PERIOD.values()):
        # '1.5% לחודש' of the question's amount is a rate per period: it is taken for the periods the question
        # names ('באיחור של חודשיים'), or not at all — one month's share is no answer for two.
        per = interest_per_period(question, text, question)
        return replace(per, uses=(0,)) if per is not None else None
    base = given[0]
    raw = _round(base * rate / 100)
    expression = f"{_num(rate)}% × {shekels(base)} = {shekels(raw)}"
    floor, cap = floor_or_cap(text)
    result = raw
    if floor is not None and raw < floor:
        result = floor
        expression += f"; פחות מהמינימום שבסעיף ({shekels(floor)}), ולכן {shekels(floor)}"
    if cap is not None and raw > cap:
        result = cap
        expression += f"; יותר מהתקרה שבסעיף ({shekels(cap)}), ולכן {shekels(cap)}"
    return Calculation(result, expression, (0,))


# '60% לאדמה ו-40% לסולאר נגב': a split of one amount between named recipients, each its percentage.
_SPLIT = re.compile(rf"(\d{{1,2}}(?:\.\d{{1,2}})?)\s?%\s*ל-?([{_H}][{_H}\"' -]{{1,30}}?)(?=\s*(?:ו-?\d|[,;.]|$))")
_EACH_ONE = re.compile(
    rf"(?<![{_H}])(?:כל\s+אחד|כל\s+אחת|כל\s+צד|כל\s+שותף|כל\s+שותפה)(?![{_H}])|\beach\b|\bevery partner\b", re.I
)


def shares_of_question_amount(question: str, text: str) -> Calculation | None:
    """Each recipient's percentage of the amount the question gives, by the split the clause states.

    'הרווח … יחולק כך: 60% לאדמה ו-40% לסולאר נגב' and a question 'רווח של ₪2,500,000 — כמה תקבל כל אחת?':
    60% × ₪2,500,000 for one, 40% × ₪2,500,000 for the other. Only a split whose parts add up to 100%, and
    only for the recipient the question names or for each of them when it asks so ('כל אחת').
    """
    given = money(question)
    plain, q = normalize(text), normalize(question)
    parts = [(Decimal(r), name.strip()) for r, name in _SPLIT.findall(plain)]
    if len(given) != 1 or len(parts) < 2 or sum(r for r, _ in parts) != 100:
        return None
    q_forms = {f for t in tokenize(q) for f in (t, *stems(t))}

    def named(name: str) -> bool:
        words = [w for w in tokenize(name) if len(w) > 1]
        return bool(words) and all({w, *stems(w)} & q_forms for w in words)

    asked = [(r, name) for r, name in parts if named(name)]
    if not asked and _EACH_ONE.search(q):
        asked = parts
    if not asked:
        return None
    steps = []
    for rate, name in asked:
        share = _round(given[0] * rate / 100)
        steps.append(f"{_num(rate)}% × {shekels(given[0])} = {shekels(share)} ל{name}")
    first = _round(given[0] * asked[0][0] / 100)
    return Calculation(first, "; ".join(steps), (0,))


def instalment(question: str, text: str) -> Calculation | None:
    """One of N equal instalments the question asks about, of the clause's one amount."""
    q = normalize(question)
    m = _INSTALMENTS.search(q)
    amounts = money(text)
    if m is None or len(amounts) != 1 or not _EACH.search(q):
        return None
    count = Decimal(m.group(1))
    if count < 2:
        return None
    result = _round(amounts[0] / count)
    return Calculation(result, f"{shekels(amounts[0])} ÷ {_num(count)} תשלומים = {shekels(result)}", (0,))


def term_months(text: str) -> Decimal | None:
    """The term in months a clause states ('תקופת השכירות היא 24 חודשים')."""
    m = _TERM.search(normalize(text))
    return Decimal(m.group(1)) if m else None


def asks_whole_term(question: str) -> bool:
    """Whether the question asks for the whole term ('על כל תקופת השכירות')."""
    return bool(_WHOLE_TERM.search(normalize(question)))


def over_term(amount_text: str, term_text: str) -> Calculation | None:
    """A monthly amount times the term's months: one amount per month in one quote, the term in the other."""
    from .compute import states_period

    amounts = money(amount_text)
    months = term_months(term_text)
    if len(amounts) != 1 or months is None or not states_period(amount_text, "month"):
        return None
    result = _round(amounts[0] * months)
    return Calculation(result, f"{shekels(amounts[0])} לחודש × {_num(months)} חודשים = {shekels(result)}", (0, 1))


def interest_per_period(question: str, rule_text: str, base_text: str) -> Calculation | None:
    """A percentage per period ('0.5% לשבוע') of a base amount, for the periods the question names.

    'על שבוע איחור' is one period; '3 שבועות' three. The base is the one amount of `base_text`.
    """
    plain, q = normalize(rule_text), normalize(question)
    bases = money(base_text)
    if len(bases) != 1:
        return None
    for unit, pattern in _PER_PERIOD.items():
        m = pattern.search(plain)
        if m is None:
            continue
        dual = _DUAL_Q[unit].search(q)  # 'באיחור של חודשיים': two of them
        asked = _PERIOD_Q[unit].search(q)
        if asked is None and dual is None:
            return None
        periods = (
            Decimal(2) if dual is not None else Decimal(asked.group(1)) if asked and asked.group(1) else Decimal(1)
        )
        rate = Decimal(m.group(1))
        one = _round(bases[0] * rate / 100)
        result = _round(one * periods)
        expression = f"{shekels(bases[0])} × {_num(rate)}% = {shekels(one)}"
        if periods != 1:
            # Each step shown ('₪40,000 × 1.5% = ₪600; ₪600 × חודשיים = ₪1,200'); the dual as the question says
            # it: a bare 2 would be a figure no one wrote.
            times = dual.group(0).lstrip("בלו") if dual is not None else _num(periods)
            expression += f"; {shekels(one)} × {times} = {shekels(result)}"
        return Calculation(result, expression, (1, 0))
    return None


_UPDATE_Q = re.compile(
    r"יעדכן|יעודכן|יעודכנו|תעודכן|עדכון|יעלה|יעלו|תעלה|העלאה|יתייקר|יתייקרו|הצמדה|יוצמד|יוצמדו|לאחר העדכון"
    r"|increase|raised?|update[ds]?|indexed|indexation",
    re.I,
)
_PER_UNIT = re.compile(r"(?:לשעה|לכל שעה|ליום|לכל יום|על כל יום|בעד כל יום|לחודש|לכל חודש|לכל|per |/)")


def asks_update(question: str) -> bool:
    """Whether the question asks for an amount after a rise or update by a percentage the documents state."""
    return bool(_UPDATE_Q.search(normalize(question)))


def raised(rule_text: str, base_text: str) -> Calculation | None:
    """The one amount of `base_text` raised by the one percentage of `rule_text` (its update or cap rate)."""
    rate, bases = _plain_rate(rule_text), money(base_text)
    if rate is None or len(bases) != 1 or money(rule_text):
        return None
    result = _round(bases[0] * (1 + rate / 100))
    factor = 1 + rate / 100
    return Calculation(
        result,
        f"{shekels(bases[0])} + {_num(rate)}% = {shekels(bases[0])} × {_num(factor)} = {shekels(result)}",
        (0, 1),
    )


_AMOUNT_Q = re.compile(
    r"(?<![\u05d0-\u05ea])ב?כמה(?! זמן| ימים| יום| שעות| חודשים| שנים| פעמים| אחוז)|מה הסכום|מה גובה|מהו גובה"
    r"|לכל היותר|הסכום המרבי|הסכום המקסימלי"
    r"|how much|what amount|(?:what is|what's) the (?:most|maximum|highest)\b|\bat most\b",
    re.I,
)


def asks_amount(question: str) -> bool:
    """Whether the question asks for an amount of money ('כמה זיכוי', 'מה גובה'), not a duration or a count."""
    return bool(_AMOUNT_Q.search(normalize(question)))


def share_of(rule_text: str, base_text: str) -> Calculation | None:
    """The one percentage of `rule_text` (a credit, a fee, a penalty) taken of the one amount of `base_text`."""
    rate, bases = _plain_rate(rule_text), money(base_text)
    if rate is None or len(bases) != 1 or money(rule_text):
        return None
    result = _round(bases[0] * rate / 100)
    return Calculation(result, f"{_num(rate)}% × {shekels(bases[0])} = {shekels(result)}", (0, 1))


# 'מקדמה בשיעור 30% ממחיר החבילה, כולל מע"מ': the percentage is taken of the amount with its VAT.
_OF_WITH_VAT = re.compile(
    r'\d\s?%\s*(?:מ|של\s+)[^.;:%₪]{0,40}?,?\s*(?:כולל|כוללת|בצירוף)\s+(?:ה)?מע"מ'
    r"|\d\s?%\s+of\s+[^.;:%₪]{0,40}?(?:including|incl\.?|plus)\s+vat",
    re.I,
)
_STATED_WITH_VAT = re.compile(r'כולל(?:ת|ים)?\s+(?:ה)?מע"מ|including\s+vat|incl\.?\s+vat', re.I)


def of_amount_with_vat(rule_text: str) -> bool:
    """Whether a percentage rule takes its share of an amount with VAT ('30% ממחיר החבילה, כולל מע"מ')."""
    return bool(_OF_WITH_VAT.search(normalize(rule_text)))


def states_with_vat(text: str) -> bool:
    """Whether an amount's clause says the amount already includes VAT ('₪3,480 לחודש, כולל מע"מ')."""
    return bool(_STATED_WITH_VAT.search(normalize(text)))


def share_of_with_vat(rule_text: str, base_text: str, rate_text: str) -> Calculation | None:
    """The one percentage of `rule_text` taken of the one amount of `base_text`, with VAT added to it first.

    The rule's share is of the amount with VAT, the amount is stated before it; the rate is `rate_text`'s.

    '30% ממחיר החבילה, כולל מע"מ' of '₪12,400' at 18%: ₪12,400 × 1.18 = ₪14,632; 30% × ₪14,632 = ₪4,389.60.
    """
    rate, bases, vat = _plain_rate(rule_text), money(base_text), vat_rate(rate_text)
    if rate is None or vat is None or len(bases) != 1 or money(rule_text):
        return None
    factor = 1 + vat / 100
    gross = _round(bases[0] * factor)
    result = _round(gross * rate / 100)
    return Calculation(
        result,
        f'{shekels(bases[0])} + מע"מ {_num(vat)}% = {shekels(bases[0])} × {_num(factor)} = {shekels(gross)}; '
        f"{_num(rate)}% × {shekels(gross)} = {shekels(result)}",
        (0, 1, 2),
    )


_INDEX_WORD = re.compile(r"מדד|\bindex\b|\bCPI\b", re.I)
_POINTS = re.compile(r"(?<![\d.,])(\d{1,4}(?:\.\d{1,3})?)\s*(?:נקודות|נקודה|points?)(?![\u05d0-\u05ea])", re.I)
_NO_DECREASE = re.compile(
    r"לא\s+(?:תפחית|יפחית|יפחיתו|תפחת|יפחת|יפחתו|יופחתו|תופחת)|will not (?:reduce|decrease)", re.I
)


def index_base(text: str) -> Decimal | None:
    """The index in points a clause links an amount to ('המדד הבסיסי … שעמד על 105.0 נקודות'), or None."""
    plain = normalize(text)
    found = _POINTS.findall(plain)
    return Decimal(found[0]) if len(found) == 1 and _INDEX_WORD.search(plain) else None


def indexed(question: str, index_text: str, base_text: str) -> Calculation | None:
    """An amount linked to an index, at the index in points the question gives: amount × new index ÷ base index.

    'דמי השכירות ₪7,500', 'צמודים למדד; המדד הבסיסי 105.0 נקודות' and a question 'המדד עמד על 107.1 נקודות':
    ₪7,500 × 107.1 ÷ 105.0. A fall of the index leaves the amount as it is when the clause says it may not
    reduce it ('ירידת המדד לא תפחית את דמי השכירות'); otherwise a fall is not for arithmetic to assume.
    """
    q = normalize(question)
    new_points, base_points, amounts = _POINTS.findall(q), index_base(index_text), money(base_text)
    if not _INDEX_WORD.search(q) or len(new_points) != 1 or base_points is None or len(amounts) != 1:
        return None
    new, amount = Decimal(new_points[0]), amounts[0]
    if base_points <= 0 or new <= 0:
        return None
    if new < base_points:
        if not _NO_DECREASE.search(normalize(index_text)):
            return None
        return Calculation(
            amount, f"{_num(new)} < {_num(base_points)}: המדד ירד, והסכום אינו פוחת — {shekels(amount)}", (0, 1)
        )
    product = amount * new
    result = _round(product / base_points)
    plain_product = f"{product:,.2f}".rstrip("0").rstrip(".")  # an amount times points: no currency of its own
    return Calculation(
        result,
        f"{shekels(amount)} × {_num(new)} = {plain_product}; {plain_product} ÷ {_num(base_points)} = {shekels(result)}",
        (0, 1),
    )


_DEADLINE_Q = re.compile(
    r"עד איזה תאריך|עד איזה יום|עד מתי|עד לאיזה תאריך|by when|by what date|until what date|deadline", re.I
)
# '60 יום לפחות לפני תום תקופת השכירות': a number of days before (or after) an event the documents date.
_DAYS_BEFORE = re.compile(rf"(\d{{1,3}})\s*(?:יום|ימים|ימי עסקים)\s*(?:לפחות\s*)?(לפני|לאחר|אחרי)\s+([{_H}\s]{{3,40}})")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{4})(?!\d)")


def asks_deadline(question: str) -> bool:
    """Whether the question asks by which date something must be done ('עד איזה תאריך צריך להודיע')."""
    return bool(_DEADLINE_Q.search(normalize(question)))


def days_from_event(rule_text: str) -> tuple[int, int, str] | None:
    """(days, −1 before / +1 after, the event's words) of 'N יום לפחות לפני תום X', or None."""
    m = _DAYS_BEFORE.search(normalize(rule_text))
    if m is None:
        return None
    return int(m.group(1)), (-1 if m.group(2) == "לפני" else 1), m.group(3).strip()


def dates(text: str) -> list[date]:
    """The dd/mm/yyyy dates written in `text`, in order (impossible ones left out)."""
    out = []
    for m in _DMY.finditer(text):
        try:
            out.append(date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        except ValueError:
            continue
    return out


def deadline(rule_text: str, event_text: str) -> Calculation | None:
    """The date N days before (or after) the event: the end date the event's clause states ('ועד יום …').

    An event of an end ('תום', 'סיום') takes the clause's last date; any other its first. The result is a
    date: it is the expression's last term (``result`` is unused, 0).
    """
    rule = days_from_event(rule_text)
    found = dates(event_text)
    if rule is None or not found:
        return None
    days, sign, event = rule
    base = found[-1] if re.search(r"תום|סיום|סוף|end", event) else found[0]
    result = base + timedelta(days=sign * days)
    op = "−" if sign < 0 else "+"
    expression = f"{base:%d/%m/%Y} {op} {days} ימים = {result:%d/%m/%Y}"
    return Calculation(Decimal(0), expression, (0, 1))


def with_vat(calc: Calculation, rate_text: str) -> Calculation | None:
    """A computed amount with the VAT rate `rate_text` states added (the chain's last step)."""
    rate = vat_rate(rate_text)
    if rate is None:
        return None
    factor = 1 + rate / 100
    total = _round(calc.result * factor)
    expression = (
        f'{calc.expression}; בתוספת מע"מ {_num(rate)}%: {shekels(calc.result)} × {_num(factor)} = {shekels(total)}'
    )
    return Calculation(total, expression, (*calc.uses, len(calc.uses)))


_TOGETHER_Q = re.compile(r"ביחד|יחד|בסך הכול|בסך הכל|סך הכול|סה\"כ|together|combined|in total", re.I)


def asks_together(question: str) -> bool:
    """Whether the question asks for several amounts added up ('תמלוגים וקרן פרסום יחד')."""
    return bool(_TOGETHER_Q.search(normalize(question)))


def rates_together(question: str, texts: list[str]) -> Calculation | None:
    """Each clause's percentage of the one amount the question gives, added up (each held to its floor and cap).

    'מחזור של ₪350,000: תמלוגים וקרן פרסום יחד' over '6% מהמחזור' and '2% מהמחזור' → ₪21,000 + ₪7,000.
    """
    parts = [rate_of_question_amount(question, t) for t in texts]
    if len(parts) < 2 or any(p is None for p in parts):
        return None
    done = [p for p in parts if p is not None]
    total = sum((p.result for p in done), Decimal(0))
    expression = "; ".join(p.expression for p in done) + "; " + " + ".join(shekels(p.result) for p in done)
    return Calculation(total, f"{expression} = {shekels(total)}", tuple(range(len(done))))


# A period a clause states: 'הודעה מוקדמת בכתב של 90 יום', '6 חודשים', '5 שנים' (business days are not counted
# here: they need the calendar of holidays).
_PERIOD = re.compile(rf"(?<![\d.,/])(\d{{1,3}})\s*(יום|ימים|חודשים|חודש|שנים|שנה)(?![{_H}])(?!\s+עסקים)")
_DATE_ASKED = re.compile(
    r"באיזה תאריך|מה התאריך|מהו התאריך|עד איזה תאריך|עד איזה יום|באיזה יום|עד מתי|מתי|by when|what date|which date"
    r"|what day|when"
    # the day asked by what ends on it: 'מה יהיה יום העבודה האחרון שלה', 'מהו המועד', 'her last day'
    rf"|(?<![{_H}])ה?יום(?:\s+[{_H}]+)?\s+האחרון|(?:מה|מהו)\s+(?:יהיה\s+)?המועד|\blast (?:working )?day\b",
    re.I,
)


def _question_dates(question: str) -> list[tuple[re.Match[str], date]]:
    """The dd/mm/yyyy dates a question gives, in order, each with its match."""
    found = []
    for m in _DMY.finditer(normalize(question)):
        try:
            found.append((m, date(int(m.group(3)), int(m.group(2)), int(m.group(1)))))
        except ValueError:
            continue
    return found


def given_date(question: str) -> date | None:
    """The one dd/mm/yyyy date a question gives when it asks for a date ('מסר הודעה ביום 01/09/2026. מתי…')."""
    found = _question_dates(question)
    return found[0][1] if len(found) == 1 and _DATE_ASKED.search(normalize(question)) else None


def period_lead(text: str) -> str:
    """The words just before the clause's one period ('בהודעה מוקדמת בכתב של' before '90 יום'), '' if not one."""
    plain = normalize(text)
    found = list(_PERIOD.finditer(plain))
    return plain[max(0, found[0].start() - 40) : found[0].start()] if len(found) == 1 else ""


def date_event(question: str) -> str:
    """The words around the date the question gives, within its sentence: the act the date is of.

    Just before it ('הודעת סיום ביום' before '01/09/2026') and just after it ('ב-03/11/2026 קיבלה המעצבת את
    המקדמה', 'מסרנו ב-01/03/2026 הודעה בכתב'): the act is told on either side.
    """
    plain = normalize(question)
    found = _question_dates(plain)
    if not found:
        return ""
    m = found[0][0]
    before = re.split(r"[.?!؟]\s", plain[: m.start()])[-1].split()[-3:]
    after = re.split(r"[.?!؟,;]", plain[m.end() :])[0].split()[:3]
    return " ".join([*before, *after])


def states_one_period(text: str) -> bool:
    """Whether the clause states exactly one period in days, months or years."""
    return len(_PERIOD.findall(normalize(text))) == 1


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def date_after(question: str, text: str) -> Calculation | None:
    """The date the question gives plus the one period the clause states (a notice, a term, a deadline).

    The result is a date: the expression's last term (``result`` is unused, 0).
    """
    base = given_date(question)
    found = _PERIOD.findall(normalize(text))
    if base is None or len(found) != 1:
        return None
    count, unit = int(found[0][0]), found[0][1]
    if unit in ("יום", "ימים"):
        result = base + timedelta(days=count)
    elif unit in ("חודש", "חודשים"):
        result = _add_months(base, count)
    else:
        result = _add_months(base, 12 * count)
    expression = f"{base:%d/%m/%Y} + {count} {unit} = {result:%d/%m/%Y}"
    return Calculation(Decimal(0), expression, (0,))
