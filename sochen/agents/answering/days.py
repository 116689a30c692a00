"""A question about the hours 'now', 'today' or 'tomorrow' asks about a weekday: name it.

"אתם פתוחים עכשיו?" on a Friday afternoon is answered by the Friday row of the hours table, not by the
Sunday–Thursday one; the documents list hours by weekday, never by "now". :func:`dated` adds the weekday
the question means (in Hebrew, as the documents name it) to a question about the opening hours or the
days; every other question is left as it is.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from .attributes import asked

__all__ = ["dated"]

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
