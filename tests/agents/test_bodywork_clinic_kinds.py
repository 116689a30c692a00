"""Kinds a chiropractic, acupuncture and massage clinic showed the model-free agent getting wrong, as general rules.

A price asked after a story ('לפני שנתיים היה לי התקף לב... כמה עולה עיסוי של שעה?', 'אמא שלי לא יכולה להגיע
למרפאה. כמה עולה שעה של עיסוי אצלה בבית?'): the story's words must not rank a cancellation clause above the
price list's row. A fake lexical library; no database, no model.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.extractive import _priced_after_story
from sochen.agents.extract import understand_text
from sochen.config import TenantConfig
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

TZ = ZoneInfo("Asia/Jerusalem")
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=TZ)
POLICY = "נהלים וביטולים — מרפאת ארז"
PRICES = "מחירון — מרפאת ארז לכירופרקטיקה ועיסוי"

CHUNKS = [
    (
        POLICY,
        "2. ביטול תור",
        "2. ביטול תור\n"
        "2.1 עיסוי רפואי ודיקור במרפאה — אפשר לבטל ללא חיוב עד 12 שעות לפני מועד הטיפול. ביטול מאוחר יותר "
        "מחויב ב-50% ממחיר הטיפול.\n"
        "2.2 ביקור בית אפשר לבטל ללא חיוב עד 48 שעות לפני מועדו.\n"
        "2.3 מי שלא הגיע לתור ולא הודיע מחויב בדמי אי-הגעה של 120 ₪, ובביקור בית — במחיר המלא של הביקור.",
    ),
    (
        POLICY,
        "3. חריגים",
        "3. חריגים\n3.1 לא ייגבו דמי ביטול כשהמטופל מאושפז או חולה, עם אישור רפואי שנשלח בתוך 5 ימים.",
    ),
    (
        PRICES,
        "עיסוי רפואי",
        "עיסוי רפואי\nטיפול | טיפול בודד | כרטיסייה של 10\n"
        "טיפול: עיסוי רפואי — 30 דקות, במרפאה · טיפול בודד: 200 ₪ · כרטיסייה של 10: 1,800 ₪\n"
        "טיפול: עיסוי רפואי — 60 דקות, במרפאה · טיפול בודד: 340 ₪ · כרטיסייה של 10: 3,000 ₪\n"
        "טיפול: עיסוי רפואי — 60 דקות, ביקור בית · טיפול בודד: 480 ₪ · כרטיסייה של 10: 4,300 ₪",
    ),
    (
        PRICES,
        "כירופרקטיקה",
        "כירופרקטיקה\nטיפול | טיפול בודד | כרטיסייה של 10\n"
        "טיפול: כירופרקטיקה — ביקור ראשון (60 דקות) · טיפול בודד: 440 ₪ · כרטיסייה של 10: אין כרטיסייה\n"
        "טיפול: כירופרקטיקה — טיפול המשך (30 דקות) · טיפול בודד: 280 ₪ · כרטיסייה של 10: 2,500 ₪\n"
        "טיפול: כירופרקטיקה — ביקור בית (45 דקות) · טיפול בודד: 550 ₪ · כרטיסייה של 10: אין כרטיסייה",
    ),
]
CONFIG = TenantConfig.model_validate(
    {
        "slug": "erez",
        "name": "מרפאת ארז",
        "agent": {
            "answer_mode": "extractive",
            "services": ["כירופרקטיקה", "עיסוי רפואי", "דיקור"],
            "service_aliases": {"כירופרקטיקה": ["כירופרקט"]},
        },
    }
)


def ask(question: str, *, sensitive: bool = False) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library(), now=SUNDAY, sensitive=sensitive)


# -- a price asked after a story ------------------------------------------------------------------------------


@pytest.mark.parametrize("sensitive", [False, True])
@pytest.mark.parametrize(
    ("text", "price", "not_price"),
    [
        (
            "לפני שנתיים היה לי התקף לב ועשו לי צנתור, מאז אני מרגיש מצוין. כמה עולה עיסוי רפואי של שעה?",
            "340 ₪",
            "200 ₪",
        ),
        ("אמא שלי לא יכולה להגיע למרפאה. כמה עולה שעה של עיסוי רפואי אצלה בבית?", "480 ₪", "120 ₪"),
        (
            "נפלתי מהאופניים לפני חודש, עשו לי צילום ולא היה שבר. נשאר לי כאב בכתף — כמה עולה ביקור ראשון אצל "
            "הכירופרקט?",
            "440 ₪",
            "280 ₪",
        ),
    ],
)
def test_a_price_asked_after_a_story_is_the_price_lists_row(text, price, not_price, sensitive):
    reply = ask(text, sensitive=sensitive)
    assert reply.status == "answered", reply
    assert price in reply.text and not_price not in reply.text, reply.text
    assert all(c.passage.title == PRICES for c in reply.citations)


@pytest.mark.parametrize(
    ("text", "priced"),
    [
        ("נשאר לי כאב בכתף. כמה עולה ביקור ראשון אצל הכירופרקט?", "כמה עולה ביקור ראשון אצל הכירופרקט?"),
        ("יש לי תור לעיסוי של שעה. כמה זה עולה?", None),  # prices what was told: the story is not cut away
        ("כמה עולה עיסוי רפואי של שעה?", None),  # no story
    ],
)
def test_the_price_question_after_a_story(text, priced):
    assert _priced_after_story(text) == priced


def test_the_length_said_before_the_treatment_picks_the_row():
    reply = ask("כמה עולה שעה של עיסוי רפואי במרפאה?")
    assert "340 ₪" in reply.text and "200 ₪" not in reply.text, reply.text


# -- a service with the day and hour wanted is a booking -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "קוראים לי אורנה שפירא, אני צריכה דיקור עם שי לנדאו ביום חמישי ב-9 בבוקר",
        "שמי רון, עיסוי רפואי ביום שלישי ב-17:00",
    ],
)
def test_a_service_with_the_day_and_hour_is_a_booking(text):
    got = understand_text(text, now=SUNDAY, services=["כירופרקטיקה", "עיסוי רפואי", "דיקור"])
    assert got.intent == "appointment_request", got


@pytest.mark.parametrize(
    "text",
    ["אם אני מבטלת עיסוי רפואי ביום שלישי ב-17:00, אני משלמת?", "עד מתי פתוח ביום שלישי? אני רוצה עיסוי רפואי"],
)
def test_a_service_and_a_time_in_a_question_or_a_policy_is_not_made_a_booking(text):
    got = understand_text(text, now=SUNDAY, services=["כירופרקטיקה", "עיסוי רפואי", "דיקור"])
    assert got.intent != "appointment_request" or "appointment_request:service_and_time" not in got.signals
