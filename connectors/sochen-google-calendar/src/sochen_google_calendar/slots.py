"""Free appointment slots: the business's opening hours minus the calendar's busy times. Pure: no I/O.

Opening hours are the tenant's ``agent.hours`` (``{"sunday": ["08:00-18:30"], ...}``): the times an
appointment may *start*, the end of an interval included ("08:00-18:30": the last patient is received
at 18:30). Holidays are closed all day; a day with no intervals is closed (the clinic's Saturday).
Candidates lie on a grid of ``step`` minutes from each interval's opening, in the business's time zone
(wall-clock times: 10:00 is 10:00 before and after a daylight-saving change); overlap with busy times
is decided in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

__all__ = ["DAY_NAMES", "Interval", "free_slots", "label_he", "parse_hours", "parse_time"]

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""``date.weekday()`` order (Monday is 0), as the tenant's ``agent.hours`` names the days."""

_DAYS_HE = ("שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת", "ראשון")

Interval = tuple[dt.datetime, dt.datetime]
"""A busy interval, timezone-aware, end excluded."""


def parse_hours(hours: Mapping[str, Sequence[str]]) -> dict[int, list[tuple[dt.time, dt.time]]]:
    """``{"sunday": ["08:00-18:30"]}`` → ``{6: [(08:00, 18:30)]}``; a bad day or interval is a ValueError."""
    out: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for day, intervals in hours.items():
        if day not in DAY_NAMES:
            raise ValueError(f"unknown day '{day}' in hours (days: {', '.join(DAY_NAMES)})")
        parsed = []
        for text in intervals:
            start, sep, end = str(text).partition("-")
            if not sep:
                raise ValueError(f"hours of {day}: '{text}' is not 'HH:MM-HH:MM'")
            first, last = _hhmm(start, day), _hhmm(end, day)
            if last < first:
                raise ValueError(f"hours of {day}: '{text}' ends before it starts")
            parsed.append((first, last))
        out[DAY_NAMES.index(day)] = sorted(parsed)
    return out


def _hhmm(text: str, day: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"hours of {day}: '{text.strip()}' is not a time (HH:MM)") from None


def parse_time(value: str, zone: dt.tzinfo) -> dt.datetime:
    """An ISO 8601 / RFC 3339 time; one without an offset is wall-clock time in ``zone``."""
    at = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return at.replace(tzinfo=zone) if at.tzinfo is None else at


def free_slots(
    *,
    hours: Mapping[int, Sequence[tuple[dt.time, dt.time]]],
    holidays: Iterable[dt.date],
    busy: Sequence[Interval],
    zone: ZoneInfo,
    earliest: dt.datetime,
    until: dt.datetime,
    duration: dt.timedelta,
    step: dt.timedelta,
    count: int,
    near: dt.datetime | None = None,
) -> list[Interval]:
    """The ``count`` free slots nearest to ``near`` (else the first ones), in time order.

    A slot starts inside the opening hours at or after ``earliest``, before ``until``, and overlaps no
    busy interval. With ``near`` (the patient's preferred time) the slots closest to it win, earlier
    ones included when they are still ahead of ``earliest``.
    """
    closed = set(holidays)
    busy_utc = sorted((b.astimezone(dt.UTC), e.astimezone(dt.UTC)) for b, e in busy)
    first_utc, until_utc = earliest.astimezone(dt.UTC), until.astimezone(dt.UTC)
    found: list[Interval] = []
    day = earliest.astimezone(zone).date()
    last_day = until.astimezone(zone).date()
    while day <= last_day:
        if day not in closed:
            for opens, closes in hours.get(day.weekday(), ()):
                at = dt.datetime.combine(day, opens, tzinfo=zone)
                end_of_interval = dt.datetime.combine(day, closes, tzinfo=zone)
                while at <= end_of_interval:
                    start_utc = at.astimezone(dt.UTC)
                    end_utc = start_utc + duration
                    if first_utc <= start_utc < until_utc and not _overlaps(start_utc, end_utc, busy_utc):
                        found.append((start_utc.astimezone(zone), end_utc.astimezone(zone)))
                    at = _wall_add(at, step, zone)
        if near is None and len(found) >= count:
            break
        day += dt.timedelta(days=1)
    if near is not None:
        target = near.astimezone(dt.UTC)
        found = sorted(found, key=lambda s: (abs((s[0] - target).total_seconds()), s[0]))[:count]
    return sorted(found[:count], key=lambda s: s[0])


def _wall_add(at: dt.datetime, step: dt.timedelta, zone: ZoneInfo) -> dt.datetime:
    """``at`` + ``step`` on the wall clock (a grid of 08:00, 08:30, … whatever the UTC offset)."""
    naive = at.replace(tzinfo=None) + step
    return naive.replace(tzinfo=zone)


def _overlaps(start: dt.datetime, end: dt.datetime, busy: Sequence[tuple[dt.datetime, dt.datetime]]) -> bool:
    return any(b_start < end and start < b_end for b_start, b_end in busy)


def label_he(start: dt.datetime) -> str:
    """'יום שלישי 10.03 בשעה 10:00' — how a slot is shown to the patient."""
    return f"יום {_DAYS_HE[start.weekday()]} {start:%d.%m} בשעה {start:%H:%M}"
