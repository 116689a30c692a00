"""One table of lengths of time said in words or minutes, shared by the session-length and lateness readers."""

from __future__ import annotations

import pytest

from sochen.agents.answering.extractive import asked_minutes
from sochen.agents.answering.lateness import asked_minutes_late
from sochen.text.durations import lengths_said, said_minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("טיפול של חצי שעה", 30),
        ("מפגש של שעה וחצי", 90),
        ("שלושת רבעי שעה", 45),
        ("אאחר ברבע שעה", 15),
        ("אאחר בעשרים דקות", 20),
        ("אגיע באיחור של עשרים וחמש דקות", 25),
        ("אגיע כחמש עשרה דקות אחרי", 15),
        ("טיפול של 45 דק'", 45),
        ("מפגש של 60 דקות", 60),
        ("מפגש של שעה", 60),
        ("אפשר שעתיים?", 120),
        ("I'll be twenty minutes late", 20),
        ("is half an hour enough?", 30),
        ("سأتأخر ربع ساعة", 15),
        ("опоздаю на 10 минут", 10),
        ("בְּעֶשְׂרִים דַּקּוֹת", 20),  # with niqqud
        ("באיזו שעה אתם פותחים?", None),  # a time of day, not a length
        ("שעה טובה!", None),
        ("כמה עולה מפגש?", None),
        ("בשעה 10:30", None),
    ],
)
def test_a_length_is_read_in_words_digits_and_four_languages(text, minutes):
    assert said_minutes(text) == minutes


def test_the_first_length_said_is_the_one_meant():
    assert said_minutes("חצי שעה או 45 דקות?") == 30
    assert said_minutes("45 דקות או חצי שעה?") == 45
    assert lengths_said("שורה: קלינאות תקשורת — 30 דקות; ריפוי בעיסוק — שעה וחצי") == [30, 90]


def test_both_readers_share_the_table():
    # The lateness reader used to know 'עשרים דקות' but not 'עשרים וחמש דקות' or 'שלושת רבעי שעה';
    # the session-length reader knew neither number words nor English.
    assert asked_minutes_late("אני אאחר בעשרים וחמש דקות, זה בסדר?") == 25
    assert asked_minutes_late("מה קורה אם אני מאחרת בשלושת רבעי שעה?") == 45
    assert asked_minutes_late("כמה זמן נמשכת הבדיקה? 20 דקות?") is None  # no lateness
    assert asked_minutes("a session of forty five minutes") == 45
    assert asked_minutes("טיפול של עשרים דקות") == 20
