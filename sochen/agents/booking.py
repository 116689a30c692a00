"""Booking in the conversation: which offered slot a patient picked, a cancellation, the booking's key.

The agent never calls a calendar. A tenant with ``agent.booking`` gets ``booking.requested`` when an
appointment request is complete; its rules find free slots (e.g. ``google_calendar.propose_slots``) and
send them to the patient. The offer comes back into the conversation as ``state["booking_offer"]``
(:mod:`sochen.workflows.conversations` reads the newest job result that carries an ``offer``), and the
patient's next message picks one: "2", "השני", "הראשונה", "ביום שלישי ב-10", "ב-10:30". The pick becomes
``booking.confirmed`` with a key that is stable for this conversation and slot, so the calendar books once
however often the job runs.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from ..text import normalize, tokenize
from .extract import extract_datetime

__all__ = ["asks_to_cancel", "booking_key", "pick_slot"]

_ORDINALS = {
    "ראשון": 1,
    "ראשונה": 1,
    "שני": 2,
    "שנייה": 2,
    "שניה": 2,
    "שלישי": 3,
    "שלישית": 3,
    "רביעי": 4,
    "רביעית": 4,
    "חמישי": 5,
    "חמישית": 5,
    "אחרון": -1,
    "אחרונה": -1,
    "first": 1,
    "second": 2,
    "third": 3,
    "last": -1,
}
# Words that make "שלישי" a weekday (יום שלישי) rather than "the third".
_DAY_WORDS = frozenset({"יום", "ביום", "ליום", "מיום", "ימי", "בימי"})
_DATE_HINT = re.compile(r"(יום|מחר|מחרתיים|היום|שבוע|\d{1,2}[./]\d{1,2})")
_CANCEL = frozenset({"לבטל", "ביטול", "מבטל", "מבטלת", "מבטלים", "תבטלו", "תבטל", "בטלו", "cancel"})
_MAX_PICK_WORDS = 8


def pick_slot(text: str, slots: list[dict[str, Any]], *, now: datetime) -> dict[str, Any] | None:
    """The offered slot the message picks, or None (a new time, a question, anything else).

    Understood: a time that is one of the offered ones ("ביום שלישי ב-10"; a bare "ב-10:30" when one slot
    has that time), an ordinal not after a day word ("השני", "הראשונה", "האחרון"), a lone number of a slot
    ("2", "אפשרות 3", "3 בבקשה").
    """
    if not slots:
        return None
    words = tokenize(text)
    if not words or len(words) > _MAX_PICK_WORDS:
        return None
    when = extract_datetime(text, now=now)
    if when is not None:
        starts = [(s, datetime.fromisoformat(str(s["start"]))) for s in slots]
        same = [s for s, at in starts if at.date() == when.date() and (at.hour, at.minute) == (when.hour, when.minute)]
        if same:
            return same[0]
        if _DATE_HINT.search(normalize(text)):
            return None  # a day was named and no offered slot is on it at that time: a new request
        by_time = [s for s, at in starts if (at.hour, at.minute) == (when.hour, when.minute)]
        return by_time[0] if len(by_time) == 1 else None
    for i, word in enumerate(words):
        stem = word[1:] if word.startswith("ה") and word[1:] in _ORDINALS else word
        if stem in _ORDINALS and not (i > 0 and words[i - 1] in _DAY_WORDS):
            index = _ORDINALS[stem]
            if index == -1:
                return slots[-1]
            return slots[index - 1] if index <= len(slots) else None
    numbers = [w for w in words if w.isdigit()]
    if len(numbers) == 1 and 1 <= int(numbers[0]) <= len(slots) and len(words) <= 4:
        return slots[int(numbers[0]) - 1]
    return None


def asks_to_cancel(text: str) -> bool:
    """Whether the message asks to cancel (not a question about the cancellation policy)."""
    words = set(tokenize(text))
    return bool(words & _CANCEL) and not words & {"כמה", "עולה", "דמי", "מדיניות", "קנס"}


def booking_key(conversation_id: str, offer: str, start: str) -> str:
    """The booking's key: one per conversation, offer and slot (the calendar books once per key).

    The offer (the id of the job that made it) is part of it, so the same hour booked again after a
    cancellation is a new booking, while a redelivered pick is the same one.
    """
    return hashlib.sha256(f"{conversation_id}\x1f{offer}\x1f{start}".encode()).hexdigest()[:32]
