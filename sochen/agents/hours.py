"""Requested appointment times against the tenant's opening hours (``agent.hours``) and holidays.

The week is the tenant's: each weekday has its own bookable intervals (an empty day is closed),
and ``workflows.holidays`` are closed all day. A time inside an interval (its end included: "08:00-18:30"
means the last appointment starts at 18:30) is open. For a closed time the nearest open time after
``now`` is proposed: the last open time earlier that day or the first one after, whichever is closer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from ..config.sections.agent import OpeningHours

__all__ = ["is_open", "nearest_open"]

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
