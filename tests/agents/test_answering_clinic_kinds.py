"""Model-free answers a clinic's patients expect, found on the sportmed tuning pack (sochen.agents.answering).

A Russian question answered from the Hebrew hours table; a foreign message with two questions (a price and a
package) gets both rows; a Hebrew slang name of a service reads as its name; number words are quantities; a
treatment's equally fitting rows are all its prices; the list under a heading that asks the question is the
answer, also behind a clause of background; cancelling 'in advance' and being 'charged' find 'ביטול … לפני …
חיוב', and hours said in words place a cancellation in its window. A fake lexical library; no database.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.threshold import asked_hours
from sochen.config import TenantConfig
from sochen.privacy import BusinessTerms, assess
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

PRICES = "מחירון 2026 — מרכז ספורט"
HOURS = "שעות פעילות — מרכז ספורט"
RULES = "נהלים, הפניות וביטוחים — מרכז ספורט"

CHUNKS = [
    (
        PRICES,
        "פיזיותרפיה (טיפול בודד / כרטיסייה של 10 טיפולים)",
        "פיזיותרפיה (טיפול בודד / כרטיסייה של 10 טיפולים)\nטיפול | טיפול בודד | כרטיסייה של 10\n"
        "טיפול: פיזיותרפיה אורתופדית (45 דקות) · טיפול בודד: 320 ₪ · כרטיסייה של 10: 2,800 ₪\n"
        "טיפול: הידרותרפיה בבריכה טיפולית (45 דקות) · טיפול בודד: 260 ₪ · כרטיסייה של 10: 2,300 ₪",
    ),
    (
        PRICES,
        "טיפולים והזרקות",
        "טיפולים והזרקות\nטיפול | מחיר\n"
        "טיפול: טיפול בגלי הלם (שוקווייב) — טיפול בודד · מחיר: 400 ₪\n"
        "טיפול: טיפול בגלי הלם — סדרה של 5 טיפולים · מחיר: 1,600 ₪\n"
        "טיפול: הזרקת PRP — הזרקה בודדת · מחיר: 1,200 ₪\n"
        "טיפול: הזרקת PRP — סדרה של 3 הזרקות · מחיר: 3,000 ₪",
    ),
    (
        PRICES,
        "אולטרסאונד",
        "אולטרסאונד (אזור אחד / שני אזורים)\nבדיקה | אזור אחד | שני אזורים\n"
        "בדיקה: אולטרסאונד שריר-שלד (כתף, ברך, קרסול) · אזור אחד: 420 ₪ · שני אזורים: 650 ₪",
    ),
    (
        HOURS,
        "שעות פעילות",
        "שעות פעילות\nיום | שעות\nיום: ראשון · שעות: 07:30–20:00\nיום: שלישי · שעות: 07:30–16:00\n"
        "יום: שישי · שעות: 08:00–13:00 (פיזיותרפיה בלבד)",
    ),
    (
        RULES,
        "2. ביטול, איחור ואי-הגעה",
        "2. ביטול, איחור ואי-הגעה\n2.1. ביטול או שינוי עד 24 שעות לפני התור — בלי חיוב. 2.2. ביטול או שינוי פחות "
        "מ-24 שעות לפני התור — דמי ביטול של 120 ₪. 2.3. מי שמאחר ביותר מ-15 דקות — הטיפול יתקצר בהתאם.",
    ),
    (
        RULES,
        "5. מה להביא לתור",
        "5. מה להביא לתור\n5.1. תעודה מזהה וכרטיס קופת חולים. 5.2. בהסדר קופה: הפניה מרופא המשפחה בתוקף. "
        "5.3. צילומים ובדיקות קודמים (רנטגן, MRI) — התקליטור והפענוח. 5.4. לבוש נוח: מכנסיים קצרים לבדיקת ברך.",
    ),
    (HOURS, "ימי קבלה", 'ימי קבלה\nד"ר אלון שגיא, אורתופד: ימים ראשון ורביעי.'),
    (
        PRICES,
        "בדיקות מאמץ",
        'בדיקות מאמץ\nבדיקה | מחיר\nבדיקה: מבחן מאמץ לספורטאים, כולל אק"ג · מחיר: 600 ₪\n'
        "בדיקה: אישור כשירות לאימון · מחיר: 280 ₪",
    ),
    (HOURS, "כתובת והגעה", "כתובת והגעה\nחניה: חניון הבניין, שעה ראשונה חינם עם אישור מהקבלה."),
]

CONFIG = TenantConfig.model_validate(
    {
        "slug": "sportmed",
        "name": "מרכז ספורט",
        "agent": {
            "answer_mode": "extractive",
            "services": ["בדיקת אורתופד", "פיזיותרפיה", "גלי הלם", "הזרקת PRP", "אולטרסאונד"],
            "service_aliases": {
                "פיזיותרפיה": ["פיזיו", "physiotherapy", "физиотерапия"],
                "גלי הלם": ["שוקווייב", "shockwave", "ударно-волновая терапия"],
                "הזרקת PRP": ["PRP"],
            },
        },
    }
)
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))


def ask(question: str, **kw) -> Reply:  # type: ignore[no-untyped-def]
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library(), now=SUNDAY, **kw)


def test_a_russian_question_is_answered_from_the_hebrew_table_in_russian():
    reply = ask("До скольки вы работаете во вторник?")
    assert reply.status == "answered" and "16:00" in reply.text
    assert "документ" in reply.text  # the fixed wording is Russian; the quote stays Hebrew


def test_two_questions_in_a_foreign_message_get_a_row_each():
    reply = ask("Hi, how much is a PRP injection? Is there a package price for a series?")
    assert reply.status == "answered" and "1,200" in reply.text and "3,000" in reply.text


def test_a_services_slang_name_reads_as_its_name():
    reply = ask("מה המחיר של פיזיו אצלכם?")
    assert reply.status == "answered" and "320" in reply.text


def test_number_words_are_quantities_not_words_to_find():
    single = ask("כמה עולה טיפול פיזיותרפיה אחד?")
    assert single.status == "answered" and "פיזיותרפיה אורתופדית" in single.text
    assert "אולטרסאונד" not in single.text  # not the row of the column 'אזור אחד'
    series = ask("האורתופד המליץ לי על סדרה של שלוש הזרקות PRP. כמה זה יעלה לי?")
    assert series.status == "answered" and "3,000" in series.text


def test_a_treatments_equally_fitting_rows_are_all_its_prices():
    reply = ask("כמה עולה אצלכם שוקווייב?")
    assert reply.status == "answered" and "400" in reply.text and "1,600" in reply.text
    assert reply.text.index("400") < reply.text.index("1,600")  # in the price list's order
    assert "3,000" not in reply.text  # another treatment's rows are not its prices


def test_the_list_under_a_heading_that_asks_is_the_answer_also_behind_background():
    for question in ("מה צריך להביא לתור?", "יש לי תור לאורתופד ביום רביעי, מה אני צריך להביא איתי?"):
        reply = ask(question)
        assert reply.status == "answered", question
        assert "תעודה מזהה" in reply.text and "צילומים" in reply.text, question


def test_cancelling_in_advance_and_being_charged_find_the_cancellation_window():
    reply = ask("כמה זמן מראש צריך לבטל תור כדי שלא יחייבו אותי?")
    assert reply.status == "answered" and "24 שעות" in reply.text and "2.1" in reply.citations[0].passage.section
    assert asked_hours("אם אני מבטלת את התור חמש שעות לפני, תחייבו אותי?") == 5
    assert asked_hours("ביטלתי שעתיים לפני") == 2
    late = ask("אם אני מבטלת את התור לפיזיותרפיה חמש שעות לפני, תחייבו אותי?")
    assert late.status == "answered" and "120" in late.text


def test_managing_an_appointment_or_a_refund_is_not_a_health_detail():
    business = BusinessTerms(
        ["פיזיותרפיה אורתופדית 320 ₪. ביטוח משלים (מכבי שלי, כללית מושלם)"], services=["פיזיותרפיה"]
    )
    assert not assess("אם אני מבטלת את התור לפיזיותרפיה חמש שעות לפני, תחייבו אותי?", business=business).sensitive
    assert not assess("יש לי מכבי שלי. אני מקבלת החזר על הפיזיותרפיה אצלכם?", business=business).sensitive
    assert assess("יש לי כאבי גב ואני עושה פיזיותרפיה", business=business).sensitive
    assert assess("אני אחרי ניתוח ומבטלת את התור לפיזיותרפיה", business=business).sensitive


def test_a_price_for_a_thing_no_document_names_is_refused():
    for question in ("כמה עולה עיסוי ספורטאים?", "יש אצלכם עיסוי ספורטאים? כמה עולה עיסוי של שעה?"):
        reply = ask(question)
        assert reply.status == "not_found", (question, reply.text)
        assert "₪" not in reply.text and "נציג" in reply.text
    assert ask("כמה עולה אצלכם שוקווייב?").status == "answered"  # a listed one by its slang is answered


def test_a_foreign_follow_up_that_names_nothing_goes_on_with_the_question_before_it():
    reply = ask("مرحبا، هل المركز مفتوح يوم الجمعة؟ لغاية أي ساعة؟")
    assert reply.status == "answered" and "13:00" in reply.text


def test_two_of_a_body_part_is_that_part_and_a_count():
    reply = ask("כמה עולה אולטרסאונד לשתי הכתפיים?")  # 'כתפיים' is 'כתף', 'לשתי' how many
    assert reply.status == "answered" and "650" in reply.text


def test_a_price_asked_by_the_act_is_not_refused_and_a_span_of_time_is_no_thing_not_offered():
    chunks = [
        ("מחירון — שיפוצים", "צביעה", "צביעה\nעבודה | מחיר\nעבודה: צביעת דירה 4 חדרים · מחיר: 6,500 ₪"),
        ("נהלים — מרכז", "כרטיסיות", "1.3. כרטיסייה בתוקף 6 חודשים. היא אישית ואינה ניתנת להעברה לאדם אחר."),
    ]
    library = FakeLibrary(chunks).library()
    paint = answer("כמה עולה לצבוע דירת 4 חדרים?", config=CONFIG, library=library, now=SUNDAY)
    assert paint.status == "answered" and "6,500" in paint.text  # 'לצבוע' is the price list's 'צביעת'
    summary = answer("עברתי ניתוח לפני חודש. תוכלו לשלוח לי את סיכום הביקור?", config=CONFIG, library=library)
    assert "אינה ניתנת להעברה" not in summary.text  # the card's months are not 'a month ago'
