"""Model-free answers on an eye clinic nobody tuned for: kinds the extractive answerer must get right.

Numbered sub-clauses that Markdown joined into one paragraph, a same-day cancellation and minutes of
lateness placed in their policy windows, a contraindication for a stated condition, a Hebrew nickname of a
service, the asked weekday's own row of the hours table, and English/Arabic questions over the Hebrew
documents (clinic words, health funds, plurals). A fake lexical library; no database, no model.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.language import hebrew_alias_terms, hebrew_terms
from sochen.agents.answering.lateness import asked_minutes_late, minutes_window
from sochen.agents.answering.threshold import asked_hours
from sochen.agents.answering.units import clause_units
from sochen.config import TenantConfig
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

POLICY = "מדיניות תורים, ביטולים ואי-הגעה — מרכז העיניים"
HOURS = "שעות פעילות — מרכז העיניים"
PRICES = "מחירון 2026 — מרכז העיניים"
FUNDS = "הסדרי קופות חולים — מרכז העיניים"
CARE = "הכנה לבדיקות והנחיות — מרכז העיניים"

CHUNKS = [
    (
        POLICY,
        "1. קביעת תור ומקדמה",
        "1. קביעת תור ומקדמה\n1.1. תור לבדיקת ראייה ולהתאמת עדשות מגע נקבע בלי מקדמה. 1.2. ניתוח לייזר נקבע רק עם "
        "מקדמה של 1,000 ₪, שמקוזזת ממחיר הניתוח. 1.3. את המקדמה אפשר לשלם באשראי או בקבלה.",
    ),
    (
        POLICY,
        "2. ביטול ושינוי תור",
        "2. ביטול ושינוי תור\n2.1. ביטול או שינוי עד 24 שעות לפני התור — בלי חיוב. 2.2. ביטול או שינוי פחות מ-24 "
        "שעות לפני התור — דמי ביטול של 100 ₪.",
    ),
    (
        POLICY,
        "3. איחור ואי-הגעה",
        "3. איחור ואי-הגעה\n3.1. מי שמאחר ביותר מ-15 דקות — ייתכן שהתור יידחה לסוף היום. 3.2. מי שלא הגיע לתור ולא "
        "הודיע — יחויב ב-150 ₪.",
    ),
    (
        HOURS,
        "שעות פעילות",
        "שעות פעילות\nיום | שעות\nיום: ראשון · שעות: 08:00–19:00\nיום: רביעי · שעות: 08:00–13:00 (חצי יום)\n"
        "יום: שישי · שעות: 08:30–12:30 (בדיקות ראייה בלבד — אין רופאי עיניים)",
    ),
    (HOURS, "שעות פעילות", "ניתוחי לייזר מתבצעים ביום שלישי בבוקר בלבד (08:00–12:00)."),
    (
        PRICES,
        "התאמת עדשות מגע",
        "התאמת עדשות מגע\nסוג | מחיר\nסוג: עדשות רכות · מחיר: 250 ₪\nסוג: עדשות טוריות (לאסטיגמציה) · מחיר: 350 ₪",
    ),
    (
        PRICES,
        "בדיקות",
        "בדיקות\nבדיקה | מחיר\nבדיקה: בדיקת רופא עיניים — מבוגרים · מחיר: 380 ₪\n"
        "בדיקה: בדיקת רופא עיניים לילדים עד גיל 18 · מחיר: 420 ₪",
    ),
    (
        PRICES,
        "הדמיה",
        "הדמיה (עין אחת / שתי העיניים)\nבדיקה | עין אחת | שתי העיניים\n"
        "בדיקה: OCT רשתית · עין אחת: 300 ₪ · שתי העיניים: 450 ₪",
    ),
    (
        PRICES,
        "ניתוחי לייזר",
        "ניתוחי לייזר (עין אחת / שתי העיניים)\nניתוח | עין אחת | שתי העיניים\n"
        "ניתוח: PRK · עין אחת: 3,900 ₪ · שתי העיניים: 6,900 ₪\nניתוח: LASIK · עין אחת: 4,900 ₪ · שתי העיניים: 8,900 ₪",
    ),
    (FUNDS, "מכבי", "מכבי\nבדיקת רופא עיניים בהסדר עם מכבי, בהפניה מרופא המשפחה: השתתפות עצמית של 40 ₪ לרבעון."),
    (
        CARE,
        "לפני ניתוח לייזר",
        "ניתוח לייזר אינו מתאים מתחת לגיל 18, בהריון ובהנקה ובקרטוקונוס (קרנית חרוטית).",
    ),
]

CONFIG = TenantConfig.model_validate(
    {
        "slug": "eyes",
        "name": "מרכז העיניים",
        "agent": {
            "answer_mode": "extractive",
            "services": ["בדיקת רופא עיניים", "ניתוח לייזר", "התאמת עדשות מגע"],
            "service_aliases": {"ניתוח לייזר": ["הסרת משקפיים", "LASIK"], "התאמת עדשות מגע": ["עדשות"]},
        },
    }
)
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))


def ask(question: str, **kw) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library(), now=SUNDAY, **kw)


def cited(reply: Reply) -> list[str]:
    assert reply.status == "answered", reply
    return [c.passage.section for c in reply.citations]


def test_numbered_sub_clauses_on_one_line_are_units_of_their_own():
    units = clause_units(CHUNKS[0][2])
    assert [u.clause for u in units] == ["1.1", "1.2", "1.3"]
    assert units[1].text.startswith("1.2. ניתוח לייזר") and "1.3" not in units[1].text
    # A reference to a clause inside a sentence does not split it.
    ref = clause_units("4.1. כאמור בסעיף 2.3 לעיל, המקדמה אינה מוחזרת.")
    assert len(ref) == 1


def test_the_deposit_clause_of_the_treatment_asked_is_cited():
    reply = ask("צריך לשלם מקדמה כדי לקבוע תור לניתוח לייזר?")
    assert cited(reply)[0] == "1. קביעת תור ומקדמה › 1.2" and "1,000" in reply.text  # not the whole of section 1


def test_a_cancellation_that_same_morning_is_the_less_than_a_day_clause():
    assert asked_hours("אם אני מבטלת תור רק בבוקר של אותו יום, תחייבו אותי?") == 6
    assert asked_hours("אפשר לעשות בדיקה ולייזר באותו יום?") is None  # no cancellation: no window
    reply = ask("אם אני מבטלת תור לרופא עיניים רק בבוקר של אותו יום, תחייבו אותי?")
    assert cited(reply) == ["2. ביטול ושינוי תור › 2.2"] and "100 ₪" in reply.text


@pytest.mark.parametrize(
    ("question", "minutes"),
    [
        ("אני כנראה אאחר לתור בעשרים דקות בגלל הפקקים, עדיין יקבלו אותי?", 20),
        ("מה קורה אם אני מאחרת ברבע שעה?", 15),
        ("I'll be 25 minutes late, is that ok?", 25),
        ("כמה זמן נמשכת הבדיקה? 20 דקות?", None),  # no lateness
    ],
)
def test_minutes_late_are_read(question, minutes):
    assert asked_minutes_late(question) == minutes


def test_minutes_late_are_placed_in_the_lateness_clause():
    assert minutes_window("מי שמאחר ביותר מ-15 דקות — התור יידחה") == (15, float("inf"))
    reply = ask("אני כנראה אאחר לתור בעשרים דקות בגלל הפקקים, עדיין יקבלו אותי?")
    assert cited(reply) == ["3. איחור ואי-הגעה › 3.1"] and "15 דקות" in reply.text


def test_a_contraindication_for_the_stated_condition_is_quoted():
    reply = ask("יש לי קרטוקונוס בעין ימין. אני יכולה לעשות אצלכם ניתוח לייזר?", sensitive=True)
    assert reply.status == "answered" and "אינו מתאים" in reply.text and not reply.handoff


def test_a_hebrew_nickname_of_a_service_adds_its_name_unless_it_spells_the_name():
    aliases = CONFIG.agent.service_aliases
    assert hebrew_alias_terms("כמה עולה הסרת משקפיים?", aliases) == "ניתוח לייזר"
    assert hebrew_alias_terms("כמה עולה להסרת משקפיים בלייזר?", aliases) == "ניתוח לייזר"
    assert hebrew_alias_terms("כמה עולות עדשות?", aliases) == ""  # a word of the name itself finds the row
    assert hebrew_alias_terms("how much is LASIK?", aliases) == ""  # foreign aliases: alias_terms


def test_the_asked_weekday_gets_its_own_row_not_another_days_sentence():
    reply = ask("אפשר להגיע לרופא עיניים ביום שישי בבוקר?", intent="hours_question")
    assert reply.status == "answered"
    assert "12:30" in reply.text and "אין רופאי עיניים" in reply.text and "שלישי" not in reply.text


def test_english_and_arabic_clinic_words_find_the_hebrew_passage():
    assert "שישי" in hebrew_terms("Are you open on Fridays?")
    assert {"מכבי", "רופא", "הסדר"} <= set(hebrew_terms("Any arrangement with Maccabi for the eye doctor?").split())
    maccabi = ask("Do you have an arrangement with Maccabi for a visit to the eye doctor? How much would I pay?")
    assert "40 ₪" in maccabi.text and maccabi.text.startswith("According to our documents")
    children = ask("مرحبا، كم سعر فحص طبيب العيون للأطفال؟")
    assert "420" in children.text and "380" not in children.text


def test_a_product_named_in_latin_letters_picks_its_own_row():
    lasik = ask("כמה עולה LASIK לעין אחת?")
    assert "4,900" in lasik.text and "OCT" not in lasik.text and "PRK" not in lasik.text
    oct_ = ask("מה המחיר של OCT לשתי העיניים?")
    assert "450" in oct_.text and "LASIK" not in oct_.text


def test_latin_words_are_terms_of_a_hebrew_question_only():
    from sochen.agents.answering.extractive import _terms

    idf = FakeLibrary(CHUNKS).library().idf
    hebrew = {v for forms, _ in _terms("כמה עולה LASIK לעין אחת?", idf).forms for v in forms}
    english = {v for forms, _ in _terms("How much is LASIK for one eye?", idf).forms for v in forms}
    assert "lasik" in hebrew and "lasik" not in english  # an English question is weighed by its Hebrew terms
