"""Mends after the review of the archive6 rules, on questions of other archives' kinds.

A count of a plural noun ('2 הזרקות') found no rate 'לכל הזרקה' and was refused, and a deposit clause
('מקדמה בסך ₪300 להלבנת שיניים') stood as a unit price; 'מה גובה X' required money of an area or of hours; two
question words of one predicate quoted a clause per word beside the one that says both; a deposit asked was
completed by the treatment's price row. A fake lexical library; no database.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import answer
from tests.agents._archive_library import CONFIG, FakeLibrary, clauses

pytestmark = pytest.mark.unit

PRICES = "מחירון 2026 — מרכז ספורט"
RULES = "נהלים — מרכז ספורט"
DENTAL = "מחירון טיפולים 2026 — מרפאת שיניים"
CANCEL = "מדיניות ביטול תורים"

CLINIC = [
    (
        PRICES,
        "טיפולים והזרקות",
        "טיפולים והזרקות\nטיפול | מחיר\n"
        "טיפול: הזרקת PRP (פלזמה עשירה בטסיות) — הזרקה בודדת · מחיר: 1,200 ₪\n"
        "טיפול: הזרקת PRP — סדרה של 3 הזרקות · מחיר: 3,000 ₪\n"
        "טיפול: הזרקת סטרואידים בהכוונת אולטרסאונד · מחיר: 550 ₪\n"
        "טיפול: הזרקת חומצה היאלורונית לברך · מחיר: 1,400 ₪",
    ),
    (
        RULES,
        "1. קביעת תור, מקדמה וכרטיסיות",
        "1. קביעת תור, מקדמה וכרטיסיות\n1.1. תור לאורתופד, לרופא ספורט, לפיזיותרפיה ולבדיקות נקבע בלי מקדמה.\n"
        "1.2. הזרקת PRP וסדרת גלי הלם נקבעות עם מקדמה של 300 ₪, שמקוזזת מהמחיר. את המקדמה משלמים בתוך 2 ימי "
        "עסקים מקביעת התור, אחרת התור משתחרר.\n"
        "1.3. כרטיסיית פיזיותרפיה בתוקף 6 חודשים מיום הרכישה. טיפולים שלא נוצלו בתוך 6 החודשים אינם מוחזרים.",
    ),
    (
        DENTAL,
        "אסתטיקה",
        "אסתטיקה\nטיפול | תיאור | מחיר | הערות\n"
        "טיפול: הלבנת שיניים · תיאור: הלבנה במרפאה, טיפול אחד של כשעה וחצי · מחיר: ₪1,800 · הערות: מקדמה ₪300 "
        "בעת קביעת התור",
    ),
    (
        CANCEL,
        "2. טיפולים מורכבים",
        "2. טיפולים מורכבים\n2.3 בעת קביעת תור להלבנת שיניים משולמת מקדמה בסך ₪300. המקדמה מוחזרת במלואה אם התור "
        "בוטל 48 שעות לפחות לפני מועדו.\n2.4 הלבנות ביתיות אינן כלולות במחיר.",
    ),
]

VENTURE = 'הסכם מיזם משותף — סולאר נגב בע"מ ואדמה השקעות בע"מ'
WORK = 'הסכם העסקה אישי — טכנולוגיות מים דרום בע"מ ורונית אלמוג'
SHOP = 'הסכם שכירות חנות בקניון — קניון עמק הארזים בע"מ ולילך אופנה בע"מ'
CONTRACTS = [
    (VENTURE, "מבוא", 'בין: סולאר נגב בע"מ ("סולאר")\nלבין: אדמה השקעות בע"מ ("אדמה")'),
    (
        VENTURE,
        "1. המיזם",
        "1.1 הצדדים מקימים מיזם משותף להקמה ולהפעלה של חוות שמש בהספק של 12 מגה-ואט באזור התעשייה של ירוחם.",
    ),
    (
        VENTURE,
        "5. העברת זכויות ויציאה",
        "5.3 הפר צד את ההסכם הפרה יסודית ולא תיקן את ההפרה בתוך 60 יום מהתראה בכתב, רשאי הצד האחר לרכוש את חלקו "
        "במיזם ב-80% משוויו ההוגן.",
    ),
    (
        VENTURE,
        "6. אי-תחרות",
        '6.1 במשך תקופת המיזם ובמשך 24 חודשים לאחר סיומה לא יקים צד ולא ישקיע בחוות שמש אחרת ברדיוס של 20 ק"מ מהחווה.',
    ),
    (WORK, "מבוא", 'בין: טכנולוגיות מים דרום בע"מ ("החברה")\nלבין: רונית אלמוג ("העובדת")'),
    (
        WORK,
        "3. שכר והטבות",
        "3.1 העובדת תקבל שכר חודשי ברוטו בסך ₪38,000.\n"
        "3.3 השכר כולל תמורה גלובלית לעבודה בשעות נוספות, בהיקף של עד 20 שעות בחודש.",
    ),
    (SHOP, "מבוא", 'בין: קניון עמק הארזים בע"מ ("המשכירה")\nלבין: לילך אופנה בע"מ ("השוכרת")'),
    (
        SHOP,
        "1. המושכר",
        '1.1 המשכירה משכירה לשוכרת את חנות מס\' 214 בקומה השנייה של הקניון, בשטח של 120 מ"ר (להלן: "המושכר").',
    ),
    (
        SHOP,
        "4. דמי ניהול",
        '4.1 השוכרת תשלם לחברת הניהול של הקניון דמי ניהול בסך ₪38 למ"ר לחודש, לפני מע"מ, בעד ניקיון ואבטחה.',
    ),
]


def _ask(question: str, chunks=CLINIC):
    return answer(question, config=CONFIG, library=FakeLibrary(chunks).library())


# 1. A count of a plural noun, priced by the row that names the thing as one unit.


@pytest.mark.parametrize(
    ("question", "price", "total"),
    [
        ("כמה עולות 2 הזרקות PRP בודדות?", "1,200", "₪2,400"),
        ("כמה עולות 2 הזרקות סטרואידים?", "550", "₪1,100"),
        ("כמה עולות 3 הזרקות חומצה היאלורונית לברך?", "1,400", "₪4,200"),
        ("כמה עולות 2 הלבנות שיניים במרפאה?", "1,800", "₪3,600"),
    ],
)
def test_a_count_of_a_thing_the_row_prices_as_one_unit_is_multiplied(question, price, total):
    reply = _ask(question)
    assert reply.status == "answered" and price in reply.text and total in reply.text, reply.text
    assert "₪600" not in reply.text  # never 2 × the ₪300 deposit


def test_a_row_of_a_bundle_or_a_deposit_clause_is_no_unit_price():
    from sochen.agents.answering.compute import times_quantity, unit_row_price

    assert unit_row_price("הזרקות", "טיפול: הזרקת PRP — סדרה של 3 הזרקות · מחיר: 3,000 ₪") is None
    assert unit_row_price("הזרקות", "טיפול: הזרקת PRP — הזרקה בודדת · מחיר: 1,200 ₪") == 1200
    deposit = "2.3 בעת קביעת תור להלבנת שיניים משולמת מקדמה בסך ₪300. המקדמה מוחזרת במלואה."
    assert times_quantity("כמה עולות 2 הלבנות שיניים?", deposit) is None
    assert times_quantity("כמה מקדמה אשלם על 2 הלבנות שיניים?", deposit) is not None  # the deposit asked


def test_a_count_with_no_sure_unit_price_quotes_the_matching_row():
    chunks = [
        (
            PRICES,
            "טיפולים והזרקות",
            "טיפולים והזרקות\nטיפול | בהסדר קופה | פרטי\nטיפול: הזרקות נוגדי דלקת · בהסדר קופה: 380 ₪ · פרטי: 480 ₪",
        ),
        (RULES, "1. קביעת תור", "1. קביעת תור\n1.1. תור נקבע בטלפון או באתר."),
    ]
    reply = _ask("כמה עולות 3 הזרקות נוגדי דלקת?", chunks)
    assert reply.status == "answered" and "480" in reply.text and "380" in reply.text, reply.text


def test_a_count_is_not_answered_by_a_clause_whose_amount_is_of_something_else():
    supply = 'הסכם אספקה — מתכות הגליל בע"מ'
    chunks = [
        (supply, "מבוא", 'בין: מתכות הגליל בע"מ ("הספק")\nלבין: אופק מערכות בע"מ ("המזמינה")'),
        (supply, "5. איחור", '5.1 על כל יום איחור במועד האספקה ישלם הספק למזמינה פיצוי מוסכם בסך 2,500 ש"ח.'),
        (supply, "2. ההזמנות", "2.1 המזמינה תזמין מסגרות אלומיניום בהזמנות חודשיות."),
    ]
    reply = _ask("כמה יעלו 2,500 מסגרות?", chunks)
    assert reply.status == "not_found", reply.text


# 2. 'מה גובה X' needs money only of a charge.


@pytest.mark.parametrize(
    ("question", "clause", "fact"),
    [
        ("מה גובה ההספק של חוות השמש?", "1.1", "12 מגה-ואט"),
        ("מה גובה השעות הנוספות שכלולות בשכר של רונית אלמוג?", "3.3", "עד 20 שעות"),
        ("מה גובה השכר של רונית אלמוג?", "3.1", "₪38,000"),  # a charge: its amount in money
    ],
)
def test_the_height_of_a_non_charge_is_any_figure(question, clause, fact):
    reply = _ask(question, CONTRACTS)
    assert reply.status == "answered" and clauses(reply)[0] == clause and fact in reply.text, reply.text


def test_an_area_asked_is_not_multiplied_by_a_fee_per_metre():
    reply = _ask("מה גובה שטח החנות שמשכירה קניון עמק הארזים?", CONTRACTS)
    assert reply.status == "answered" and '120 מ"ר' in reply.text, reply.text
    assert "4,560" not in reply.text and reply.calculation is None, reply.text


def test_the_fee_over_the_whole_area_is_still_multiplied():
    reply = _ask("כמה דמי ניהול משלמת לילך אופנה על כל שטח החנות?", CONTRACTS)
    assert "4,560" in reply.text, reply.text


# 3. Two question words of one predicate: the one clause that says both.


def test_one_clause_answering_both_question_words_is_quoted_alone():
    reply = _ask("לכמה זמן ובאיזה מרחק אסור לצדדים להשקיע בחוות שמש אחרת?", CONTRACTS)
    assert reply.status == "answered" and clauses(reply) == ["6.1"], reply.text


# 4. A deposit asked is not the price row.


def test_a_deposit_asked_is_not_completed_by_the_price_row():
    chunks = [
        *CLINIC[:2],
        (
            RULES,
            "2. ביטול, איחור ואי-הגעה",
            "2. ביטול, איחור ואי-הגעה\n2.1. ביטול או שינוי עד 24 שעות לפני התור — בלי חיוב. 2.2. ביטול או שינוי "
            "פחות מ-24 שעות לפני התור — דמי ביטול של 120 ₪.",
        ),
        (RULES, "5. מה להביא לתור", "5. מה להביא לתור\n5.1. תעודה מזהה וכרטיס קופת חולים."),
    ]
    reply = _ask("מה סכום המקדמה לטיפול PRP?", chunks)
    assert reply.status == "answered" and "300" in reply.text, reply.text
    assert "3,000" not in reply.text and "1,200" not in reply.text, reply.text


def test_a_rate_per_hour_plus_vat_is_still_a_unit_price():
    from sochen.agents.answering.compute import times_quantity

    rates = '3.2 שעות נוספות יחויבו לפי התעריפים השעתיים: שותף — ₪1,200 לשעה; מתמחה — ₪400 לשעה; הכול בתוספת מע"מ.'
    calc = times_quantity("כמה יעלו 4 שעות של מתמחה?", rates)
    assert calc is not None and calc.result == 1600


def test_a_salary_asked_keeps_the_salary_clause_beside_another():
    reply = _ask("כמה משכורת מקבלת רונית אלמוג?", CONTRACTS)
    assert "₪38,000" in reply.text, reply.text
