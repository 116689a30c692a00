from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.extract import (
    extract_datetime,
    find_service,
    is_emergency,
    looks_like_name,
    split_name,
    understand_text,
)

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
        ("מחר בשתיים עשרה", datetime(2026, 11, 23, 12, 0, tzinfo=TZ)),  # full spelling, not "בשתיים" = 2
        ("מחר בשתים-עשרה וחצי", datetime(2026, 11, 23, 12, 30, tzinfo=TZ)),
    ],
)
def test_hebrew_times(text, expected):
    assert extract_datetime(text, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow at 11", datetime(2026, 11, 23, 11, 0, tzinfo=TZ)),
        ("Can I come tomorrow at 4?", datetime(2026, 11, 23, 16, 0, tzinfo=TZ)),
        ("on tuesday at 8 in the evening", datetime(2026, 11, 24, 20, 0, tzinfo=TZ)),
        ("tomorrow at 10:30", datetime(2026, 11, 23, 10, 30, tzinfo=TZ)),
        ("tomorrow at 3pm", datetime(2026, 11, 23, 15, 0, tzinfo=TZ)),
        ("מחר at 9 in the morning", datetime(2026, 11, 23, 9, 0, tzinfo=TZ)),
    ],
)
def test_english_times_without_am_pm_follow_business_hours(text, expected):
    assert extract_datetime(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["a discount of at least 10%", "valid for at least 30 days", "by 2 weeks"])
def test_english_numbers_that_are_not_hours(text):
    assert extract_datetime(text, now=NOW) is None


@pytest.mark.parametrize(
    "text", ["כמה עולה סתימה?", "סעיף 4.2 בהסכם", "המחיר ₪1,200", "שלום", "החיסיון נגמר אחרי 5 שנים?", "ב-3 ימים"]
)
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


SERVICES = ["בדיקה תקופתית", "ניקוי אבנית", "הלבנת שיניים", "סתימה", "טיפול שורש", "כתר", "שתל", "יישור שיניים"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # A question about the policy contains תור but asks, it does not book.
        ("כמה עולה ביטול תור?", "price_question"),
        ("מה קורה אם לא הגעתי לתור?", "service_question"),
        ("מה קורה אם מאחרים לתור?", "service_question"),
        ("עד מתי אפשר לבטל תור של יום ראשון בלי לשלם דמי ביטול?", "hours_question"),
        ("עד איזו שעה אפשר להגיע ביום רגיל? אני מסיים לעבוד מאוחר", "hours_question"),
        ("השיננית עובדת ביום שני? רציתי לבוא לניקוי", "hours_question"),
        ("אחי בכמה יוצא לי שתל אצלכם בערך", "price_question"),
        # Asking for a slot is asking to book, even with a question mark.
        ("שמי הילה רוזן, צריכה סתימה. יום ראשון הבא בשעה 12:00 מתאים?", "appointment_request"),
        ("יש מצב לבדיקה תקופתית היום ב-17:30?", "appointment_request"),
        ("אפשר לקבוע תור לביטול? כלומר לבטל את התור של מחר", "appointment_request"),
        ("אני רוצה לקבע תור להלבנת שינים", "appointment_request"),
    ],
)
def test_questions_about_appointments_are_questions(text, intent):
    assert understand_text(text, now=NOW, services=SERVICES).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "נשברה לי שן ויש לי כאב חזק, מה עושים עכשיו כשאתם סגורים?",
        "הפנים שלי נפוחות מאוד אחרי העקירה וקשה לי לבלוע",
        "יש לי דימום שלא נפסק מאז הטיפול",
        "הבן שלי נפל וחטף מכה בפה, יש הרבה דם, דחוף!",
        "יש לו קוצר נשימה אחרי ההרדמה",
        "כאבים נוראיים בלסת, אני לא יכולה לישון",
        "I have severe pain and swelling",
        "מקרה חירום!!",
    ],
)
def test_emergencies_outrank_everything(text):
    reading = understand_text(text, now=NOW, services=SERVICES)
    assert reading.intent == "emergency", reading.signals


@pytest.mark.parametrize(
    "text",
    [
        "כמה עולה טיפול חירום?",
        "כואב לי קצת אחרי הסתימה, זה נורמלי?",
        "אני רוצה לדבר עם נציג",
        "השן קצת רגישה לקור",
        "גובים דמי ביטול אם יש מצב חירום ביטחוני?",
        "כמה עולה ביקור במקרה חירום?",
    ],
)
def test_not_every_pain_or_emergency_word_is_an_emergency(text):
    assert understand_text(text, now=NOW, services=SERVICES).intent != "emergency"


def test_tenant_emergency_phrases_extend_the_rules():
    # Something stuck in the throat is choking, built in (test_child_clinic_kinds); in the gums it is this
    # clinic's own phrase.
    assert is_emergency("החוט נתקע לי בחניכיים", extra=["נתקע בחניכיים", "נתקע לי בחניכיים"]) == "נתקע לי בחניכיים"
    assert is_emergency("החוט נתקע לי בחניכיים") is None


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("אני רוצה תור להלבנה", "הלבנת שיניים"),
        ("אני רוצה לקבע תור להלבנת שינים", "הלבנת שיניים"),
        ("רציתי לבוא לניקוי", "ניקוי אבנית"),
        ("צריכה תור לסתימות", "סתימה"),
        ("כמה עולים כתרים?", "כתר"),
        ("ליישור השיניים של הבת", "יישור שיניים"),
        ("כמה עולה הטיפול?", None),  # טיפול alone is not טיפול שורש
        ("הבית נקי", None),
    ],
)
def test_services_match_in_prefixed_inflected_and_variant_forms(text, service):
    assert find_service(text, SERVICES) == service


@pytest.mark.parametrize(
    ("text", "service"),
    [("חיסיון עורך דין-לקוח", None), ("אני צריך עריכה של הסכם", "עריכת הסכם"), ("לעריכת ההסכם", "עריכת הסכם")],
)
def test_a_first_word_alone_must_be_spelled_as_the_service(text, service):
    assert find_service(text, ["עריכת הסכם", "הסכם סודיות"]) == service


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("דנה כהן", True),
        ("גב' אסתר מלכה", True),
        ("David Miller", True),
        ("רינה בן חיים", True),
        ("מחר אחרי 5", False),
        ("בערב עדיף", False),
        ("ביום שלישי", False),
        ("כן", False),
        ("הלבנה", False),
        ("לא יודעת עדיין", False),
    ],
)
def test_an_answer_to_what_is_your_name_must_look_like_a_name(value, ok):
    assert looks_like_name(value, services=SERVICES) is ok


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("דנה כהן", ("דנה", "כהן")),
        ("רינה בן חיים", ("רינה", "בן חיים")),
        ('ד"ר יעל ברק', ("יעל", "ברק")),
        ("גב' אסתר מלכה", ("אסתר", "מלכה")),
        ("David Miller", ("David", "Miller")),
        ("כהן", ("", "כהן")),
    ],
)
def test_a_full_name_splits_into_first_and_last(name, parts):
    assert split_name(name) == parts


def test_full_names_after_a_strong_cue_keep_their_surname():
    assert understand_text("שמי יפעת שמש, רוצה תור", now=NOW).slots["name"] == "יפעת שמש"
    assert understand_text("שמי רינה בן חיים, יש מצב לתור?", now=NOW).slots["name"] == "רינה בן חיים"
    reading = understand_text("אני מתעניין בשתל. נתן גולדברג, טלפון 052-3334455", now=NOW, services=SERVICES)
    assert reading.slots["name"] == "נתן גולדברג"


LAW_SERVICES = ["פגישת ייעוץ", "ייעוץ משפטי", "הסכם שכירות", "הסכם סודיות", "רישום חברה"]
LAW_KEYWORDS = {"appointment_request": ["פגישת ייעוץ", "ייעוץ ראשוני"]}


@pytest.mark.parametrize(
    ("text", "service"),
    [
        # The subject of the meeting, not the meeting, is what the lead is about.
        ("שמי אייל ברגמן, אני צריך פגישת ייעוץ לגבי הסכם סודיות עם ספק. אפשר מחר ב-9?", "הסכם סודיות"),
        ('שמי עו"ד רון שגיא, מבקש פגישת ייעוץ לגבי הסכם מייסדים ביום שלישי בשעה 14:00', "הסכם מייסדים"),
        ("אני רוצה לקבוע פגישת ייעוץ בנושא מכתב התראה לשוכר. שמי חגית רבינוביץ", "מכתב התראה לשוכר"),
        ("שלום, שמי שרון אלקיים ואני צריכה מכתב התראה לשוכר שלא משלם", "מכתב התראה לשוכר שלא משלם"),
        ("אני רוצה לקבוע פגישת ייעוץ", "פגישת ייעוץ"),
    ],
)
def test_the_subject_of_a_meeting_is_the_service(text, service):
    reading = understand_text(text, now=NOW, services=LAW_SERVICES, extra_keywords=LAW_KEYWORDS)
    assert reading.intent in ("appointment_request", "new_lead")
    assert reading.slots["service"] == service


def test_a_day_in_a_booking_is_the_time_asked_for_not_an_hours_question():
    reading = understand_text("שמי ליאור כהן, אפשר תור לסתימה ביום שישי ב-5?", now=NOW, services=SERVICES)
    assert reading.intent == "appointment_request"
    assert understand_text("אתם פתוחים ביום שישי?", now=NOW).intent == "hours_question"


ALIASES = {"ניקוי אבנית": ["teeth cleaning", "تنظيف الأسنان"], "הלבנת שיניים": ["whitening", "تبييض الأسنان"]}


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        (
            "Hi, my name is David Miller. I'd like to book a teeth cleaning tomorrow at 10am",
            "appointment_request",
            {"name": "David Miller", "service": "ניקוי אבנית", "preferred_time": "2026-11-23T10:00+02:00"},
        ),
        ("How much is teeth whitening?", "price_question", {"service": "הלבנת שיניים"}),
        ("كم سعر تبييض الأسنان؟", "price_question", {"service": "הלבנת שיניים"}),
        ("can I come on Tuesday at 3:30 pm?", "appointment_request", {"preferred_time": "2026-11-24T15:30+02:00"}),
    ],
)
def test_other_languages_through_the_tenant_aliases(text, intent, slots):
    reading = understand_text(text, now=NOW, services=SERVICES, service_aliases=ALIASES)
    assert reading.intent == intent
    assert reading.slots == slots


def test_aliases_must_name_the_tenant_services():
    from pydantic import ValidationError

    from sochen.config.sections.agent import AgentConfig

    with pytest.raises(ValidationError, match="not in `services`"):
        AgentConfig(services=["סתימה"], service_aliases={"שתל": ["implant"]})
