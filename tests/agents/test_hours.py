"""Requested appointment times against the tenant's opening hours and holidays (the Israeli week)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from sochen.agents.hours import is_open, nearest_open
from sochen.config.sections.agent import OpeningHours

pytestmark = pytest.mark.unit
TZ = ZoneInfo("Asia/Jerusalem")
WEEK = {d: ["08:00-18:30"] for d in ("sunday", "monday", "tuesday", "wednesday", "thursday")}
HOURS = OpeningHours(**WEEK, friday=["08:00-12:30"])
HOLIDAYS = [date(2026, 12, 1)]  # a Tuesday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("when", "open_"),
    [
        (at(22, 10), True),  # Sunday morning
        (at(22, 18, 30), True),  # the last appointment of the day
        (at(22, 18, 45), False),
        (at(22, 7, 30), False),
        (at(27, 12, 0), True),  # Friday before noon
        (at(27, 16, 0), False),  # Friday afternoon
        (at(28, 11, 0), False),  # Saturday
        (datetime(2026, 12, 1, 10, 0, tzinfo=TZ), False),  # a holiday
    ],
)
def test_open_times_follow_the_week_and_the_holidays(when, open_):
    assert is_open(when, HOURS, HOLIDAYS) is open_


def test_no_hours_configured_checks_nothing():
    assert is_open(at(28, 3, 0), OpeningHours(), HOLIDAYS)


def test_the_nearest_open_time_is_proposed():
    # Saturday noon, asked on Saturday morning: Sunday at opening.
    assert nearest_open(at(28, 12), HOURS, HOLIDAYS, now=at(28, 11)) == at(29, 8)
    # Friday at 16:00, asked on Tuesday: the same Friday's last slot is nearer than Sunday morning.
    assert nearest_open(at(27, 16), HOURS, HOLIDAYS, now=at(24, 12)) == at(27, 12, 30)
    # Friday at 16:00 asked on that Friday at 15:00: that slot has passed, so Sunday.
    assert nearest_open(at(27, 16), HOURS, HOLIDAYS, now=at(27, 15)) == at(29, 8)
    # Monday evening before a holiday Tuesday: Monday's last slot, not Tuesday.
    assert nearest_open(at(30, 20), HOURS, HOLIDAYS, now=at(29, 9)) == at(30, 18, 30)
    # Early on Wednesday after the holiday: Wednesday at opening.
    early = datetime(2026, 12, 2, 6, 0, tzinfo=TZ)
    assert nearest_open(early, HOURS, HOLIDAYS, now=at(29, 9)) == datetime(2026, 12, 2, 8, 0, tzinfo=TZ)


def test_nothing_is_proposed_when_nothing_opens_within_three_weeks():
    mondays = [date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 21)]
    assert nearest_open(at(28, 12), OpeningHours(monday=["09:00-10:00"]), mondays, now=at(28, 11)) is None


@pytest.mark.parametrize("bad", ["8-18", "08:00", "18:00-08:00", "25:00-26:00", "08:00 עד 18:00"])
def test_bad_intervals_are_clear_errors(bad):
    with pytest.raises(ValidationError, match=r"opening hours|end after"):
        OpeningHours(sunday=[bad])
