"""Conversation kinds a clinic's WhatsApp line must get right without a model (found on the sportmed tuning pack).

Injuries told in the writer's words are emergencies; Russian questions are understood and answered in Russian;
Arabic and Russian booking times and names are read; a Hebrew alias behind a one-letter prefix names its
service and a generic first word ('ניתוח') does not; declined interest is not a lead; a question about an
appointment already made is not a booking; a doctor or an insurer named in a question is not the writer;
fixed replies follow the writer's language. No database, no model.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering.language import detect, hebrew_terms, search_query, wording
from sochen.agents.emergency import emergency_passage, emergency_reply
from sochen.agents.extract import extract_datetime, find_service, is_emergency, understand_text
from sochen.agents.wording import conversation_language, show_when, slot_prompt, template
from sochen.config import TenantConfig
from sochen.rag.retriever import SearchHit

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))  # a Sunday
SERVICES = ["בדיקת אורתופד", "פיזיותרפיה", "גלי הלם", "הזרקת PRP", "ניתוח ריצה", "התאמת מדרסים"]
ALIASES = {
    "בדיקת אורתופד": ["אורתופד", "orthopedist", "ортопед"],
    "פיזיותרפיה": ["פיזיו", "physiotherapy", "علاج طبيعي", "физиотерапия"],
    "גלי הלם": ["שוקווייב", "shockwave", "ударно-волновая терапия"],
    "הזרקת PRP": ["PRP"],
}


def _read(text: str):  # type: ignore[no-untyped-def]
    return understand_text(text, now=NOW, services=SERVICES, service_aliases=ALIASES)


# -- injuries ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "message",
    [
        "הבן שלי נפל מהאופניים והיד שלו נראית עקומה",
        "נפלתי בריצה והקרסול נראה לא במקום",
        "אבא שלי נפל במדרגות ולא מצליח להזיז את הרגליים",
        "החלקתי על הרצפה ועכשיו אין לי תחושה ברגל",
        "אמא שלי נפלה והיא לא מרגישה את היד",
        "עשיתי אתמול הזרקה לברך ועכשיו יש לי חום 38.8 והברך נפוחה",
        "My son fell off his bike and his arm looks bent",
    ],
)
def test_an_injury_told_in_the_writers_words_is_an_emergency(message):
    assert is_emergency(message), message
    assert _read(message).intent == "emergency"


@pytest.mark.parametrize(
    "message",
    [
        "נקעתי אתמול את הקרסול, זה נפוח אבל אני דורך עליו. אפשר תור לאורתופד?",
        "אני לא מצליחה להזיז את הכתף מעל הראש כבר חודש, אפשר תור?",
        "נפלתי אתמול ואני לא מרגיש טוב, אפשר תור?",
        "יש לי חום 38.5, אפשר לבטל את התור של מחר?",
    ],
)
def test_a_minor_or_chronic_complaint_is_not_an_emergency(message):
    assert is_emergency(message) is None, message


INJURIES = """## מתי לא מחכים לתור: מד"א 101
- נפילה עם עיוות של יד או רגל (הגפה נראית עקומה): לא להזיז את הגפה, לקבע אותה ולהתקשר מיד למד"א 101.
- דימום חזק שאינו נפסק: ללחוץ חזק על הפצע עם בד נקי ולהתקשר מיד למד"א 101.
- אחרי נפילה — חוסר תחושה או חוסר יכולת להזיז יד או רגל: לא להזיז את הנפגע ולהתקשר מיד למד"א 101.
"""


def test_the_guidance_is_found_by_what_it_means_not_only_by_its_words():
    chunks = [SearchHit(INJURIES, 0.0, "d", "f.md", "פציעות ומצבי חירום", "מתי לא מחכים לתור", None, "c1")]
    bleeding = emergency_passage("נחתכתי ברגל ממשקולת ויוצא הרבה דם, זה לא נעצר", chunks)
    assert bleeding is not None and "ללחוץ" in bleeding.text
    numb = emergency_passage("אבא שלי נפל במדרגות ולא מצליח להזיז את הרגליים, הוא אומר שהוא לא מרגיש אותן", chunks)
    assert numb is not None and "חוסר תחושה" in numb.text


# -- Russian -------------------------------------------------------------------------------------------------
def test_a_russian_question_is_russian_and_searched_with_hebrew_terms():
    question = "Сколько стоит ударно-волновая терапия? Есть ли цена за курс?"
    assert detect(question) == "ru"
    terms = hebrew_terms(question)
    assert "מחיר" in terms and "סדרה" in terms
    assert "גלי הלם" in search_query(question, ALIASES)
    assert "שלישי" in hebrew_terms("До скольки вы работаете во вторник?")


def test_russian_intents_are_read():
    assert _read("Сколько стоит физиотерапия?").intent == "price_question"
    assert _read("До скольки вы работаете во вторник?").intent == "hours_question"
    booking = _read("Здравствуйте, хочу записаться к ортопеду в четверг в 10 утра. Меня зовут Ольга Смирнова")
    assert booking.intent == "appointment_request"
    assert booking.slots["service"] == "בדיקת אורתופד"
    assert booking.slots["preferred_time"].startswith("2026-12-10T10:00")
    assert booking.slots["name"] == "Ольга Смирнова"


def test_a_russian_reply_has_russian_fixed_wording():
    assert "документ" in wording("ru", prefix="", source="", not_found="").prefix
    config = TenantConfig.model_validate({"slug": "sportmed", "name": "ספורטמד"})
    reply, _ = emergency_reply("Мой сын упал, и у него сильно идёт кровь", config, [])
    assert "101" in reply and "Маген Давид Адом" in reply


# -- Arabic and Russian times and names -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("بدي أحجز موعد يوم الخميس الساعة 10 الصبح", "2026-12-10T10:00"),
        ("ممكن موعد يوم الاثنين الساعة 5 مساء", "2026-12-07T17:00"),
        ("Можно в среду в 18:00?", "2026-12-09T18:00"),
        ("Запишите меня завтра в 5 вечера", "2026-12-07T17:00"),
    ],
)
def test_arabic_and_russian_days_and_hours_are_read(text, expected):
    when = extract_datetime(text, now=NOW)
    assert when is not None and when.isoformat().startswith(expected)


def test_an_arabic_booking_gets_its_name_service_and_time():
    reading = _read("مرحبا، بدي أحجز موعد علاج طبيعي يوم الخميس الساعة 10 الصبح. اسمي سامي خوري")
    assert reading.intent == "appointment_request"
    assert reading.slots["name"] == "سامي خوري"
    assert reading.slots["service"] == "פיזיותרפיה"
    assert reading.slots["preferred_time"].startswith("2026-12-10T10:00")


# -- services --------------------------------------------------------------------------------------------------
def test_a_hebrew_alias_behind_a_prefix_names_its_service():
    assert find_service("אני רוצה תור לאורתופד ביום שלישי", SERVICES, ALIASES) == "בדיקת אורתופד"
    assert find_service("כמה עולה הפיזיו אצלכם?", SERVICES, ALIASES) == "פיזיותרפיה"
    assert find_service("אפשר תור ל-PRP בברך?", SERVICES, ALIASES) == "הזרקת PRP"


def test_a_generic_first_word_does_not_name_another_service():
    # 'ניתוח ארתרוסקופיה' is a surgery the clinic does not perform, not its 'ניתוח ריצה' (running analysis).
    assert find_service("כמה עולה אצלכם ניתוח ארתרוסקופיה לברך?", SERVICES, ALIASES) is None
    assert find_service("אפשר לקבוע ניתוח ריצה?", SERVICES, ALIASES) == "ניתוח ריצה"


# -- what is and is not a lead or a booking ---------------------------------------------------------------------
def test_declined_interest_is_not_a_lead():
    reading = _read("כמה עולה טיפול פיזיותרפיה אחד? לא מעוניינת בכרטיסייה")
    assert reading.intent == "price_question"
    assert _read("אני מעוניינת בפיזיותרפיה, תחזרו אליי").intent == "new_lead"


def test_a_question_about_an_appointment_already_made_is_not_a_booking():
    reading = _read("יש לי תור לאורתופד ביום רביעי, מה אני צריך להביא איתי?")
    assert reading.intent != "appointment_request"
    assert _read("אפשר תור לאורתופד ביום רביעי ב-10?").intent == "appointment_request"


def test_a_doctor_or_an_insurer_named_in_a_question_is_not_the_writers_name():
    assert "name" not in _read('באילו ימים ד"ר רים חדאד מקבלת?').slots
    assert "name" not in _read("הביטוח הפרטי של הראל מכסה הזרקת PRP אצלכם?").slots
    assert _read("שמי עומר ביטון, אפשר תור לפיזיו מחר ב-10?").slots["name"] == "עומר ביטון"
    assert _read("אני יוני כץ, רוצה תור לאורתופד מחר ב-10").slots["name"] == "יוני כץ"


# -- fixed replies in the writer's language ------------------------------------------------------------------------
def test_fixed_replies_follow_the_writers_language_unless_the_tenant_wrote_its_own():
    config = TenantConfig.model_validate({"slug": "sportmed", "name": "ספורטמד"})
    t = config.agent.templates
    assert conversation_language("Hello, I'd like to book physiotherapy", None) == "en"
    assert conversation_language("Sarah Levin", "he") == "he"  # a bare answer keeps the conversation's language
    assert conversation_language("10:00", "ru") == "ru"
    assert template(t, "lead_done", "en").startswith("Thank you")
    assert template(t, "lead_done", "he") == t.lead_done
    assert slot_prompt(config.agent.slots[0], "ar") == "ما اسمك؟"
    assert show_when("2026-12-07T08:00+02:00", "en") == "Monday 07.12 at 08:00"
    assert show_when("2026-12-07T08:00+02:00", "he") == "יום שני 07.12 בשעה 08:00"
    own = TenantConfig.model_validate(
        {"slug": "sportmed", "name": "ספורטמד", "agent": {"templates": {"lead_done": "תודה {name}, נחזור אליך."}}}
    )
    assert template(own.agent.templates, "lead_done", "en") == "תודה {name}, נחזור אליך."
