"""Kinds of computation the ninth example archive showed (issue 16, archive9), on a small Hebrew archive of its own.

A daily penalty or credit times the days, held to a cap another clause of the same section sets as a percentage
of an amount the contract states ('לא יעלה על 5% משכר החוזה'): the cap is that share of that amount, shown as a
step; and a payment stated as a share of an amount the same sentence gives by a relative clause ('בשיעור 175%
משכר יום רגיל, ששיעורו ₪320') is that share of the amount, per unit, before it is multiplied by the count; and a yearly amount from a count of
days a year and a rate per day in one clause ('בעד 5 ימים בשנה, בשיעור של ₪418 ליום') is their product.
A fake lexical library, no database, no model; every figure of a reply is in the question or a cited passage.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

PAVING = 'הסכם עבודות ריצוף — אבני הכרמל בע"מ ויזמות החוף בע"מ'
GUARD = 'הסכם העסקת שומר לילה — מלון הנמל בע"מ ויוסי כהן'

CHUNKS = [
    (PAVING, "הסכם עבודות ריצוף", 'בין: יזמות החוף בע"מ, להלן: "המזמינה";\nלבין: אבני הכרמל בע"מ, להלן: "הקבלן";'),
    (PAVING, "1. העבודות › 1.1", "1. העבודות\n1.1 הקבלן ירצף את הלובי ואת החניון של בניין המשרדים בחדרה."),
    (PAVING, "2. שכר החוזה › 2.1", '2. שכר החוזה\n2.1 שכר החוזה בעד כל העבודות הוא ₪300,000, בתוספת מע"מ.'),
    (PAVING, "2. שכר החוזה › 2.2", "2.2 שכר החוזה ישולם בשלושה תשלומים לפי אבני הדרך שבנספח ב'."),
    (PAVING, "3. ערבות ביצוע › 3.1", "3. ערבות ביצוע\n3.1 מכל תשלום תנכה המזמינה 3% מהסכום המאושר לתשלום."),
    (PAVING, "4. איחורים › 4.1", "4. איחורים\n4.1 על כל יום איחור במסירת העבודות ישלם הקבלן למזמינה קנס של ₪2,000."),
    (PAVING, "4. איחורים › 4.2", "4.2 סך הקנסות על איחור לא יעלה על 5% משכר החוזה."),
    (PAVING, "5. אחריות › 5.1", "5. אחריות\n5.1 הקבלן יחזיק ביטוח צד שלישי בסכום של ₪1,500,000 לפחות."),
    (GUARD, "הסכם העסקת שומר לילה", 'בין: מלון הנמל בע"מ, להלן: "המלון";\nלבין: יוסי כהן, להלן: "השומר";'),
    (GUARD, "1. השכר › 1.1", "1. השכר\n1.1 שכרו החודשי של השומר הוא ₪7,200."),
    (
        GUARD,
        "1. השכר › 1.2",
        "1.2 עבד השומר בחג, ישולם לו בעד כל יום כזה שכר בשיעור 175% משכר יום רגיל, ששיעורו לעניין זה ₪320.",
    ),
    (GUARD, "2. חופשה › 2.1", "2. חופשה\n2.1 השומר זכאי ל-14 ימי חופשה בשנה."),
    (GUARD, "2. חופשה › 2.2", "2.2 לאחר שנת עבודה זכאי השומר לדמי השתלמות בעד 4 ימים בשנה, בשיעור של ₪380 ליום."),
]


def ask(question: str) -> Reply:
    reply = answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())
    assert_sourced(reply, question)
    return reply


# --- a daily charge times the days, held to a cap stated as a percentage of an amount the contract states ---


def test_a_daily_fine_is_held_to_a_cap_that_is_a_share_of_the_contract_price() -> None:
    reply = ask("אבני הכרמל מסרה את הריצוף באיחור של 25 ימים. כמה קנסות היא תשלם?")
    assert reply.status == "answered" and set(clauses(reply)) == {"2.1", "4.1", "4.2"}, reply.text
    assert "25 × ₪2,000 = ₪50,000" in reply.text and "5% × ₪300,000 = ₪15,000" in reply.text
    assert "ולכן ₪15,000" in reply.text, reply.text


def test_a_daily_fine_within_the_percentage_cap_stays_as_it_is() -> None:
    reply = ask("אבני הכרמל מסרה את הריצוף באיחור של 4 ימים. כמה קנסות היא תשלם?")
    assert reply.status == "answered" and "4 × ₪2,000 = ₪8,000" in reply.text, reply.text
    assert "15,000" not in reply.text


# --- a payment stated as a share of an amount the same sentence gives ('…, ששיעורו ₪320') ---


def test_a_share_of_an_amount_given_by_a_relative_clause_is_paid_per_unit() -> None:
    reply = ask("השומר עבד ב-4 ימי חג. כמה ישולם לו על הימים האלה?")
    assert reply.status == "answered" and clauses(reply) == ["1.2"], reply.text
    assert "175% × ₪320 = ₪560" in reply.text and "4 × ₪560 = ₪2,240" in reply.text
    assert "₪1,280" not in reply.text  # not 4 × ₪320 with the 175% left out


# --- a yearly amount from a count of days a year and a rate per day, both in one clause ---


def test_a_yearly_amount_is_the_days_a_year_times_the_daily_rate() -> None:
    reply = ask("כמה דמי השתלמות מקבל השומר בשנה?")
    assert reply.status == "answered" and clauses(reply) == ["2.2"], reply.text
    assert "4 × ₪380 = ₪1,520" in reply.text


def test_a_yearly_amount_asked_in_english() -> None:
    reply = ask("How much training pay per year?")
    assert reply.status == "answered" and clauses(reply) == ["2.2"], reply.text
    assert "₪1,520" in reply.text


# --- a percentage of an amount the rule names with its modifier ('מהסכום המאושר') is of no other amount ---


def test_a_share_of_the_approved_amount_is_not_taken_of_an_insurance_sum() -> None:
    reply = ask("כמה כסף תנכה המזמינה מכל תשלום?")
    assert reply.status == "answered" and "3.1" in clauses(reply), reply.text
    assert "5.1" not in clauses(reply) and "45,000" not in reply.text and "9,000" not in reply.text, reply.text
