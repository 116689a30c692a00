"""Kinds a child-development institute showed the model-free agent getting wrong, as general rules.

A question about the conditions of booking (an age, a notice) with the word תור; a child's emergency said
in a parent's words (not breathing, blue lips, a seizure, choking); a measurement ('חום 38.5') that is not
a clause number; cancellation windows that differ by service; a session's length said in words ('חצי
שעה'); a service alias that shares a word with the name ('מרפאה בעיסוק'); a follow-up price question
that names nothing of its own. A fake lexical library; no database, no model.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.extractive import asked_minutes
from sochen.agents.answering.language import alias_terms, hebrew_alias_terms, hebrew_terms, named_by_service
from sochen.agents.answering.units import clause_units
from sochen.agents.extract import is_emergency, understand_text
from sochen.config import TenantConfig
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

TZ = ZoneInfo("Asia/Jerusalem")
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=TZ)
POLICY = "נהלים וביטולים — מכון גפן להתפתחות הילד"
PRICES = "מחירון — מכון גפן להתפתחות הילד"

CHUNKS = [
    (
        POLICY,
        "2. ביטול תור",
        "2. ביטול תור\n"
        "2.1 מפגש טיפול — קלינאות תקשורת או ריפוי בעיסוק, במכון או אונליין — אפשר לבטל ללא חיוב עד 24 שעות "
        "לפני מועדו. ביטול מאוחר יותר מחויב ב-50% ממחיר המפגש.\n"
        "2.2 ביקור בית אפשר לבטל ללא חיוב עד 48 שעות לפני מועדו. ביטול מאוחר יותר מחויב במחיר המלא של הביקור.\n"
        "2.3 הערכה התפתחותית, פגישה עם הנוירולוגית וכל אבחון אחר אפשר לבטל ללא חיוב עד 72 שעות לפני מועדם. "
        "ביטול מאוחר יותר מחויב בדמי ביטול של 250 ₪.",
    ),
    (
        POLICY,
        "3. חריגים",
        "3. חריגים\n"
        "3.1 ילד עם חום של 38 מעלות ומעלה בבוקר יום הטיפול — אין להגיע, וביטול עד השעה 08:00 באותו בוקר אינו "
        "מחויב גם בלי אישור רפואי.\n"
        "3.2 אשפוז של הילד, עם אישור רפואי: אין דמי ביטול.",
    ),
    (
        PRICES,
        "קלינאות תקשורת",
        "קלינאות תקשורת\nטיפול | מפגש בודד | סדרה של 10\n"
        "טיפול: קלינאות תקשורת — 30 דקות, במכון · מפגש בודד: 240 ₪ · סדרה של 10: 2,100 ₪\n"
        "טיפול: קלינאות תקשורת — 45 דקות, במכון · מפגש בודד: 320 ₪ · סדרה של 10: 2,900 ₪\n"
        "טיפול: קלינאות תקשורת — 45 דקות, ביקור בית · מפגש בודד: 440 ₪ · סדרה של 10: 4,000 ₪",
    ),
    (
        PRICES,
        "ריפוי בעיסוק",
        "ריפוי בעיסוק\nטיפול | מפגש בודד | סדרה של 10\n"
        "טיפול: ריפוי בעיסוק — 45 דקות, במכון · מפגש בודד: 330 ₪ · סדרה של 10: 3,000 ₪\n"
        "טיפול: ריפוי בעיסוק — 45 דקות, ביקור בית · מפגש בודד: 470 ₪ · סדרה של 10: 4,300 ₪",
    ),
    (
        PRICES,
        "אבחונים",
        "אבחונים\nאבחון | מחיר\nאבחון: אבחון משותף של קלינאית תקשורת ומרפאה בעיסוק, כולל שיחת סיכום · מחיר: 1,900 ₪",
    ),
]
ALIASES = {"ריפוי בעיסוק": ["מרפאה בעיסוק", "מרפא בעיסוק", "OT"], "קלינאות תקשורת": ["קלינאית תקשורת"]}
CONFIG = TenantConfig.model_validate(
    {
        "slug": "gefen",
        "name": "מכון גפן להתפתחות הילד",
        "agent": {
            "answer_mode": "extractive",
            "services": ["קלינאות תקשורת", "ריפוי בעיסוק", "אבחון"],
            "service_aliases": ALIASES,
        },
    }
)


def ask(question: str, now: datetime = SUNDAY) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library(), now=now)


def cited(reply: Reply) -> list[str]:
    assert reply.status == "answered", reply
    return [c.passage.section.split(" › ")[-1] for c in reply.citations]


# -- a question about the conditions of booking is not a booking ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "עד גיל כמה קובעים תור להערכה התפתחותית?",
        "מאיזה גיל אפשר לקבוע תור לריפוי בעיסוק?",
        "כמה זמן מראש צריך לקבוע תור לאבחון?",
        "איך קובעים תור לקלינאית תקשורת?",
    ],
)
def test_asking_the_conditions_of_booking_is_a_question(text):
    got = understand_text(text, now=SUNDAY, services=["ריפוי בעיסוק", "קלינאות תקשורת", "אבחון"])
    assert got.intent != "appointment_request"


@pytest.mark.parametrize("text", ["אפשר לקבוע תור לריפוי בעיסוק?", "אני רוצה לקבוע תור לקלינאית תקשורת ביום שני ב-10"])
def test_asking_for_an_appointment_is_still_a_booking(text):
    got = understand_text(text, now=SUNDAY, services=["ריפוי בעיסוק", "קלינאות תקשורת"])
    assert got.intent == "appointment_request"


# -- a child's emergency in a parent's words ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "הבן שלי רועד כולו ולא מגיב כבר כמה דקות",
        "התינוק הפסיק לנשום",
        "השפתיים שלו כחולות והוא בקושי זז",
        "היא נחנקה מענב",
        "נתקע לו משהו בגרון",
        "הילדה מפרכסת על הרצפה",
        "העיניים שלה מתגלגלות למעלה והיא לא מגיבה",
        "My son is choking",
        "Мой сын не дышит",
    ],
)
def test_a_childs_emergency_without_the_word_emergency(text):
    assert is_emergency(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "אתם לא מגיבים לי בוואטסאפ כבר יומיים",
        "המכון לא מגיב לטלפונים",
        "כמה עולה הערכה לילד שהיו לו פרכוסים בעבר?",
    ],
)
def test_a_business_that_does_not_answer_is_not_an_emergency(text):
    assert is_emergency(text) is None


# -- a measurement is not a clause number ---------------------------------------------------------------------


def test_a_temperature_is_not_a_clause_and_the_fever_exception_answers():
    reply = ask(
        "הקטנה קמה עם חום 38.2 והטיפול שלה ב-10:30. נבטל עכשיו, זה בלי אישור מרופא?",
        now=datetime(2026, 12, 6, 7, 30, tzinfo=TZ),
    )
    assert cited(reply) == ["3.1"] and "08:00" in reply.text


def test_a_bare_clause_number_is_still_a_clause():
    assert cited(ask("מה כתוב בסעיף 2.2?")) == ["2.2"]
    assert cited(ask("מה אומר 3.2?")) == ["3.2"]


# -- the cancellation window of the service asked about -------------------------------------------------------


def test_a_home_visit_is_judged_by_its_own_window_even_outside_it():
    reply = ask("קבענו ביקור בית לריפוי בעיסוק. אם נבטל 40 שעות מראש, נשלם על זה?")
    assert cited(reply) == ["2.2"] and "48" in reply.text


def test_a_session_is_judged_by_the_session_window():
    reply = ask("אם אני מבטלת מפגש קלינאות תקשורת 30 שעות לפני, יחייבו אותי?")
    assert cited(reply) == ["2.1"] and "24" in reply.text


# -- a length in words picks the row of that many minutes ---------------------------------------------------


@pytest.mark.parametrize(
    ("question", "minutes"),
    [
        ("מפגש של חצי שעה", 30),
        ("טיפול של שעה וחצי", 90),
        ("שלושת רבעי שעה", 45),
        ("מפגש של 45 דקות", 45),
        ("מפגש של שעה", 60),
        ("כמה עולה מפגש?", None),
    ],
)
def test_asked_minutes(question, minutes):
    assert asked_minutes(question) == minutes


def test_half_an_hour_is_the_thirty_minute_row_only():
    reply = ask("חצי שעה של קלינאות תקשורת עולה כמה?")
    assert "240" in reply.text and "320" not in reply.text and "440" not in reply.text


# -- an alias that shares a word with the name -------------------------------------------------------------


def test_an_alias_sharing_a_word_with_the_name_is_read_as_the_name():
    assert hebrew_alias_terms("מה המחיר למרפאה בעיסוק שמגיעה הביתה?", ALIASES) == "ריפוי בעיסוק"
    assert named_by_service("ביקור בית של מרפאה בעיסוק", ALIASES) == "ביקור בית של ריפוי בעיסוק"
    # The name itself, or a part of it, is left alone.
    assert named_by_service("ביקור בית של ריפוי בעיסוק", ALIASES) == "ביקור בית של ריפוי בעיסוק"


def test_the_home_visit_of_the_service_the_alias_names():
    reply = ask("מרפא בעיסוק שבא הביתה, ביקור בית, כמה זה עולה?")
    assert "470" in reply.text and "1,900" not in reply.text and "440" not in reply.text


# -- a follow-up that names nothing asks about the thing before it ------------------------------------------


def test_an_unlisted_treatment_with_a_follow_up_price_question_is_refused():
    reply = ask("אתם עושים טיפול במוזיקה? ומה המחיר לפגישה?")
    assert reply.status == "not_found" and "₪" not in reply.text


# -- a staff list: whom an item is about, an hours row with an empty note, sentences as good as each other ------

HOURS = "שעות פעילות והצוות — מכון גפן להתפתחות הילד"
STAFF_CHUNKS = [
    (
        HOURS,
        "הצוות",
        "הצוות\n"
        'ד"ר נעמה אלון — נוירולוגית ילדים. מקבלת ביום שני 14:00–20:00 וביום רביעי 08:00–13:00.\n'
        "ג'מיל ח'ורי — מרפא בעיסוק. ויסות חושי ומוטוריקה עדינה. עובד בימים א', ג' וה'.\n"
        "ענבל רז — קלינאית תקשורת. עובדת בימים א'–ה'.",
    ),
    (
        HOURS,
        "שעות הפעילות",
        "שעות הפעילות\nיום | שעות\nיום: ראשון · שעות: 08:00–18:00\nיום: חמישי · שעות: 08:00–16:00",
    ),
    (
        HOURS,
        "הגעה וחניה",
        "הגעה וחניה\nחניון הגפן מתחת לבניין: שעתיים חניה חינם עם אישור מהקבלה. ברחוב הגפן יש חניה בכחול-לבן.",
    ),
]


def ask_staff(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(STAFF_CHUNKS).library(), now=SUNDAY)


def test_later_sentences_of_an_item_carry_whom_it_is_about():
    # (since clinic15 the quoted sentence also names him: "ג'מיל ח'ורי — עובד בימים …")
    units = [u for u in clause_units(STAFF_CHUNKS[0][2]) if "עובד בימים" in u.text]
    assert units and "ג'מיל ח'ורי" in units[0].context
    reply = ask_staff("ג'מיל ח'ורי נמצא במכון בשלישי?")
    assert reply.status == "answered" and "א', ג' וה'" in reply.text


def test_a_doctors_days_are_the_sentence_that_says_them():
    reply = ask_staff('ד"ר נעמה אלון נמצאת ביום שני?')
    assert "14:00" in reply.text


def test_a_day_and_a_time_of_day_are_answered_by_that_days_row():
    reply = ask_staff("נוכל לבוא ביום חמישי בסביבות ארבע וחצי, אחרי הצהרון?")
    assert reply.status == "answered" and "16:00" in reply.text and "18:00" not in reply.text
    assert len(reply.citations) == 1


def test_two_sentences_that_answer_as_well_as_each_other_are_both_quoted():
    reply = ask_staff("יש חניה ליד המכון?")
    assert "חניון" in reply.text and "כחול-לבן" in reply.text


# -- Arabic aliases with the article, the languages a therapist speaks -------------------------------------


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("هل التقييم التطوري مناسب لابني؟", "הערכה התפתחותית"),
        ("بدي موعد للعلاج الوظيفي", "ריפוי בעיסוק"),
        ("وين معالجة النطق؟", "קלינאות תקשורת"),
    ],
)
def test_an_arabic_alias_with_the_article_or_a_particle(question, name):
    aliases = {
        "הערכה התפתחותית": ["تقييم تطوري"],
        "ריפוי בעיסוק": ["العلاج الوظيفي"],
        "קלינאות תקשורת": ["معالجة نطق"],
    }
    assert alias_terms(question, aliases) == name


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Мой сын плохо говорит по-английски, есть терапевт на русском?", "רוסית"),
        ("Do you have a speech therapist who speaks Arabic?", "ערבית"),
        ("Можно ли заниматься на дому?", "ביקור בית"),
        ("هل يوجد معالج يتكلم الروسية؟", "רוסית"),
    ],
)
def test_the_language_a_therapist_speaks_and_a_home_visit_are_searched_in_hebrew(question, term):
    assert term in hebrew_terms(question)


def test_a_russian_question_about_a_russian_speaking_therapist_quotes_her():
    chunks = [
        *STAFF_CHUNKS,
        (HOURS, "הצוות", "הצוות\nאלה גורדון — קלינאית תקשורת, מדברת גם רוסית. עובדת בימים ב' וד'."),
    ]
    reply = answer(
        "Нам нужна специалистка, которая говорит на русском. Кто у вас есть?",
        config=CONFIG,
        library=FakeLibrary(chunks).library(),
        now=SUNDAY,
    )
    assert "אלה גורדון" in reply.text


# -- negative: each rule above, where it must not apply (review of the clinic6 merge) -----------------------

# A dental clinic's cancellation policy: a general window and one of long treatments whose clause opens with
# 'ביטול' (words a clause opens with, or lacks, name no service).
DENTAL = "מדיניות ביטולים — מרפאת שן וחיוך"
DENTAL_CHUNKS = [
    (
        DENTAL,
        "1. תורים רגילים",
        "1. תורים רגילים\n"
        "1.1 תור לבדיקה, לניקוי אבנית, לסתימה או לטיפול קצר אחר אפשר לבטל או להזיז ללא חיוב עד 24 שעות לפני "
        "מועדו.\n"
        "1.2 תור שבוטל פחות מ-24 שעות לפני מועדו יחויב בדמי ביטול של 100 ₪.",
    ),
    (
        DENTAL,
        "2. טיפולים ארוכים",
        "2. טיפולים ארוכים\n"
        "2.1 תור לטיפול שורש או לכתר נקבע לזמן ארוך, ולכן יש לבטלו 48 שעות לפחות לפני מועדו.\n"
        "2.2 ביטול של תור כזה פחות מ-48 שעות לפני מועדו יחויב בדמי ביטול של 250 ₪.",
    ),
]


def ask_dental(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(DENTAL_CHUNKS).library(), now=SUNDAY)


def test_a_cancellation_that_names_no_service_stays_on_the_general_clause():
    reply = ask_dental("אם אני מבטלת תור 30 שעות לפני, יחייבו אותי?")
    assert reply.status != "answered" or ("2.2" not in cited(reply) and "250" not in reply.text)


def test_a_long_treatment_named_in_the_question_takes_its_own_window():
    reply = ask_dental("צריכה לבטל טיפול שורש 30 שעות לפני, כמה זה יעלה?")
    assert "250" in reply.text


def test_a_service_named_late_in_its_clause_still_decides():
    # 'אבחון' is the eighth word of its clause; the session clause (24 hours) would let the asker cancel free.
    reply = ask("נצטרך לבטל אבחון 50 שעות לפני המועד. יגבו מאיתנו כסף?")
    assert cited(reply) == ["2.3"] and "250" in reply.text


def test_a_cancellation_of_an_appointment_that_names_no_service_is_not_the_home_visit():
    reply = ask("אם אני מבטלת תור 30 שעות לפני, יחייבו אותי?")
    assert "2.2" not in cited(reply) if reply.status == "answered" else True
    assert "המחיר המלא" not in reply.text


# Another tenant's aliases: an eye clinic, a sports clinic, a renovator.
EYE_ALIASES = {
    "בדיקת ראייה": ["בדיקת עיניים", "אופטומטריסט"],
    "בדיקת עיניים לילדים": ["רופאת ילדים"],
}
SPORT_ALIASES = {"ניתוח ריצה": ["מעבדת ריצה"], "פיזיותרפיה": ["פיזיו"]}
RENOVATE_ALIASES = {"שיפוץ מטבח": ["מטבח"], "שיפוץ דירה": ["שיפוץ קומפלט", "שיפוץ כל הדירה"]}


@pytest.mark.parametrize(
    ("question", "aliases"),
    [
        ("כמה עולה בדיקת עיניים לילדים?", EYE_ALIASES),  # an alias inside another service's own name
        ("מתי יש רופאת ילדים?", EYE_ALIASES),  # a person asked of herself
        ("איפה נמצאת מעבדת ריצה?", SPORT_ALIASES),  # a place asked of itself
        ("כמה עולה שיפוץ קומפלט של מטבח?", RENOVATE_ALIASES),  # followed by another service: a kitchen
    ],
)
def test_an_alias_is_not_rewritten_where_it_names_something_else(question, aliases):
    assert named_by_service(question, aliases) == question
    assert hebrew_alias_terms(question, aliases) == ""


@pytest.mark.parametrize(
    ("question", "aliases", "rewritten"),
    [
        ("כמה עולה בדיקת עיניים?", EYE_ALIASES, "כמה עולה בדיקת ראייה?"),
        ("כמה עולה שיפוץ קומפלט?", RENOVATE_ALIASES, "כמה עולה שיפוץ דירה?"),
        ("כמה עולה פיזיו?", SPORT_ALIASES, "כמה עולה פיזיותרפיה?"),
    ],
)
def test_an_alias_on_its_own_is_still_the_service(question, aliases, rewritten):
    assert named_by_service(question, aliases) == rewritten


def test_a_question_that_names_a_person_or_what_to_bring_is_not_answered_by_the_days_hours():
    for question in ("יש לי תור ביום חמישי ב-17:00, מה צריך להביא להערכה?", "הנוירולוגית מקבלת ביום חמישי ב-17:00?"):
        reply = ask_staff(question)
        assert "08:00–16:00" not in reply.text, question


def test_a_time_of_day_on_a_day_is_the_row_alone():
    chunks = [
        *STAFF_CHUNKS,
        (HOURS, "שעות הפעילות", "שעות הפעילות\nיום | שעות\nיום: שישי · שעות: 08:00–12:00"),
        (POLICY, "4. אי-הגעה", "4. אי-הגעה\n4.1 מי שלא הגיע לתור בלי להודיע מראש יחויב במחיר המפגש המלא."),
    ]
    reply = answer(
        "אפשר להגיע ביום שישי בשמונה בבוקר?", config=CONFIG, library=FakeLibrary(chunks).library(), now=SUNDAY
    )
    assert "12:00" in reply.text and "4.1" not in cited(reply) and len(reply.citations) == 1


def test_a_measurement_after_a_prefixed_measure_word_is_not_a_clause():
    reply = ask(
        "יש לו שיעול וחום 38.5 והמפגש ב-11:00. אם אני מבטלת עכשיו, צריך אישור רופא?",
        now=datetime(2026, 12, 6, 7, 0, tzinfo=TZ),
    )
    assert cited(reply) == ["3.1"]


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("הבת שלי בת 2.5 ולא מדברת, מה עושים?", None),
        ("בחום 38.5 אפשר לבטל את המפגש של היום בלי לשלם?", None),
        ("הילד עם 38.5 חום, אם אבטל את המפגש משלמים?", None),
        ("יש לו שיעול וחום 38.5", None),
        ("הבן שלי בן 2.3, אפשר לבטל לו את המפגש?", None),
        ('הוא שוקל 12.5 ק"ג', None),
        ("מה אומר 2.3?", "2.3"),
        ("מה כתוב ב-2.3 על ביטול?", "2.3"),
    ],
)
def test_an_age_or_a_measure_is_not_a_clause_number(question, clause):
    from sochen.agents.answering.extractive import _asked_clause

    assert _asked_clause(question) == clause


def test_a_length_no_row_of_the_service_has_is_not_taken_out():
    reply = ask("כמה עולה ריפוי בעיסוק של חצי שעה?")  # only speech therapy has 30-minute rows
    assert "330" not in reply.text and "470" not in reply.text


def test_a_follow_up_asks_the_price_of_the_thing_offered_not_of_its_qualifiers():
    reply = ask("יש אצלכם ריפוי בעיסוק לבת שלי שמתקשה בכתיבה? כמה עולה מפגש?")
    assert reply.status == "answered" and "330" in reply.text
    reply = ask("יש לכם קלינאית תקשורת שמדברת רוסית? כמה עולה מפגש?")  # the price does not depend on the language
    assert reply.status == "answered" and "₪" in reply.text


@pytest.mark.parametrize(
    "question",
    ["Вы сейчас заняты?", "Извините, я занята, напишу позже", "У вас занято?"],
)
def test_busy_in_russian_is_not_a_session(question):
    assert "מפגש" not in hebrew_terms(question)


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Сколько стоят занятия с эрготерапевтом?", "מפגש"),
        ("Кто у вас говорит по-английски?", "אנגלית"),
        ("Is there someone who speaks French?", "צרפתית"),
        ("في أحد بيحكي عبري؟", "עברית"),
        ("هل يوجد معالج يتحدث الإنجليزية؟", "אנגלית"),
    ],
)
def test_every_language_and_session_word_not_only_a_scenarios(question, term):
    assert term in hebrew_terms(question)
