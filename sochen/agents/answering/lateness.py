"""Being late by some minutes, placed in the clause whose lateness window holds them.

'אאחר לתור בעשרים דקות, עדיין יקבלו אותי?' is answered by the one clause that speaks of lateness and of a
minutes threshold ('מי שמאחר ביותר מ-15 דקות — …'), as a cancellation 'יום וחצי לפני' is answered by the
clause whose hours window holds 36 (:func:`.threshold.hour_window`). The asker's words for the time
('רבע שעה', 'עשרים דקות', '20 min') and the clause's ('יותר מ-15 דקות') rarely share a word.
"""

from __future__ import annotations

import re

from ...text import normalize
from ...text.durations import said_minutes

__all__ = ["asked_minutes_late", "is_about_lateness", "minutes_window"]

_LATE = re.compile(
    r"(?<![\u05d0-\u05ea])(?:ש|ו|כש|אם\s)?(?:אאחר|מאחר|מאחרת|מאחרים|נאחר|תאחר|תאחרי|יאחר|איחור|באיחור|איחרתי|אחרתי"
    r"|איחרה|איחר|לאחר\s+ל)(?![\u05d0-\u05ea])|\blate\b|تأخر|متأخر|متأخرة|أتأخر|اتأخر|سأتأخر"
)
_PARTS = re.compile(r"[^,.;!?،؟]+")
_MORE_THAN = re.compile(r"(?:יותר\s+מ-?|מעל\s+|more than\s+|over\s+)\s?(\d{1,3})\s*(?:דקות|minutes)")
_UP_TO = re.compile(r"(?:עד\s+|up to\s+|within\s+)(\d{1,3})\s*(?:דקות|minutes)")


def is_about_lateness(text: str) -> bool:
    """Whether `text` speaks of being late ('מאחר', 'איחור', 'late')."""
    return bool(_LATE.search(normalize(text)))


def asked_minutes_late(question: str) -> int | None:
    """How many minutes late a question says the asker will be ('בעשרים דקות' → 20), or None."""
    plain = normalize(question)
    late = _LATE.search(plain)
    if late is None:
        return None
    # The length said with being late, in its own part of the message: 'בעוד חצי שעה אני יוצא מהעבודה, אאחר ב-10
    # דקות' is 10 minutes late; the part before it says when the writer leaves.
    parts = list(_PARTS.finditer(plain))
    own = next((p.group(0) for p in parts if p.start() <= late.start() < p.end()), plain)
    minutes = said_minutes(own)
    return minutes if minutes is not None else said_minutes(plain)


def minutes_window(text: str) -> tuple[float, float] | None:
    """The minutes-late window a clause speaks of: 'יותר מ-15 דקות' → (15, ∞), 'עד 10 דקות' → (0, 10)."""
    plain = normalize(text)
    if m := _MORE_THAN.search(plain):
        return (int(m.group(1)), float("inf"))
    if m := _UP_TO.search(plain):
        return (0, int(m.group(1)))
    return None
