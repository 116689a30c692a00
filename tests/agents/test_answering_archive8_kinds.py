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
    (STUDIO, "2. התמורה › 2.1", "2. התמורה\n2.1 דמי השכירות של האולפן הם ₪12,000, בתוספת מע\"מ."),
    (STUDIO, "2. התמורה › 2.2", "2.2 לכל הסכומים בהסכם זה יתווסף מע\"מ בשיעור 18%."),
    (STUDIO, "2. התמורה › 2.3", "2.3 השוכרת תשלם למשכירה פיקדון של ₪5,000 במעמד החתימה."),
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
    (MARINA, "2. דמי העגינה › 2.1", "2. דמי העגינה\n2.1 דמי העגינה הם ₪2,300 לחודש לכל מקום עגינה."),
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
