"""A length of time said in minutes or in words, in Hebrew, English, Arabic and Russian.

'חצי שעה', 'שעה וחצי', 'שלושת רבעי שעה', 'רבע שעה', 'בעשרים דקות', 'עשרים וחמש דקות', '45 דקות', '45 דק'',
'half an hour', 'twenty minutes', 'نصف ساعة', '30 минут'. One table for every reader that needs a length: the
answerer's session length ('טיפול של חצי שעה' picks the 30-minute row) and the lateness reader ('אאחר ברבע
שעה' is 15 minutes late). Where a text says two lengths, the first said is the one meant.
"""

from __future__ import annotations

import re

from .hebrew import CLOCK_NUMBERS, normalize

__all__ = ["LENGTH_PHRASES", "digit_minutes", "said_minutes"]

_NOT_AFTER_LETTER = r"(?<![\u05d0-\u05ea])"
# A one-letter prefix a length takes: 'ב'עשרים דקות, 'כ'חצי שעה, 'ל'רבע שעה, 'ו'חצי שעה, 'ש'עה.
_PREFIX = r"(?:ו?[בכלמש])?"

# Minutes are counted in the feminine numerals: 'חמש דקות', 'עשרים וחמש דקות'.
_UNITS = {"אחת": 1, "שתי": 2, "שתיים": 2, "שלוש": 3, "ארבע": 4, "חמש": 5, "שש": 6, "שבע": 7, "שמונה": 8, "תשע": 9}
_TEENS = {f"{word} עשרה": value + 10 for word, value in _UNITS.items() if word not in ("שתיים",)}
_TEENS.update({"שתים עשרה": 12, "שתיים עשרה": 12})
_TENS = {"עשר": 10, "עשרים": 20, "שלושים": 30, "ארבעים": 40, "חמישים": 50, "שישים": 60, "תשעים": 90}


def _number_words() -> dict[str, int]:
    words = dict(_UNITS) | _TEENS | _TENS
    for ten, tens in _TENS.items():
        if tens >= 20:
            for unit, units in _UNITS.items():
                words[f"{ten} ו{unit}"] = tens + units
    return words


_NUMBER_WORDS = _number_words()
_MINUTE_WORDS = r"דקות|דקה|דק['׳]|דק(?![\u05d0-\u05ea])"
_MINUTE = f"(?:{_MINUTE_WORDS})"
_SPOKEN_MINUTES = re.compile(
    _NOT_AFTER_LETTER
    + _PREFIX
    + "("
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_NUMBER_WORDS, key=len, reverse=True))
    + r")\s+"
    + _MINUTE
)
_DIGIT_MINUTES = re.compile(
    r"(?<![\d.,:])(\d{1,3})\s*(?:-\s*)?(?:" + _MINUTE_WORDS + r"|minutes?\b|mins?\b|دقائق|دقيقة|минут\w*)",
    re.IGNORECASE,
)
LENGTH_PHRASES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(_NOT_AFTER_LETTER + _PREFIX + r"שעה\s+וחצי|an hour and a half|hour and a half|ساعة ونصف", re.I), 90),
    (re.compile(r"(?:שלושת|שלושה)\s+רבעי\s+(?:ה)?שעה|three quarters of an hour|ثلاثة أرباع الساعة", re.I), 45),
    (re.compile(_NOT_AFTER_LETTER + _PREFIX + r"חצי\s+(?:ה)?שעה|half an hour|نصف ساعة|полчаса", re.I), 30),
    (re.compile(_NOT_AFTER_LETTER + _PREFIX + r"רבע\s+(?:ה)?שעה|quarter of an hour|ربع ساعة", re.I), 15),
    # 'טיפול של שעה', 'במשך שעה': an hour as a length, not 'באיזו שעה' (a time of day).
    # 'התור שלי של שעה 9' names the hour of the appointment: a digit or a clock word after it is a time of day.
    (
        re.compile(
            r"(?<![\u05d0-\u05ea])(?:של|במשך|ל)\s+שעה(?!\s*(?:וחצי|ורבע))(?![\u05d0-\u05ea])(?!\s*-?\d)"
            r"(?!\s+(?:" + "|".join(sorted(CLOCK_NUMBERS, key=len, reverse=True)) + r")(?![\u05d0-\u05ea]))"
        ),
        60,
    ),
    # 'כמה עולה שעה של עיסוי': the length said before the treatment (not 'באיזו שעה של היום', a time of day).
    (re.compile(r"(?<![\u05d0-\u05ea])(?<!איזו )(?:ל?שעה|שעה\s+אחת)\s+(?=(?:של|ל)\s*[\u05d0-\u05ea])(?:של\s+)?"), 60),
)
_ENGLISH_NUMBERS = {
    "five": 5,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "twenty-five": 25,
    "twenty five": 25,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "forty five": 45,
    "sixty": 60,
    "ninety": 90,
}
_ENGLISH_MINUTES = re.compile(
    r"\b(" + "|".join(sorted(_ENGLISH_NUMBERS, key=len, reverse=True)) + r")\s+minutes?\b", re.IGNORECASE
)
_ARABIC_NUMBERS = {"خمس": 5, "عشر": 10, "عشرين": 20, "ثلاثين": 30, "أربعين": 40, "اربعين": 40}
_ARABIC_MINUTES = re.compile(r"(" + "|".join(_ARABIC_NUMBERS) + r")\s+(?:دقائق|دقيقة)")


def _said(text: str) -> list[tuple[int, int]]:
    """Every length `text` says, as (where it starts, minutes), in the order said."""
    plain = normalize(text)
    found = [(m.start(), minutes) for pattern, minutes in LENGTH_PHRASES for m in pattern.finditer(plain)]
    found += [(m.start(), _NUMBER_WORDS[re.sub(r"\s+", " ", m.group(1))]) for m in _SPOKEN_MINUTES.finditer(plain)]
    found += [(m.start(), int(m.group(1))) for m in _DIGIT_MINUTES.finditer(plain)]
    found += [(m.start(), _ENGLISH_NUMBERS[m.group(1).lower()]) for m in _ENGLISH_MINUTES.finditer(plain)]
    found += [(m.start(), _ARABIC_NUMBERS[m.group(1)]) for m in _ARABIC_MINUTES.finditer(plain)]
    return sorted(found)


def said_minutes(text: str) -> int | None:
    """The first length of time `text` says, in minutes, or None.

    >>> said_minutes("אני אאחר בעשרים דקות"), said_minutes("טיפול של שעה וחצי"), said_minutes("באיזו שעה?")
    (20, 90, None)
    """
    found = _said(text)
    return found[0][1] if found else None


def digit_minutes(text: str) -> list[int]:
    """Every length `text` gives in digits ('— 30 דקות, במכון' → [30]), in the order given.

    A price list's row says its session's length so; words ('כשעה וחצי') in a row are prose about the service,
    not a variant's length.
    """
    return [int(m.group(1)) for m in _DIGIT_MINUTES.finditer(normalize(text))]
