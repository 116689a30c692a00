"""Kinds of question about contracts the first example archive did not have (issue 16, archive2).

A total with VAT asked as 'מה X כולל מע"מ', a year of a monthly fee with VAT on top, several percentages of
the question's own amount added up, a table's column added up over its records, the record whose band holds
the question's figure, a date the question gives plus the period a clause states, the most a capped clause
allows as a share of a defined amount; two-part questions that keep every part's clause; 'כמה <noun>' answered
by a count; a document named as 'הסכם הX' or 'ובהסכם X'; English questions that name their document.
On a small Hebrew archive of its own (a fake lexical library, no database, no model).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.compute import asks_for_vat_total, states_period, vat_rate
from sochen.agents.answering.derive import date_after, given_date, rates_together
from sochen.agents.answering.tables import band_of, banded_rate, column_total
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

LOAN = 'הסכם אשראי ספקים — גלבוע מתכות בע"מ'
CLUB = 'הסכם מנוי ושירות — מרכז כושר אלון בע"מ'
STORE = 'הסכם הפעלת חנות — רשת ספרי הדר בע"מ'
WORKS = "חוזה שיפוץ — בית העם קריית טבעון"

CHUNKS = [
    (LOAN, "2. האשראי › 2.1", '2. האשראי\n2.1 הספק יעמיד ללקוח אשראי בסך ₪400,000 (להלן: "סכום האשראי").'),
    (LOAN, "3. ההחזר › 3.1", "3. ההחזר\n3.1 האשראי יוחזר בשלושה תשלומים, לפי לוח התשלומים שלהלן:"),
    (
        LOAN,
        "3. ההחזר › 3.1",
        "מועד | קרן | ריבית | סך התשלום\n"
        "מועד: 30/06/2026 · קרן: ₪150,000 · ריבית: ₪12,000 · סך התשלום: ₪162,000\n"
        "מועד: 31/12/2026 · קרן: ₪150,000 · ריבית: ₪7,500 · סך התשלום: ₪157,500\n"
        "מועד: 30/06/2027 · קרן: ₪100,000 · ריבית: ₪3,000 · סך התשלום: ₪103,000",
    ),
    (LOAN, "3. ההחזר › 3.2", "3.2 הלקוח רשאי להחזיר את האשראי לפני המועד בהודעה בכתב של 45 יום."),
    (LOAN, "5. ריבית › 5.1", "5. ריבית\n5.1 הריבית תחושב על יתרת האשראי ותשולם יחד עם כל תשלום לפי הלוח."),
    (LOAN, "5. ריבית › 5.2", "5.2 על כל סכום שלא ישולם במועדו תיווסף ריבית פיגורים בשיעור של 1.5% לחודש."),
    (LOAN, "9. שיפוט › 9.1", "9. שיפוט\n9.1 לבית המשפט המוסמך בנצרת תהיה סמכות השיפוט הייחודית."),
    (
        CLUB,
        "4. דמי המנוי › 4.1",
        '4. דמי המנוי\n4.1 המנוי ישלם דמי מנוי חודשיים בסך ₪12,500, בתוספת מע"מ כדין (18% במועד החתימה).',
    ),
    (CLUB, "2. תקופה › 2.1", "2. תקופה\n2.1 ההסכם בתוקף למשך 24 חודשים, החל ביום 01/02/2026."),
    (CLUB, "2. תקופה › 2.2", "2.2 בתום התקופה יתחדש ההסכם מאליו לתקופות של 12 חודשים, אלא אם הודיע צד אחרת."),
    (CLUB, "4. דמי המנוי › 4.2", "4.2 כל צד רשאי לסיים את ההסכם בהודעה מוקדמת בכתב של 60 יום."),
    (CLUB, "5. זמינות › 5.1", "5. זמינות\n5.1 לא עמד המרכז ביעד הזמינות בחודש מסוים, יזוכה המנוי לפי הטבלה:"),
    (
        CLUB,
        "5. זמינות › 5.1",
        "זמינות חודשית | זיכוי מדמי המנוי החודשיים\n"
        "זמינות חודשית: 97.0% ועד פחות מ-99.0% · זיכוי מדמי המנוי החודשיים: 10%\n"
        "זמינות חודשית: פחות מ-97.0% · זיכוי מדמי המנוי החודשיים: 20%",
    ),
    (CLUB, "5. זמינות › 5.2", "5.2 הזיכויים בשנה לא יעלו על 25% מדמי המנוי השנתיים."),
    (CLUB, "9. שיפוט › 9.1", "9. שיפוט\n9.1 לבית המשפט המוסמך בחדרה תהיה סמכות השיפוט הייחודית."),
    (STORE, "3. תשלומים › 3.1", "3. תשלומים\n3.1 עמלת הפעלה: 5% מהמחזור החודשי של החנות."),
    (STORE, "3. תשלומים › 3.2", "3.2 דמי שיווק: 1.5% מהמחזור החודשי של החנות."),
    (STORE, "3. תשלומים › 3.3", "3.3 בתקופת האופציה תשולם עמלת ההפעלה בשיעור של לא יותר מ-6% מהמחזור."),
    (STORE, "3. תשלומים › 3.4", "3.4 על איחור בתשלום לפי סעיף זה תיווסף ריבית בשיעור של 1% לחודש."),
    (STORE, "6. תקופה › 6.1", "6. תקופה\n6.1 תקופת ההסכם היא 4 שנים, מיום 01/01/2026."),
    (
        STORE,
        "6. תקופה › 6.2",
        "6.2 לזכיין אופציה להאריך את ההסכם בשנתיים נוספות, בהודעה בכתב 90 יום לפני תום התקופה.",
    ),
    (
        STORE,
        "8. הפרה › 8.1",
        "8. הפרה\n8.1 הפר צד את ההסכם ולא תיקן את ההפרה בתוך 21 יום מקבלת התראה, רשאי הצד השני לבטלו.",
    ),
    (
        WORKS,
        "3. התמורה › 3.1",
        '3. התמורה\n3.1 התמורה בעד העבודות היא ₪600,000 בתוספת מע"מ כדין, שיעורו במועד החתימה 18% (להלן: "שכר החוזה").',
    ),
    (
        WORKS,
        "3. התמורה › 3.2",
        "3.2 שכר החוזה ישולם לפי אבני הדרך שבטבלה:\nאבן דרך | תיאור | שיעור משכר החוזה\n"
        "אבן דרך: 1 · תיאור: השלמת השלד · שיעור משכר החוזה: 40%\n"
        "אבן דרך: 2 · תיאור: מסירת המבנה · שיעור משכר החוזה: 60%",
    ),
    (WORKS, "4. עיכבון › 4.1", "4. עיכבון\n4.1 מכל תשלום לקבלן יעכב המזמין 5% כעיכבון."),
    (WORKS, "5. ערבויות › 5.1", "5. ערבויות\n5.1 הקבלן ימסור ערבות ביצוע בסך 10% משכר החוזה."),
    (WORKS, "5. ערבויות › 5.2", "5.2 הקבלן ימסור ערבות בדק בסך 3% משכר החוזה."),
    (WORKS, "6. איחור › 6.1", "6. איחור\n6.1 על כל יום איחור במסירה ישלם הקבלן פיצוי מוסכם בסך ₪1,500."),
    (WORKS, "6. איחור › 6.2", "6.2 סך הפיצוי המוסכם על איחור לא יעלה על 4% משכר החוזה."),
    (WORKS, "7. ועדה › 7.1", "7. ועדה\n7.1 ועדת ההיגוי תכלול 5 חברים."),
    (WORKS, "7. ועדה › 7.2", "7.2 יושב ראש ועדת ההיגוי ימונה מבין החברים שמינה המזמין, ולא יהיה לו קול מכריע."),
    (WORKS, "7. ועדה › 7.3", "7.3 המניין החוקי בישיבת ועדת ההיגוי הוא 3 חברים."),
    (
        WORKS,
        "8. הפרה › 8.1",
        "8. הפרה\n8.1 הפר הקבלן את החוזה ולא תיקן את ההפרה בתוך 10 ימים מקבלת התראה, רשאי המזמין לבטלו.",
    ),
]


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())


def titles(reply: Reply) -> set[str]:
    return {c.passage.title for c in reply.citations}


# --- the pieces ---


def test_a_total_with_vat_asked_with_what_and_the_rate_written_away_from_the_word() -> None:
    assert asks_for_vat_total('מה שכר החוזה כולל מע"מ?')
    assert asks_for_vat_total('כמה עולה השיפוץ כולל מע"מ?')
    assert not asks_for_vat_total('האם שכר החוזה כולל מע"מ?')
    assert vat_rate('₪600,000 בתוספת מע"מ כדין, שיעורו במועד החתימה 18% (להלן: "שכר החוזה")') == Decimal(18)
    assert vat_rate('בתוספת מע"מ. הנחה של 10% לעמותות.') is None


def test_monthly_in_a_plural_adjective_is_not_two_months() -> None:
    assert states_period("דמי מנוי חודשיים בסך ₪12,500", "month")
    assert not states_period("התשלום יועבר תוך חודשיים מיום החשבונית", "month")


def test_rates_of_the_questions_amount_added_up() -> None:
    q = "אם המחזור החודשי יהיה ₪200,000, כמה תשלם החנות על עמלת הפעלה ודמי שיווק יחד?"
    calc = rates_together(q, ["3.1 עמלת הפעלה: 5% מהמחזור החודשי.", "3.2 דמי שיווק: 1.5% מהמחזור החודשי."])
    assert calc is not None and calc.result == Decimal(13000)
    assert rates_together(q, ["3.1 עמלת הפעלה: 5% מהמחזור החודשי."]) is None


def test_a_column_added_up_and_a_band_that_holds_a_figure() -> None:
    rows = [
        "מועד: 30/06/2026 · קרן: ₪150,000 · ריבית: ₪12,000",
        "מועד: 31/12/2026 · קרן: ₪150,000 · ריבית: ₪7,500",
    ]
    total = column_total("כמה ריבית בסך הכול?", rows)
    assert total is not None and total.result == Decimal(19500)
    assert column_total("כמה בסך הכול?", rows) is None  # no column named: which one is not for arithmetic to guess
    assert band_of("97.0% ועד פחות מ-99.0%") == (Decimal("97.0"), Decimal("99.0"), "%")
    assert band_of("פחות מ-97.0%") == (Decimal("-Infinity"), Decimal("97.0"), "%")
    bands = ["זמינות: 97.0% ועד פחות מ-99.0% · זיכוי: 10%", "זמינות: פחות מ-97.0% · זיכוי: 20%"]
    assert banded_rate("זמינות של 98.2%", bands) == (0, Decimal(10), "זיכוי")
    assert banded_rate("זמינות של 96%", bands) == (1, Decimal(20), "זיכוי")
    assert banded_rate("זמינות של 99.5%", bands) is None


def test_a_date_the_question_gives_plus_the_clauses_period() -> None:
    q = "שלחנו הודעת סיום ביום 15/03/2026. באיזה תאריך יסתיים ההסכם?"
    assert given_date(q) == date(2026, 3, 15)
    calc = date_after(q, "4.2 כל צד רשאי לסיים את ההסכם בהודעה מוקדמת בכתב של 60 יום.")
    assert calc is not None and calc.expression.endswith("14/05/2026")
    months = date_after("ההודעה נמסרה ב-31/01/2026. מתי תסתיים ההתקשרות?", "בהודעה מוקדמת של חודש אחד: 1 חודש.")
    assert months is not None and months.expression.endswith("28/02/2026")
    assert date_after(q, "בהודעה של 30 יום, ולא יאוחר מ-6 חודשים.") is None  # two periods: which one is a guess
    assert given_date("באיזה תאריך נחתם ההסכם?") is None


def test_the_clause_that_introduces_a_table_is_found_for_its_chunk() -> None:
    from sochen.agents.answering.extractive import _intros

    intros = _intros(FakeLibrary(CHUNKS).library().chunks)
    assert intros[("doc-" + LOAN[:8], "3. ההחזר › 3.1")].startswith("3.1 האשראי יוחזר")
    assert ("doc-" + LOAN[:8], "3. ההחזר › 3.2") not in intros


# --- through the answerer ---


def test_what_the_contract_price_is_with_vat() -> None:
    q = 'מה שכר החוזה בחוזה השיפוץ כולל מע"מ?'
    reply = ask(q)
    assert reply.calculation is not None and "₪708,000" in reply.calculation
    assert "3.1" in clauses(reply)
    assert_sourced(reply, q)


def test_a_year_of_the_monthly_fee_with_vat() -> None:
    q = 'כמה ישלם המנוי בשנה על דמי המנוי, כולל מע"מ?'
    reply = ask(q)
    assert reply.calculation is not None and "₪150,000" in reply.calculation and "₪177,000" in reply.calculation
    assert_sourced(reply, q)


def test_two_rates_of_the_turnover_together_leave_out_the_capped_rate() -> None:
    q = "אם המחזור החודשי של החנות יהיה ₪200,000, כמה תשלם על עמלת הפעלה ודמי שיווק יחד?"
    reply = ask(q)
    assert reply.calculation is not None and "₪13,000" in reply.calculation and "6%" not in reply.calculation
    assert set(clauses(reply)) == {"3.1", "3.2"}
    assert_sourced(reply, q)


def test_interest_over_the_repayment_table() -> None:
    q = "כמה ריבית ישלם הלקוח בסך הכול לפי לוח התשלומים?"
    reply = ask(q)
    assert reply.calculation is not None and "₪22,500" in reply.calculation
    assert titles(reply) == {LOAN}
    assert_sourced(reply, q)


def test_the_credit_for_a_months_availability_in_a_band() -> None:
    q = "אם הזמינות בחודש מסוים הייתה 98.2%, בכמה שקלים יזוכה המנוי?"
    reply = ask(q)
    assert reply.calculation is not None and "₪1,250" in reply.calculation
    assert "4.1" in clauses(reply)
    assert_sourced(reply, q)


def test_the_end_date_after_a_notice_given_on_a_date() -> None:
    q = "המנוי מסר הודעת סיום ביום 15/03/2026. באיזה תאריך יסתיים ההסכם?"
    reply = ask(q)
    assert reply.calculation is not None and "14/05/2026" in reply.calculation
    assert clauses(reply) == ["4.2"]


def test_the_most_a_capped_penalty_allows_as_a_share_of_the_defined_price() -> None:
    q = "מה הסכום המרבי שהקבלן עשוי לשלם בסך הכול כפיצוי על איחור?"
    reply = ask(q)
    assert reply.calculation is not None and "₪24,000" in reply.calculation
    assert {"6.2", "3.1"} <= set(clauses(reply))
    assert_sourced(reply, q)


def test_english_the_most_a_capped_penalty_allows_under_the_named_contract() -> None:
    q = "What is the most the contractor could pay in total as delay compensation under the renovation contract?"
    reply = ask(q)
    assert reply.text.startswith("According to our documents")
    assert reply.calculation is not None and "₪24,000" in reply.calculation


# --- parts, counts and naming ---


def test_a_calculation_for_one_part_keeps_the_other_parts_clause() -> None:
    reply = ask("מה גובה ערבות הביצוע בחוזה השיפוץ, ומה גובה ערבות הבדק?")
    assert {"5.1", "5.2"} <= set(clauses(reply))


def test_how_many_members_is_answered_by_a_count() -> None:
    reply = ask("כמה חברים יש בוועדת ההיגוי, ומה המניין החוקי לישיבה?")
    assert clauses(reply)[:2] == ["7.1", "7.3"]


def test_how_much_is_paid_needs_an_amount() -> None:
    reply = ask("כמה משלמת החנות על דמי שיווק?")
    assert clauses(reply) == ["3.2"]


def test_a_comparison_named_with_a_prefixed_document_word() -> None:
    reply = ask("כמה זמן יש לתקן הפרה אחרי התראה בחוזה השיפוץ, ובהסכם הפעלת החנות?")
    assert titles(reply) == {WORKS, STORE}
    assert set(clauses(reply)) == {"8.1"}


def test_a_definite_document_name_keeps_the_question_inside_it() -> None:
    # 'הסכם ההפעלה' says nothing of the office's fee: the works contract's price does not answer it.
    reply = ask("מה שכר הטרחה של המשרד על עריכת הסכם ההפעלה?")
    assert reply.status == "not_found"


def test_english_under_the_named_agreement_is_not_answered_from_another() -> None:
    reply = ask("What is the late payment interest rate under the membership agreement?")
    assert reply.status == "not_found"


def test_a_comparison_pairs_a_rate_with_a_rate_and_late_payment_finds_arrears_interest() -> None:
    reply = ask("מה ההבדל בין הריבית על איחור בתשלום בהסכם האשראי לבין הריבית על איחור בהסכם ההפעלה?")
    assert titles(reply) == {LOAN, STORE}
    assert set(clauses(reply)) == {"5.2", "3.4"}


def test_a_milestone_payment_is_its_share_of_the_defined_price_and_retention_a_share_of_that() -> None:
    q = "כמה יעכב המזמין כעיכבון מהתשלום על השלמת השלד?"
    reply = ask(q)
    assert reply.calculation is not None
    assert "₪240,000" in reply.calculation and reply.calculation.endswith("₪12,000")
    assert {"3.1", "4.1"} <= set(clauses(reply))
    assert_sourced(reply, q)
    paid = ask("כמה ישולם לקבלן עם מסירת המבנה?")
    assert paid.calculation is not None and paid.calculation.endswith("₪360,000")


def test_the_term_of_an_agreement_is_its_duration_from_a_start_not_its_renewal() -> None:
    reply = ask("מה תקופת ההסכם בהסכם המנוי לעומת הסכם ההפעלה?")
    assert titles(reply) == {CLUB, STORE}
    assert set(clauses(reply)) == {"2.1", "6.1"}
    english = ask("What is the term of the membership agreement?")
    assert clauses(english)[:1] == ["2.1"]
