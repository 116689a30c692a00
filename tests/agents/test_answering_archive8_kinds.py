"""Kinds of computation the eighth example archive showed (issue 16, archive8), on a small Hebrew archive of its own.

Answers from two explicit facts, each cited and the calculation shown: a percentage rule ('דמי ביטול בשיעור 25%
מדמי השכירות') is a share of its base only when the question asks what the rule pays — a question on the base
itself ('כמה עולה השכירות כולל מע"מ') is the base with VAT, never the cancellation fee; a count of days before an
event ('ביטלה 45 ימים לפני') dates the act and is no quantity to price by a daily rate; a refund is what was paid
less the fee the refund clause deducts. A fake lexical library, no database, no model; every figure of a reply
is in the question or a cited passage.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

STUDIO = 'הסכם השכרת אולפן צילום — אור ואור הפקות בע"מ ומרקט דיגיטל בע"מ'
MARINA = 'הסכם עגינה — מרינה הצפון בע"מ ויאכטות הגליל בע"מ'

CHUNKS = [
    (
        STUDIO,
        "הסכם השכרת אולפן צילום",
        'בין: אור ואור הפקות בע"מ, להלן: "המשכירה";\nלבין: מרקט דיגיטל בע"מ, להלן: "השוכרת";',
    ),
    (STUDIO, "1. ההשכרה › 1.1", "1. ההשכרה\n1.1 המשכירה תעמיד לרשות השוכרת את אולפן הצילום הגדול לשלושה ימי צילום."),
    (STUDIO, "2. התמורה › 2.1", '2. התמורה\n2.1 דמי השכירות של האולפן הם ₪12,000, בתוספת מע"מ.'),
    (STUDIO, "2. התמורה › 2.2", '2.2 לכל הסכומים בהסכם זה יתווסף מע"מ בשיעור 18%.'),
    (STUDIO, "2. התמורה › 2.3", "2.3 השוכרת תשלם למשכירה פיקדון של ₪5,000 במעמד החתימה."),
    (
        STUDIO,
        "2. התמורה › 2.4",
        '2.4 מחירי הציוד הנוסף ליום צילום, לפני מע"מ:\n'
        "הציוד: מצלמת קולנוע · יחידת החיוב: יום · המחיר: ₪1,900\n"
        "הציוד: ערכת תאורה · יחידת החיוב: יום · המחיר: ₪650\n"
        "הציוד: רחפן צילום · יחידת החיוב: יום · המחיר: ₪1,200",
    ),
    (STUDIO, "2. התמורה › 2.5", "2.5 ציוד נוסף שהוזמן יחויב לכל הפחות בעד 3 ימים."),
    (
        STUDIO,
        "3. ביטול › 3.1",
        "3. ביטול\n3.1 ביטלה השוכרת את ההזמנה יותר מ-60 ימים לפני ימי הצילום, יוחזרו לה כל הכספים ששילמה,"
        " בניכוי דמי טיפול של ₪800.",
    ),
    (
        STUDIO,
        "3. ביטול › 3.2",
        "3.2 ביטלה השוכרת את ההזמנה בין 60 ל-14 ימים לפני ימי הצילום, תשלם למשכירה דמי ביטול בשיעור 30%"
        " מדמי השכירות של האולפן.",
    ),
    (MARINA, "1. העגינה › 1.1", "1. העגינה\n1.1 המרינה תקצה ליאכטות הגליל 4 מקומות עגינה ברציף הצפוני."),
    (MARINA, "1. העגינה › 1.2", "1.2 שם החברה יופיע על השלט שבכניסה לרציף הצפוני."),
    (MARINA, "2. דמי העגינה › 2.1", "2. דמי העגינה\n2.1 דמי העגינה הם ₪2,300 לחודש לכל מקום עגינה."),
    (MARINA, "2. דמי העגינה › 2.2", "2.2 דמי העגינה לשנת 2026 הם ₪27,600."),
    (MARINA, "2. דמי העגינה › 2.3", "2.3 דמי העגינה יעלו ב-4% בכל שנה לעומת השנה שקדמה לה."),
    (
        MARINA,
        "3. שירותים נוספים › 3.1",
        "3. שירותים נוספים\n3.1 דמי הניקוי של גוף היאכטה הם ₪1,100 לכל יאכטה, ודמי ההרמה למספנה הם ₪2,600 לכל יאכטה.",
    ),
    (
        MARINA,
        "3. שירותים נוספים › 3.2",
        "3.2 על כל יום שבו יאכטה נשארת במספנה לאחר מועד ההורדה תשלם החברה דמי חניה של ₪300, ולא יותר מ-₪6,000 ליאכטה.",
    ),
    (
        MARINA,
        "3. שירותים נוספים › 3.3",
        "3.3 דמי החשמל הם ₪400 לחודש לסירת מנוע ו-₪650 לחודש ליאכטת מפרש.",
    ),
    (MARINA, "3. שירותים נוספים › 3.4", "3.4 לדמי החשמל תתווסף תוספת אחזקה בשיעור 10%."),
    (
        MARINA,
        "4. אחריות › 4.1",
        "4. אחריות\n4.1 על כל שעת איחור בהרמת יאכטה תזכה המרינה את החברה ב-₪150, ולא יותר מ-₪900 להרמה.",
    ),
    (MARINA, "4. אחריות › 4.2", "4.2 אחריות המרינה לציוד שאבד מוגבלת ל-₪30 לכל קילוגרם של הציוד."),
]


def ask(question: str) -> Reply:
    reply = answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())
    assert_sourced(reply, question)
    return reply


# --- a percentage rule is applied to its base only when the question asks what the rule pays ---


def test_the_price_with_vat_is_not_the_cancellation_fee_of_that_price() -> None:
    reply = ask('כמה תשלם מרקט דיגיטל על השכירות של האולפן, כולל מע"מ?')
    assert reply.status == "answered" and clauses(reply) == ["2.1", "2.2"], reply.text
    assert "14,160" in reply.text
    assert "3,600" not in reply.text and "4,248" not in reply.text


def test_a_cancellation_fee_is_the_rules_share_of_the_base_it_names() -> None:
    reply = ask("השוכרת ביטלה את ההזמנה 30 ימים לפני ימי הצילום. כמה דמי ביטול היא תשלם?")
    assert reply.status == "answered" and set(clauses(reply)) == {"2.1", "3.2"}, reply.text
    assert "30% × ₪12,000 = ₪3,600" in reply.text


# --- a refund is what was paid less the fee the refund clause deducts ---


def test_a_refund_is_the_amount_paid_less_the_handling_fee() -> None:
    reply = ask("השוכרת שילמה רק את הפיקדון וביטלה את ההזמנה 90 ימים לפני הצילום. כמה כסף יוחזר לה?")
    assert reply.status == "answered" and set(clauses(reply)) == {"2.3", "3.1"}, reply.text
    assert "₪5,000 − ₪800 = ₪4,200" in reply.text


# --- an amount in a later year, after the yearly rise a clause states, one step a year ---


def test_an_amount_two_years_later_is_raised_twice_step_by_step() -> None:
    reply = ask("מה יהיו דמי העגינה בשנת 2028?")
    assert reply.status == "answered" and set(clauses(reply)) == {"2.2", "2.3"}, reply.text
    assert "₪27,600 × 1.04 = ₪28,704" in reply.text and "₪28,704 × 1.04 = ₪29,852.16" in reply.text


# --- a rate per unit times the count of those units another clause states ---


def test_a_rate_per_unit_times_the_count_another_clause_states() -> None:
    reply = ask("כמה משלמת יאכטות הגליל בכל חודש על כל מקומות העגינה?")
    assert reply.status == "answered" and set(clauses(reply)) == {"1.1", "2.1"}, reply.text
    assert "4 × ₪2,300 = ₪9,200" in reply.text


# --- a rate of a listed item, chosen by the item the question names; a cap's unit is not the rate's ---


def test_the_rate_of_the_listed_item_the_question_names_times_the_count() -> None:
    reply = ask("החברה מעלה למספנה 3 יאכטות. כמה תשלם על ההרמה שלהן?")
    assert reply.status == "answered" and clauses(reply) == ["3.1"], reply.text
    assert "3 × ₪2,600 = ₪7,800" in reply.text
    assert "₪900" not in reply.text  # not 3 × ₪300 of the daily charge capped per yacht


# --- one of several amounts, the one the question names, with the surcharge a rule adds ---


def test_the_named_amount_of_a_list_with_the_surcharge_a_rule_adds() -> None:
    reply = ask("כמה עולה החשמל ליאכטת מפרש, כולל תוספת האחזקה?")
    assert reply.status == "answered" and set(clauses(reply)) == {"3.3", "3.4"}, reply.text
    assert "₪650 × 1.1 = ₪715" in reply.text


# --- a rate per hour said in the construct form ('על כל שעת איחור'), and the same asked in English ---


def test_a_rate_for_each_hour_of_delay_times_the_hours() -> None:
    reply = ask("הרמת היאכטה התעכבה ב-4 שעות. בכמה תזכה המרינה את החברה?")
    assert reply.status == "answered" and clauses(reply) == ["4.1"], reply.text
    assert "4 × ₪150 = ₪600" in reply.text


def test_an_english_credit_per_hour_is_held_to_the_cap_in_english_words() -> None:
    reply = ask("The lift of a yacht was 10 hours late. How much credit does the company get?")
    assert reply.status == "answered" and clauses(reply) == ["4.1"], reply.text
    assert "10 × ₪150 = ₪1,500; more than the clause's cap (₪900), so ₪900" in reply.text


def test_an_english_limit_per_kilogram_times_the_weight() -> None:
    reply = ask("Equipment weighing 40 kg was lost. What is the most the marina has to pay?")
    assert reply.status == "answered" and clauses(reply) == ["4.2"], reply.text
    assert "40 × ₪30 = ₪1,200" in reply.text


# --- the least paid: the price per unit of the row the question names times the least count a clause sets ---


def test_the_least_paid_for_a_row_is_its_price_times_the_least_count() -> None:
    reply = ask("מה הסכום המזערי שתשלם השוכרת על רחפן צילום?")
    assert reply.status == "answered" and "2.5" in clauses(reply), reply.text
    assert "3 × ₪1,200 = ₪3,600" in reply.text
    assert "30% ×" not in reply.text  # the party and the studio named are no cancellation asked about


# --- a money thing no document names, asked of a clause with no amount: refused ---


def test_a_compensation_no_document_speaks_of_is_refused() -> None:
    reply = ask("איזה פיצוי משלמת המרינה אם שם החברה לא מופיע על השלט?")
    assert reply.status == "not_found" and not reply.citations, reply.text


def test_an_english_minimum_asked_as_a_noun_is_no_quantity_to_price() -> None:
    from sochen.agents.answering.compute import asked_operation

    assert asked_operation("What is the most the marina has to pay for 40 kg?") == "quantity"
    assert asked_operation("What is the minimum annual fee the company must pay?") is None
