"""Requested appointment times against the tenant's opening hours (``agent.hours``) and holidays.

A person of the staff (``agent.staff``) may receive in hours of their own: a time asked with them — named ('אצל
ראמי', 'עם ד"ר גביש'), or by a service only they give — is checked against theirs (:func:`staff_asked`).

The week is the tenant's: each weekday has its own bookable intervals (an empty day is closed),
and ``workflows.holidays`` are closed all day. A time inside an interval (its end included: "08:00-18:30"
means the last appointment starts at 18:30) is open. For a closed time the nearest open time after
``now`` is proposed: the last open time earlier that day or the first one after, whichever is closer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from ..config.sections.agent import OpeningHours, StaffMember
from ..text import normalize

__all__ = ["is_open", "nearest_open", "staff_asked", "staff_named"]

_SEARCH_DAYS = 21


def is_open(when: datetime, hours: OpeningHours, holidays: Iterable[date] = ()) -> bool:
    """Whether `when` falls inside the opening hours (always True when no hours are configured)."""
    if not hours.configured():
        return True
    if when.date() in set(holidays):
        return False
    t = when.time().replace(tzinfo=None)
    return any(start <= t <= end for start, end in hours.intervals(when.weekday()))


def nearest_open(
    when: datetime, hours: OpeningHours, holidays: Iterable[date] = (), *, now: datetime | None = None
) -> datetime | None:
    """The open time nearest to `when` that is after `now` (None when nothing opens within three weeks)."""
    closed = set(holidays)
    floor = now or when
    candidates: list[datetime] = []
    for offset in range(-1, _SEARCH_DAYS):
        day = when.date() + timedelta(days=offset)
        if day in closed:
            continue
        for start, end in hours.intervals(day.weekday()):
            for t in (start, end):
                at = datetime.combine(day, t, tzinfo=when.tzinfo)
                if at > floor and is_open(at, hours, closed):
                    candidates.append(at)
        if candidates and min(candidates) > when:
            break  # the first open time after the request is found; later days are further away
    if not candidates:
        return None
    return min(candidates, key=lambda at: (abs((at - when).total_seconds()), at))


# Before an alias ('ראמי', 'הילה', 'ד"ר גביש'): whom the appointment is with. The writer's own name comes after
# 'שמי', 'אני' or 'קוראים לי', never after these.
_WITH = r"(?:(?<![\u05d0-\u05ea])(?:אצל|עם|מול|של|את|ל)\s+|(?<![\u05d0-\u05ea])[וש]?ל)"
_TITLE = re.compile(r'^(?:ד"ר|דר\'|דוקטור|ה[\u05d0-\u05ea])')


def staff_named(text: str, staff: Sequence[StaffMember]) -> StaffMember | None:
    """The person of the staff a message names: their full name anywhere, an alias after 'אצל', 'עם', 'ל'.

    An alias that is a title and a name ('ד"ר זלצמן') or a definite role ('הפודיאטור') names them anywhere.
    """
    flat = normalize(text)
    found: list[tuple[int, int, StaffMember]] = []
    for member in staff:
        for i, form in enumerate((member.name, *member.aliases)):
            form = normalize(form).strip()
            if not form:
                continue
            anywhere = i == 0 or _TITLE.match(form) is not None
            before = r"(?<![\u05d0-\u05ea\w])[ולבש]?" if anywhere else _WITH
            m = re.search(before + re.escape(form) + r"(?![\u05d0-\u05ea\w])", flat)
            if m is not None:
                found.append((-len(form), m.start(), member))
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None


def staff_asked(text: str, service: str | None, staff: Sequence[StaffMember]) -> StaffMember | None:
    """The person whose hours a booking is checked against: the one named, else the only one giving the service."""
    named = staff_named(text, staff)
    if named is not None:
        return named
    givers = [m for m in staff if service and service in m.services]
    return givers[0] if len(givers) == 1 else None
