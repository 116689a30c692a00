"""The Israeli business week."""

from __future__ import annotations

import datetime as dt

import pytest

from sochen.workflows.calendar import BusinessCalendar

pytestmark = pytest.mark.unit

SUN, MON, THU, FRI, SAT = (dt.date(2026, 11, d) for d in (22, 23, 26, 27, 28))
NEXT_SUN = dt.date(2026, 11, 29)


def test_thursday_to_sunday():
    assert BusinessCalendar().next_business_day(THU) == NEXT_SUN


@pytest.mark.parametrize("day", [FRI, SAT])
def test_friday_and_saturday_to_sunday(day):
    assert BusinessCalendar().next_business_day(day) == NEXT_SUN


def test_ordinary_weekday_and_several_days():
    cal = BusinessCalendar()
    assert cal.next_business_day(SUN) == MON
    assert cal.next_business_day(THU, days=3) == dt.date(2026, 12, 1)
    assert cal.next_business_day(SAT, days=0) == NEXT_SUN
    assert cal.next_business_day(MON, days=0) == MON


def test_configured_holiday_is_skipped():
    # Rosh Hashana 5787: 12–13 September 2026 (Saturday, Sunday) — and say the 14th is off too
    cal = BusinessCalendar([dt.date(2026, 9, 13), dt.date(2026, 9, 14)])
    assert cal.next_business_day(dt.date(2026, 9, 10)) == dt.date(2026, 9, 15)  # Thursday → Tuesday
    assert not cal.is_business_day(dt.date(2026, 9, 14))
    assert cal.is_business_day(dt.date(2026, 9, 15))


def test_a_calendar_without_business_days_is_an_error_not_a_hang():
    start = dt.date(2026, 1, 1)
    every_day = [start + dt.timedelta(days=i) for i in range(4000)]
    with pytest.raises(ValueError, match="holidays"):
        BusinessCalendar(every_day).next_business_day(start)
    with pytest.raises(ValueError):
        BusinessCalendar().next_business_day(start, days=-1)
