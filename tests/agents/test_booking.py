"""Reading a patient's pick among offered slots, and a cancellation (sochen.agents.booking)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.booking import asks_to_cancel, booking_key, pick_slot

pytestmark = pytest.mark.unit

NOW = datetime(2027, 1, 3, 9, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))  # Sunday
SLOTS = [
    {"number": 1, "start": "2027-01-05T09:30:00+02:00", "end": "2027-01-05T10:00:00+02:00"},
    {"number": 2, "start": "2027-01-05T10:00:00+02:00", "end": "2027-01-05T10:30:00+02:00"},
    {"number": 3, "start": "2027-01-06T08:00:00+02:00", "end": "2027-01-06T08:30:00+02:00"},
]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2", 2),
        ("2 בבקשה", 2),
        ("אפשרות 3", 3),
        ("הראשון", 1),
        ("הראשונה בבקשה", 1),
        ("את השנייה", 2),
        ("השני מתאים לי", 2),
        ("האחרון", 3),
        ("ביום שלישי ב-10", 2),
        ("יום שלישי בשעה 9:30", 1),
        ("ב-8:00", 3),  # one offered slot has that time
        ("בְּיוֹם שְׁלִישִׁי בְּ-10", 2),  # niqqud
    ],
)
def test_a_pick_is_read(text: str, number: int) -> None:
    picked = pick_slot(text, SLOTS, now=NOW)
    assert picked is not None and picked["number"] == number


@pytest.mark.parametrize(
    "text",
    [
        "ביום ראשון ב-10",  # a day and time not offered: a new request, not "the first"
        "יום שלישי",  # a weekday alone is not the third option
        "ביום רביעי ב-10",  # a day named, not at an offered time
        "7",  # no such option
        "יש משהו ביום חמישי אחרי 4?",
        "אני לא בטוחה עדיין, אחזור אליכם מחר בבוקר עם תשובה לגבי המועד שהכי מתאים לי",
    ],
)
def test_anything_else_is_not_a_pick(text: str) -> None:
    assert pick_slot(text, SLOTS, now=NOW) is None


def test_nothing_is_picked_when_nothing_is_offered() -> None:
    assert pick_slot("2", [], now=NOW) is None


@pytest.mark.parametrize(
    ("text", "cancels"),
    [
        ("אני רוצה לבטל את התור", True),
        ("תבטלו לי בבקשה את התור של יום שלישי", True),
        ("please cancel my appointment", True),
        ("כמה עולה ביטול תור?", False),
        ("מה מדיניות הביטול?", False),
        ("אני רוצה לקבוע תור", False),
    ],
)
def test_a_cancellation_is_told_from_a_question_about_it(text: str, cancels: bool) -> None:
    assert asks_to_cancel(text) is cancels


def test_the_booking_key_is_stable_per_conversation_offer_and_slot() -> None:
    a = booking_key("conv-1", "offer-job-1", SLOTS[0]["start"])
    assert a == booking_key("conv-1", "offer-job-1", SLOTS[0]["start"])  # a redelivered pick
    assert a != booking_key("conv-2", "offer-job-1", SLOTS[0]["start"])
    assert a != booking_key("conv-1", "offer-job-1", SLOTS[1]["start"])
    assert a != booking_key("conv-1", "offer-job-2", SLOTS[0]["start"])  # the same hour, booked again later
