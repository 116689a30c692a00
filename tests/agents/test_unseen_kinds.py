"""Kinds that carry to a clinic nobody tuned for: captions of price tables, urgency in plain words,
anger, booking as a purpose, weekdays and holidays, aliases in English, the business's own names."""

from __future__ import annotations

from datetime import date, datetime

from sochen.agents.answering.days import holiday_asked
from sochen.agents.answering.extractive import _forms
from sochen.agents.answering.language import alias_terms, search_query
from sochen.agents.answering.units import clause_units
from sochen.agents.extract import is_emergency, understand_text
from sochen.privacy import BusinessTerms, assess

_NOW = datetime(2026, 12, 6, 10, 0)


def test_table_caption_is_context_of_its_rows_not_a_unit() -> None:
    text = "פילינג לפי סוג (טיפול בודד / סדרה של 4)\nסוג | טיפול בודד | סדרה\nסוג: ירוק · טיפול בודד: 300 ₪ · סדרה: 1,000 ₪"
    units = clause_units(text)
    assert [u.text for u in units] == ["סוג: ירוק · טיפול בודד: 300 ₪ · סדרה: 1,000 ₪"]
    assert "פילינג לפי סוג" in units[0].context


def test_a_sentence_above_a_table_stays_a_unit() -> None:
    text = 'המחירים כוללים מע"מ.\nסוג | מחיר\nסוג: ירוק · מחיר: 300 ₪'
    assert clause_units(text)[0].text == 'המחירים כוללים מע"מ.'


def test_weekdays_do_not_share_a_root() -> None:
    assert not _forms("שישי") & _forms("שלישי")
    assert "שישי" in _forms("בשישי")


def test_english_alias_adds_the_tenants_hebrew_service_name() -> None:
    aliases = {"הסרת שיער בלייזר": ["laser hair removal", "ليزر"], "בוטוקס": ["botox"]}
    assert alias_terms("How much is laser hair removal for the legs?", aliases) == "הסרת שיער בלייזר"
    assert "הסרת שיער בלייזר" in search_query("How much is laser hair removal?", aliases)
    assert alias_terms("How much is a peel?", aliases) == ""


def test_urgency_in_plain_words_is_an_emergency() -> None:
    assert is_emergency("אחרי הטיפול אני מרגיש שהלשון מתנפחת")
    assert is_emergency("הילד נחנק וקשה לו לנשום")
    assert is_emergency("I can hardly breathe after the injection")
    assert is_emergency("أشعر بصعوبة في التنفس")


def test_idioms_and_questions_are_not_emergencies() -> None:
    assert is_emergency("אני עובד המון ובקושי יש לי זמן לנשום, רוצה לקבוע תור") is None
    assert is_emergency("האם נפיחות בשפתיים אחרי פילר היא רגילה?") is None
    assert is_emergency("כמה עולה פילר לשפתיים?") is None


def test_anger_and_being_ignored_are_complaints() -> None:
    u = understand_text("השארתי שלוש הודעות ואף אחד לא חזר אליי, אני כועס", now=_NOW)
    assert u.intent == "complaint"


def test_booking_as_the_purpose_of_a_question_is_not_a_booking() -> None:
    assert understand_text("צריך להביא הפניה כדי לקבוע תור לרופא?", now=_NOW).intent != "appointment_request"
    assert understand_text("אפשר לקבוע תור לרופא ביום ראשון?", now=_NOW).intent == "appointment_request"


def test_a_weekday_on_a_holiday_is_closed() -> None:
    now = datetime(2027, 4, 19, 9, 0)  # Monday
    holidays = [date(2027, 4, 22)]
    assert holiday_asked("אתם פתוחים ביום חמישי?", now, holidays) == date(2027, 4, 22)
    assert holiday_asked("אתם פתוחים ביום רביעי?", now, holidays) is None
    assert holiday_asked("כמה עולה ייעוץ ביום חמישי?", now, holidays) is None


def test_the_business_doctor_named_before_a_verb_is_not_personal() -> None:
    business = BusinessTerms(['ביום שני מקבלת ד"ר רונית אבני לייעוץ'])
    assert not assess('ד"ר רונית אבני מקבלת ביום שני?', business=business).sensitive
    assert assess("שמי דנה כהן ואני רוצה תור", business=business).sensitive


def test_first_person_past_meets_third_person() -> None:
    assert _forms("הגעתי") & _forms("הגיע")
    assert _forms("הודעתי") & _forms("הודיע")


def test_full_name_before_the_comma() -> None:
    u = understand_text("היי, אני מיכל שגיא, אפשר לקבוע פילינג ביום שני ב-10:00?", now=_NOW)
    assert u.slots.get("name") == "מיכל שגיא"
    assert understand_text("שלום, אני יוסי, אפשר תור?", now=_NOW).slots.get("name") == "יוסי"


def test_arabic_open_question_asks_the_hours() -> None:
    assert understand_text("هل العيادة مفتوحة يوم الخميس؟", now=_NOW).intent == "hours_question"
