"""A question about the hours 'now', 'today' or 'tomorrow' asks about a weekday: name it.

"אתם פתוחים עכשיו?" on a Friday afternoon is answered by the Friday row of the hours table, not by the
Sunday–Thursday one; the documents list hours by weekday, never by "now". :func:`dated` adds the weekday
the question means (in Hebrew, as the documents name it) to a question about the opening hours or the
days; every other question is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from .attributes import asked

__all__ = ["dated", "holiday_asked"]

_DAYS_HE = ("שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת", "ראשון")  # Monday first, as datetime.weekday()
_RELATIVE = (
    (re.compile(r"(?<![\u05d0-\u05ea])מחרתיים(?![\u05d0-\u05ea])|day after tomorrow|بعد بكرا|بعد غد"), 2),
    (re.compile(r"(?<![\u05d0-\u05ea])(?:ו|ה)?מחר(?![\u05d0-\u05ea])|\btomorrow\b|بكرا|غدا|غداً"), 1),
    (
        re.compile(
            r"(?<![\u05d0-\u05ea])(?:ו|ה|כ)?(?:עכשיו|היום|כרגע)(?![\u05d0-\u05ea])|\b(?:now|today)\b|الآن|اليوم"
        ),
        0,
    ),
)


def dated(question: str, now: datetime | None) -> str:
    """`question` with the weekday it means named after the word ('עכשיו (ביום שישי)?').

    Only a question about the hours or the days is changed.
    """
    if now is None or asked(question) not in ("opening_hours", "days"):
        return question
    lowered = question.lower()
    for pattern, ahead in _RELATIVE:
        m = pattern.search(lowered)
        if m is not None:
            day = (now + timedelta(days=ahead)).weekday()
            return f"{question[: m.end()]} (ביום {_DAYS_HE[day]}){question[m.end() :]}"  # inside the question
    return question


_NAMED_DAY = re.compile(r"(?<![\u05d0-\u05ea])(?:ב|ו|וב)?(?:יום\s+)?(" + "|".join(_DAYS_HE) + r")(?![\u05d0-\u05ea])")
_OPEN = re.compile(r"פתוח|סגור|שעות|עד מתי|עובדים|\bopen|\bclosed|\bhours|مفتوح|مغلق|ساعات|دوام")
_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_AR_DAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


def holiday_asked(question: str, now: datetime | None, holidays: Iterable[date]) -> date | None:
    """The holiday a question about the hours asks about: the coming date of the day it names, or None.

    "פתוחים ביום חמישי?" on a Monday asks about this Thursday (within the coming week); 'היום', 'מחר'
    ask about those dates. The weekly hours do not hold on a date the tenant lists as a holiday.
    """
    closed = set(holidays)
    if now is None or not closed or asked(question) not in ("opening_hours", "days"):
        return None
    lowered = question.lower()
    if not _OPEN.search(lowered):
        return None  # 'כמה עולה ייעוץ ביום חמישי?' asks a price, not whether the day is open
    ahead: int | None = None
    for pattern, days in _RELATIVE:
        if pattern.search(lowered):
            ahead = days
            break
    if ahead is None:
        weekday = None
        m = _NAMED_DAY.search(question)
        if m is not None:
            weekday = _DAYS_HE.index(m.group(1))
        else:
            for names in (_EN_DAYS, _AR_DAYS):
                weekday = next((i for i, n in enumerate(names) if n in lowered), None)
                if weekday is not None:
                    break
        if weekday is None:
            return None
        ahead = (weekday - now.weekday()) % 7
    when = (now + timedelta(days=ahead)).date()
    return when if when in closed else None
