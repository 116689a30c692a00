"""One table of lengths of time said in words or minutes, shared by the session-length and lateness readers."""

from __future__ import annotations

import pytest

from sochen.agents.answering.extractive import asked_minutes
from sochen.agents.answering.lateness import asked_minutes_late
from sochen.text.durations import digit_minutes, said_minutes


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
        ("התור שלי של שעה 9", None),  # the hour of the appointment
        ("התור שלנו של שעה שמונה", None),
        ("תעריפים שעתיים", None),  # an adjective, not two hours
        ("בשעה ורבע", None),  # a time of day
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
    # A row's length is the one it gives in digits; 'כשעה וחצי' in a row is prose about the service.
    assert digit_minutes("קלינאות תקשורת — 30 דקות; ריפוי בעיסוק — 45 דק'") == [30, 45]
    assert digit_minutes("הלבנת שיניים — טיפול אחד של כשעה וחצי") == []


def test_both_readers_share_the_table():
    # The lateness reader used to know 'עשרים דקות' but not 'עשרים וחמש דקות' or 'שלושת רבעי שעה';
    # the session-length reader knew neither number words nor English.
    assert asked_minutes_late("אני אאחר בעשרים וחמש דקות, זה בסדר?") == 25
    assert asked_minutes_late("מה קורה אם אני מאחרת בשלושת רבעי שעה?") == 45
    assert asked_minutes_late("כמה זמן נמשכת הבדיקה? 20 דקות?") is None  # no lateness
    assert asked_minutes("a session of forty five minutes") == 45
    assert asked_minutes("טיפול של עשרים דקות") == 20


@pytest.mark.parametrize(
    ("question", "minutes"),
    [
        # Review findings: a length said in another part of the message is not the lateness.
        ("בעוד חצי שעה אני יוצא מהעבודה, אאחר ב-10 דקות לתור, זה בסדר?", 10),
        ("התור שלי של שעה 9, אאחר ב-10 דק, הטיפול יתקיים?", 10),
        ("אני מאחר לתור של שעה 9, אגיע בערך 10 דקות אחרי, יקבלו אותי?", 10),
        ("אני רונית, התור שלנו של שעה 17:00 ואנחנו נאחר ב-10 דקות, המפגש יתקיים?", 10),
    ],
)
def test_the_lateness_is_the_length_said_with_it(question, minutes):
    assert asked_minutes_late(question) == minutes
