from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.extract import extract_datetime, understand_text

pytestmark = pytest.mark.unit
TZ = ZoneInfo("Asia/Jerusalem")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=TZ)  # a Sunday morning


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("מחר ב-5", datetime(2026, 11, 23, 17, 0, tzinfo=TZ)),
        ("מחר ב-10 בבוקר", datetime(2026, 11, 23, 10, 0, tzinfo=TZ)),
        ("יום ראשון הבא", datetime(2026, 11, 29, 9, 0, tzinfo=TZ)),
        ("ביום שלישי ב-16:30", datetime(2026, 11, 24, 16, 30, tzinfo=TZ)),
        ("ב-22.12", datetime(2026, 12, 22, 9, 0, tzinfo=TZ)),
        ("ב-3.1 בשעה 11:15", datetime(2027, 1, 3, 11, 15, tzinfo=TZ)),
        ("22/11/2026 ב-8 בערב", datetime(2026, 11, 22, 20, 0, tzinfo=TZ)),
        ("בעוד יומיים בצהריים", datetime(2026, 11, 24, 12, 0, tzinfo=TZ)),
        ("היום בערב", datetime(2026, 11, 22, 18, 0, tzinfo=TZ)),
        ("מחרתיים ב 9", datetime(2026, 11, 24, 9, 0, tzinfo=TZ)),
    ],
)
def test_hebrew_times(text, expected):
    assert extract_datetime(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["כמה עולה סתימה?", "סעיף 4.2 בהסכם", "המחיר ₪1,200", "שלום"])
def test_no_time_where_there_is_none(text):
    assert extract_datetime(text, now=NOW) is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("אני רוצה לדבר עם נציג אנושי", "human_request"),
        ("אפשר בן אדם?", "human_request"),
        ("אני ממש לא מרוצה מהיחס שקיבלתי", "complaint"),
        ("אפשר לקבוע תור לבדיקה?", "appointment_request"),
        ("כמה עולה הלבנת שיניים?", "price_question"),
        ("עד מתי אתם פתוחים ביום שישי?", "hours_question"),
        ("מה תקופת הסודיות בהסכם?", "document_question"),
        ("שלום, בוקר טוב", "small_talk"),
        ("קוראים לי דנה כהן", "provide_details"),
        ("מחר ב-5", "provide_details"),
        ("מי ניצח במשחק אתמול", "document_question"),
        ("I want to talk to a human", "human_request"),
        ("בננה סגולה", "out_of_scope"),
    ],
)
def test_intents(text, intent):
    assert understand_text(text, now=NOW, services=["הלבנת שיניים"]).intent == intent


def test_slots_from_one_message():
    reading = understand_text(
        "שמי דנה כהן, הטלפון 054-1234567, רוצה הלבנת שיניים מחר ב-5", now=NOW, services=["הלבנת שיניים", "סתימה"]
    )
    assert reading.slots["name"] == "דנה כהן"
    assert reading.slots["phone"] == "054-1234567"
    assert reading.slots["service"] == "הלבנת שיניים"
    assert reading.slots["preferred_time"] == "2026-11-23T17:00+02:00"


def test_tenant_keywords_extend_the_rules():
    text = "אשמח לפגישת היכרות עם עורך דין"
    reading = understand_text(text, now=NOW, extra_keywords={"appointment_request": ["פגישת היכרות"]})
    assert reading.intent == "appointment_request"
    assert "appointment_request:tenant:פגישת היכרות" in reading.signals
