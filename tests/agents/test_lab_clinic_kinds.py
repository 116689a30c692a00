"""Kinds a medical laboratory whose patients write in Hebrew, Arabic and English showed the model-free agent
getting wrong, as general rules.

A question about cancelling in the writer's own future or past ('אם אבטל את ביקור הבית ב-20:00') is a question
about the cancellation rule, not a request for the clock time it names. 'How many hours', 'כמה שעות', 'كم ساعة'
ask how long something lasts, not the opening hours. English and Arabic words of a laboratory's patients (fast,
results, صوم, نتائج, تحويل) find the Hebrew clause that answers. A fake lexical library; no database, no model.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.language import hebrew_terms
from sochen.agents.extract import understand_text
from sochen.config import TenantConfig
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

TZ = ZoneInfo("Asia/Jerusalem")
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=TZ)
POLICIES = "נהלים — מעבדת הכרמל לבדיקות רפואיות"
PRICES = "מחירון — מעבדת הכרמל לבדיקות רפואיות"
HOURS = "שעות פעילות — מעבדת הכרמל לבדיקות רפואיות"

CHUNKS = [
    (
        POLICIES,
        "1. הכנה לבדיקה וצום › 1.1",
        "1.1 לבדיקת סוכר בצום ולפרופיל שומנים יש לצום 10 עד 14 שעות לפני הדגימה. בזמן הצום מותר לשתות מים בלבד.",
    ),
    (POLICIES, "1. הכנה לבדיקה וצום › 1.2", "1.2 לספירת דם ולבדיקת הריון בדם אין צורך בצום."),
    (POLICIES, "2. מועד התוצאות › 2.1", "2.1 תוצאות של ספירת דם ושל בדיקת שתן — בתוך יום עבודה אחד."),
    (POLICIES, "2. מועד התוצאות › 2.2", "2.2 תוצאות של ויטמין D ושל ויטמין B12 — בתוך 4 ימי עבודה."),
    (POLICIES, "3. ביקור בית › 3.2", "3.2 אפשר לבטל ביקור בית ללא חיוב עד השעה 19:00 ביום שלפני הביקור."),
    (POLICIES, "3. ביקור בית › 3.3", "3.3 ביטול ביקור בית אחרי 19:00 ביום שלפני הביקור מחויב ב-120 ₪."),
    (
        PRICES,
        "בדיקות דם (מבוגר / ילד)",
        "בדיקות דם (מבוגר / ילד)\nבדיקה | מבוגר | ילד\n"
        "בדיקה: ספירת דם מלאה (CBC) · מבוגר: 50 ₪ · ילד: 65 ₪\n"
        "בדיקה: סוכר בצום · מבוגר: 35 ₪ · ילד: 45 ₪",
    ),
    (HOURS, "שעות הדגימה", "שעות הדגימה\nיום: ראשון · שעות דגימה: 07:00–11:30\nיום: שני · שעות דגימה: 07:00–11:30"),
]
CONFIG = TenantConfig.model_validate(
    {
        "slug": "carmel-lab",
        "name": "מעבדת הכרמל",
        "agent": {
            "answer_mode": "extractive",
            "services": ["בדיקת דם", "ביקור בית"],
            "service_aliases": {"ביקור בית": ["home visit", "زيارة بيتية"]},
        },
    }
)


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library(), now=SUNDAY)


def understand(text: str):
    return understand_text(
        text, now=SUNDAY, services=CONFIG.agent.services, service_aliases=CONFIG.agent.service_aliases
    )


# -- a cancellation asked in the writer's own future or past is a question, not a booking ---------------------


@pytest.mark.parametrize(
    "text",
    [
        "אם אבטל את ביקור הבית ב-20:00 בערב של היום שלפני, אצטרך לשלם משהו?",
        "ביטלתי את ביקור הבית אתמול ב-21:00, תחייבו אותי?",
    ],
)
def test_a_cancellation_question_with_a_clock_time_is_not_a_booking(text):
    assert understand(text).intent != "appointment_request"


# -- how many hours is a length of time, not the opening hours --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Do I need to fast before a cholesterol test? For how many hours?",
        "هل لازم أصوم قبل فحص السكر؟ كم ساعة؟",
    ],
)
def test_how_many_hours_asks_a_duration_not_the_opening_hours(text):
    assert understand(text).intent != "hours_question"


@pytest.mark.parametrize("text", ["What are your opening hours on Monday?", "כמה שעות אתם פתוחים ביום שני?"])
def test_the_opening_hours_are_still_an_hours_question(text):
    assert understand(text).intent in ("hours_question", "price_question")
    assert "document_question:duration_asked" not in understand(text).signals


# -- English and Arabic words of a laboratory's patients ---------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "term"),
    [("fasting", "צום"), ("results", "תוצאות"), ("أصوم", "צום"), ("النتائج", "תוצאות"), ("تحويل", "הפניה")],
)
def test_laboratory_words_have_hebrew_search_terms(word, term):
    assert term in hebrew_terms(f"{word} ?")


def test_an_english_fasting_question_quotes_the_fasting_clause():
    reply = ask("Do I need to fast before a cholesterol test? For how many hours?")
    assert reply.status == "answered", reply
    assert "10 עד 14" in reply.text
    assert reply.citations and "1.1" in reply.citations[0].passage.section


def test_an_english_results_question_quotes_the_results_clause():
    reply = ask("How long does it take to get vitamin D results?")
    assert reply.status == "answered", reply
    assert "4 ימי עבודה" in reply.text


# -- 'كم ساعة' asks how many hours, not a price -------------------------------------------------------------------


def test_arabic_how_many_hours_is_not_a_price():
    assert "מחיר" not in hebrew_terms("هل لازم أصوم قبل فحص السكر؟ كم ساعة؟")
    assert "מחיר" in hebrew_terms("كم سعر فحص السكر؟")


def test_an_arabic_fasting_question_quotes_the_fasting_clause_not_the_price_row():
    reply = ask("هل لازم أصوم قبل فحص السكر؟ كم ساعة؟")
    assert reply.status == "answered", reply
    assert "10 עד 14" in reply.text
    assert "₪" not in reply.text


# -- a range of named days covers the days between; a section of a special period is not the usual hours ----------

HOURS_CHUNKS = [
    (
        HOURS,
        "שעות הדגימה",
        "שעות הדגימה\nיום | שעות דגימה\nיום: ראשון · שעות דגימה: 07:00–11:30\nיום: שלישי · שעות דגימה: 07:00–11:30",
    ),
    (
        HOURS,
        "שעות המשרד (תוצאות וקבלות)",
        "שעות המשרד (תוצאות וקבלות)\nיום | שעות המשרד\nיום: ראשון–חמישי · שעות המשרד: 08:30–17:00\n"
        "יום: שישי · שעות המשרד: 08:30–12:30",
    ),
    (
        HOURS,
        "שעות בתקופת החגים",
        "בתקופת החגים שעות הדגימה הן 08:00–10:30. המשרד פתוח בימים ראשון עד חמישי 09:00–13:00.",
    ),
]


def test_a_named_day_range_row_answers_a_day_inside_it_and_a_special_period_does_not():
    reply = answer(
        "עד מתי המשרד פתוח ביום שלישי?",
        config=CONFIG,
        library=FakeLibrary(HOURS_CHUNKS).library(),
        now=SUNDAY,
        intent="hours_question",
    )
    assert reply.status == "answered", reply
    assert "17:00" in reply.text
    assert "13:00" not in reply.text


def test_the_special_period_answers_when_it_is_asked():
    reply = answer(
        "מה שעות הדגימה בתקופת החגים?",
        config=CONFIG,
        library=FakeLibrary(HOURS_CHUNKS).library(),
        now=SUNDAY,
        intent="hours_question",
    )
    assert reply.status == "answered", reply
    assert "10:30" in reply.text


# -- a cancellation deadline by the clock: the asked time falls on one side of it -----------------------------------


@pytest.mark.parametrize(
    ("question", "shown", "clause"),
    [
        ("אם אבטל את ביקור הבית ב-21:00 בערב של היום שלפני, אצטרך לשלם משהו?", "120 ₪", "3.3"),
        ("אם אבטל את ביקור הבית ב-18:30 ביום שלפני, זה בחינם?", "ללא חיוב", "3.2"),
    ],
)
def test_a_clock_time_is_placed_on_its_side_of_the_cancellation_deadline(question, shown, clause):
    reply = ask(question)
    assert reply.status == "answered", reply
    assert shown in reply.text
    assert clause in reply.citations[0].passage.section


# -- a service the documents give in hours of its own: a booking is checked against them ----------------------------


def test_a_service_given_only_in_some_hours_is_read_from_the_documents():
    from sochen.agents.hours import is_open, service_hours_from_documents
    from sochen.config.sections.agent import OpeningHours

    lab = OpeningHours(sunday=["07:00-12:00"], monday=["07:00-12:00"], tuesday=["07:00-12:00"], friday=["07:00-10:00"])
    text = (
        "3.1 ביקור בית נקבע לפחות יום מראש, בימים ראשון עד שלישי, בין 07:00 ל-09:30 בלבד.\n"
        "3.2 אפשר לבטל ביקור בית ללא חיוב עד השעה 19:00 ביום שלפני הביקור."
    )
    own = service_hours_from_documents([text], ["בדיקת דם", "ביקור בית"], lab)
    assert set(own) == {"ביקור בית"}
    visit = own["ביקור בית"]
    assert is_open(datetime(2026, 12, 8, 9, 0, tzinfo=TZ), visit)  # Tuesday 09:00
    assert not is_open(datetime(2026, 12, 8, 10, 30, tzinfo=TZ), visit)  # Tuesday 10:30: the lab is open, visits not
    assert not is_open(datetime(2026, 12, 11, 8, 0, tzinfo=TZ), visit)  # Friday: no home visits


def test_a_sentence_with_hours_but_no_only_sets_no_service_hours():
    from sochen.agents.hours import service_hours_from_documents
    from sochen.config.sections.agent import OpeningHours

    lab = OpeningHours(sunday=["07:00-12:00"], monday=["07:00-12:00"])
    text = "ביקור בית אפשר לתאם בטלפון בין 08:00 ל-16:00."
    assert service_hours_from_documents([text], ["ביקור בית"], lab) == {}


# -- 'כמה אצטרך לשלם' asks a price like 'כמה עולה' -------------------------------------------------------------


REFERRAL_CHUNKS = [
    (
        PRICES,
        "בדיקות עם הפניה של קופת חולים / פרטי",
        "בדיקות עם הפניה של קופת חולים / פרטי\nבדיקה | עם הפניה של קופת חולים בהסדר (כללית, מאוחדת) | פרטי\n"
        "בדיקה: פאנל בדיקות שגרה (ספירת דם, סוכר, שומנים) · עם הפניה של קופת חולים בהסדר (כללית, מאוחדת): "
        "35 ₪ השתתפות עצמית · פרטי: 210 ₪\n"
        "בדיקה: בדיקת הריון בדם · עם הפניה של קופת חולים בהסדר (כללית, מאוחדת): 25 ₪ · פרטי: 90 ₪",
    ),
    *CHUNKS,
]


def test_need_to_pay_is_a_price_question_over_the_row_the_story_names():
    reply = answer(
        "יש לי הפניה מכללית לבדיקות שגרה. כמה אצטרך לשלם אצלכם?",
        config=CONFIG,
        library=FakeLibrary(REFERRAL_CHUNKS).library(),
        now=SUNDAY,
        intent="price_question",
    )
    assert reply.status == "answered", reply
    assert "35 ₪" in reply.text


# -- the maabada example laboratory's own documents, where the kinds hang on how the real chunks fall -------------

MAABADA_CASES = [
    # A referral told first, then 'כמה אצטרך לשלם': the panel's referral price, not the private one.
    ("יש לי הפניה מכללית לבדיקות שגרה. כמה אצטרך לשלם אצלכם?", ["30 ₪"], []),
    # The office's row 'ראשון–חמישי' for Tuesday, not the Ramadan sentence nor the sampling hours.
    ("עד מתי המשרד פתוח ביום שלישי?", ["16:00"], ["14:00", "11:00"]),
    # 20:00 the evening before is after the 18:00 deadline: clause 3.3's fee.
    ("אם אבטל את ביקור הבית ב-20:00 בערב של היום שלפני, אצטרך לשלם משהו?", ["100 ₪"], []),
]


@pytest.fixture
def maabada(any_database_url):
    from tests.agents._example_tenants import ingest_examples

    return ingest_examples(any_database_url, "maabada")


def test_maabada_questions(maabada):
    from sochen.agents.ask import ask as ask_tenant
    from sochen.config import get_settings

    for question, shown, hidden in MAABADA_CASES:  # one ingestion for all of them
        got = ask_tenant(get_settings(), "maabada", question, retriever=maabada, sensitive=False).as_dict()
        assert got["status"] == "answered", (question, got)
        text = got["answer"]
        assert all(s in text for s in shown) and not any(h in text for h in hidden), (question, text)


# -- a name in Latin letters in parentheses is the row's other name, not an aside ------------------------------


@pytest.mark.parametrize(
    ("question", "price"),
    [
        ("مرحبا، كم سعر فحص CBC لطفل عمره 5 سنوات؟", "65 ₪"),
        ("כמה עולה CBC למבוגר?", "50 ₪"),
    ],
)
def test_a_latin_name_in_parentheses_names_the_row(question: str, price: str) -> None:
    """'ספירת דם מלאה (CBC)': 'CBC' is the test's own name in another script, which an Arabic (or English) question
    gives alone; an aside in Hebrew words ('(בנוסף לניקוי)') still does not name its row. (maabada's English
    'HbA1c test for an adult' is the same kind on the real index.)"""
    reply = ask(question)
    assert price in reply.text, reply.text
