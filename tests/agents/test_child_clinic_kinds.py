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
from sochen.agents.answering.language import hebrew_alias_terms, named_by_service
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
        "2.3 אבחון אפשר לבטל ללא חיוב עד 72 שעות לפני מועדו. ביטול מאוחר יותר מחויב בדמי ביטול של 250 ₪.",
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
        "עד איזה גיל אפשר לקבוע תור להערכה התפתחותית?",
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
        "לבן שלי יש הבוקר חום 38.5 והמפגש שלו ב-11:00. אם אני מבטלת עכשיו, אני צריכה להביא אישור רופא?",
        now=datetime(2026, 12, 6, 7, 30, tzinfo=TZ),
    )
    assert cited(reply) == ["3.1"] and "08:00" in reply.text


def test_a_bare_clause_number_is_still_a_clause():
    assert cited(ask("מה כתוב בסעיף 2.2?")) == ["2.2"]
    assert cited(ask("מה אומר 3.2?")) == ["3.2"]


# -- the cancellation window of the service asked about -------------------------------------------------------


def test_a_home_visit_is_judged_by_its_own_window_even_outside_it():
    reply = ask("אם אני מבטלת ביקור בית של ריפוי בעיסוק 30 שעות לפני, יחייבו אותי?")
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
    reply = ask("כמה עולה מפגש קלינאות תקשורת של חצי שעה?")
    assert "240" in reply.text and "320" not in reply.text and "440" not in reply.text


# -- an alias that shares a word with the name -------------------------------------------------------------


def test_an_alias_sharing_a_word_with_the_name_is_read_as_the_name():
    assert hebrew_alias_terms("כמה עולה ביקור בית של מרפאה בעיסוק?", ALIASES) == "ריפוי בעיסוק"
    assert named_by_service("ביקור בית של מרפאה בעיסוק", ALIASES) == "ביקור בית של ריפוי בעיסוק"
    # The name itself, or a part of it, is left alone.
    assert named_by_service("ביקור בית של ריפוי בעיסוק", ALIASES) == "ביקור בית של ריפוי בעיסוק"


def test_the_home_visit_of_the_service_the_alias_names():
    reply = ask("כמה עולה ביקור בית של מרפאה בעיסוק?")
    assert "470" in reply.text and "1,900" not in reply.text and "440" not in reply.text


# -- a follow-up that names nothing asks about the thing before it ------------------------------------------


def test_an_unlisted_treatment_with_a_follow_up_price_question_is_refused():
    reply = ask("יש אצלכם רכיבה טיפולית לילדים? כמה עולה מפגש?")
    assert reply.status == "not_found" and "₪" not in reply.text
