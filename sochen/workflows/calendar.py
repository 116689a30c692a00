"""The Israeli business week: Sunday to Thursday; Friday, Saturday and the tenant's holidays are off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

__all__ = ["WEEKEND", "BusinessCalendar"]

WEEKEND = frozenset({4, 5})
"""Friday and Saturday (``date.weekday()``: Monday is 0)."""

_MAX_SCAN_DAYS = 3660  # ten years: a calendar with no business day in it is a configuration error


class BusinessCalendar:
    """Business-day arithmetic over a week with ``weekend`` days off and a list of holidays."""

    def __init__(self, holidays: Iterable[dt.date] = (), *, weekend: frozenset[int] = WEEKEND) -> None:
        self.holidays = frozenset(holidays)
        self.weekend = weekend

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is neither a weekend day nor a holiday."""
        return day.weekday() not in self.weekend and day not in self.holidays

    def next_business_day(self, day: dt.date, days: int = 1) -> dt.date:
        """The ``days``-th business day after ``day`` (Thursday → Sunday, Friday → Sunday).

        ``days=0`` means ``day`` itself when it is a business day, else the next one.
        """
        if days < 0:
            raise ValueError("days must be zero or more")
        current = day
        if days == 0:
            return self._forward(current, include_today=True)
        for _ in range(days):
            current = self._forward(current, include_today=False)
        return current

    def _forward(self, day: dt.date, *, include_today: bool) -> dt.date:
        current = day if include_today else day + dt.timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_business_day(current):
                return current
            current += dt.timedelta(days=1)
        raise ValueError(f"no business day within {_MAX_SCAN_DAYS} days of {day}: check the holidays list")
