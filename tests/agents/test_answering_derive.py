"""Derived amounts by the kinds of their operands, document scoping, figure kinds and paired comparisons.

On a small Hebrew archive of its own (a fake lexical library, no database, no model): a percentage of the
question's own amount held to the clause's floor or cap, equal instalments, the least a clause allows, a
monthly amount over the stated term, a percentage per period of a base amount, an update by the stated
rate, VAT on top of any of them; a question asked within one document answered from it only; a date or a
percentage asked for needs one; a comparison pairs the clauses that say the same kind of thing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.derive import (
    asks_least,
    asks_update,
    asks_whole_term,
    floor_or_cap,
    instalment,
    interest_per_period,
    over_term,
    raised,
    rate_of_question_amount,
    term_months,
    with_vat,
)
from sochen.agents.answering.units import clause_units
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

BROKER = "הסכם תיווך — משרד נדל״ן אופק"
OFFICE = "הסכם שכירות משרד — רחוב הרצל 40, ראשון לציון"
SUPPLY = 'הסכם אספקה — מאפיית השדה בע"מ'
FEES = "מחירון המשרד 2026"

CHUNKS = [
    (
        BROKER,
        "4. דמי התיווך › 4.1",
        "4. דמי התיווך\n4.1 עם חתימת הסכם המכר ישלם הלקוח דמי תיווך בשיעור של 2% ממחיר הנכס, ולא פחות מ-₪6,000, "
        'בתוספת מע"מ.',
    ),
    (BROKER, "4. דמי התיווך › 4.2", "4.2 הלקוח ישלם מקדמה בסך ₪9,000 במעמד חתימת הסכם זה."),
    (BROKER, "7. אחריות › 7.1", "7. אחריות\n7.1 המתווך ישפה את הלקוח בשיעור של 10% מהנזק, ולא יותר מ-₪40,000."),
    (BROKER, "9. שיפוט › 9.1", "9. שיפוט\n9.1 לבתי המשפט המוסמכים בבאר שבע תהיה סמכות השיפוט הייחודית."),
    (OFFICE, "2. תקופת השכירות › 2.1", "2. תקופת השכירות\n2.1 תקופת השכירות היא 36 חודשים, מיום 01/05/2026."),
    (
        OFFICE,
        "2. תקופת השכירות › 2.2",
        "2.2 לשוכר ניתנת אופציה להאריך את תקופת השכירות ב-12 חודשים נוספים, בהודעה בכתב 90 יום מראש.",
    ),
    (OFFICE, "5. דמי השכירות › 5.1", "5. דמי השכירות\n5.1 דמי השכירות החודשיים הם ₪7,500."),
    (
        OFFICE,
        "5. דמי השכירות › 5.2",
        "5.2 המשכיר רשאי לעדכן את דמי השכירות פעם בשנה, בשיעור שלא יעלה על 3%, בהודעה בכתב.",
    ),
    (
        OFFICE,
        "5. דמי השכירות › 5.3",
        "5.3 איחור בתשלום יחייב את השוכר בריבית פיגורים בשיעור של 1% לחודש על הסכום שבפיגור.",
    ),
    (OFFICE, "8. שימוש › 8.1", "8. שימוש\n8.1 השוכר ישתמש במושכר למשרדים בלבד."),
    (OFFICE, "8. שימוש › 8.2", "8.2 השוכר רשאי להציב שלט בכניסה לבניין."),
    (OFFICE, "8. שימוש › 8.3", "8.3 השוכר לא ישכיר את המושכר בשכירות משנה ללא הסכמת המשכיר בכתב."),
    (OFFICE, "8. שימוש › 8.4", "8.4 המשכיר רשאי למכור את המושכר, ובלבד שזכויות השוכר יישמרו."),
    (
        OFFICE,
        "12. שיפוט › 12.1",
        "12. שיפוט\n12.1 לבתי המשפט המוסמכים בתל אביב-יפו תהיה סמכות השיפוט הייחודית.\n"
        "ולראיה באו הצדדים על החתום:\nהמשכיר: ..................... השוכר: .....................",
    ),
    (
        SUPPLY,
        "6. סודיות › 6.3",
        "6. סודיות\n6.3 חובת הסודיות לא תחול על גילוי הנדרש לפי צו של בית משפט או רשות מוסמכת.",
    ),
    (SUPPLY, "11. שיפוט › 11.1", "11. שיפוט\n11.1 לבתי המשפט המוסמכים בחיפה תהיה סמכות השיפוט הייחודית."),
    (SUPPLY, "3. המחיר › 3.1", "3. המחיר\n3.1 מחיר ארגז לחם הוא ₪120, והספק יספק עד 40 ארגזים בשבוע."),
    (
        FEES,
        "תעריפים",
        'תעריפים\nשירות | מחיר\nשירות: עריכת הסכם תיווך · מחיר: ₪1,200\nכל המחירים אינם כוללים מע"מ (18%).',
    ),
]


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())


# --- the arithmetic, by operand kind ---


def test_a_percentage_of_the_questions_amount_is_held_to_the_clauses_floor_and_cap() -> None:
    fee = 'דמי תיווך בשיעור של 2% ממחיר הנכס, ולא פחות מ-₪6,000, בתוספת מע"מ.'
    big = rate_of_question_amount("כמה דמי תיווך אם מחיר הנכס ₪1,500,000?", fee)
    assert big is not None and big.result == Decimal(30000)
    small = rate_of_question_amount("כמה דמי תיווך על נכס של ₪200,000?", fee)
    assert small is not None and small.result == Decimal(6000) and "₪4,000" in small.expression
    capped = rate_of_question_amount("כמה ישפה אם הנזק ₪900,000?", "בשיעור של 10% מהנזק, ולא יותר מ-₪40,000.")
    assert capped is not None and capped.result == Decimal(40000)
    assert floor_or_cap(fee) == (Decimal(6000), None)
    # No amount in the question, or two rates in the clause: nothing to compute.
    assert rate_of_question_amount("כמה דמי תיווך?", fee) is None
    assert rate_of_question_amount("כמה על ₪100,000?", "הנחה של 5% ועוד 3% לעמותות") is None


def test_instalments_term_periods_updates_and_vat() -> None:
    one = instalment("אם ישלם את המקדמה ב-3 תשלומים שווים, כמה יהיה כל תשלום?", "מקדמה בסך ₪9,000")
    assert one is not None and one.result == Decimal(3000)
    assert instalment("כמה המקדמה?", "מקדמה בסך ₪9,000") is None
    assert term_months("תקופת השכירות היא 36 חודשים, מיום 01/05/2026.") == Decimal(36)
    assert term_months("אופציה להאריך את תקופת השכירות ב-12 חודשים נוספים") is None  # extended by, not the term
    whole = over_term("דמי השכירות החודשיים הם ₪7,500.", "תקופת השכירות היא 36 חודשים")
    assert whole is not None and whole.result == Decimal(270000)
    late = interest_per_period("כמה ריבית על 3 חודשי פיגור?", "ריבית פיגורים בשיעור של 1% לחודש", "₪7,500")
    assert late is not None and late.result == Decimal(225)
    up = raised("בשיעור שלא יעלה על 3%", "דמי השכירות החודשיים הם ₪7,500.")
    assert up is not None and up.result == Decimal("7725")
    taxed = with_vat(up, 'אינם כוללים מע"מ (18%)')
    assert taxed is not None and taxed.result == Decimal("9115.50")
    assert asks_least("כמה ישלם לכל הפחות?") and not asks_least("כמה ישלם?")
    assert asks_whole_term("כמה על כל תקופת השכירות?") and asks_update("מה יהיו דמי השכירות אם יעודכנו?")


# --- through the answerer ---


def test_the_least_a_clause_allows_with_vat_cites_the_clause_and_the_rate() -> None:
    q = 'כמה ישלם הלקוח לכל הפחות כדמי תיווך, כולל מע"מ?'
    reply = ask(q)
    assert reply.status == "answered" and "₪7,080" in reply.text, reply.text
    assert "4.1" in clauses(reply) and any('מע"מ' in c.passage.text for c in reply.citations)
    assert_sourced(reply, q)


def test_a_percentage_of_the_amount_the_question_gives() -> None:
    q = "כמה דמי תיווך ישלם הלקוח אם מחיר הנכס יהיה ₪2,000,000?"
    reply = ask(q)
    assert "₪40,000" in reply.text and clauses(reply)[0] == "4.1", reply.text
    assert_sourced(reply, q)


def test_a_monthly_amount_over_the_whole_term_cites_both_clauses() -> None:
    q = "כמה דמי שכירות ישלם השוכר על כל תקופת השכירות?"
    reply = ask(q)
    assert "₪270,000" in reply.text, reply.text
    assert {"5.1", "2.1"} <= set(clauses(reply)) and "2.2" not in clauses(reply)
    assert_sourced(reply, q)


def test_an_update_by_the_highest_rate_the_clause_allows() -> None:
    q = "אם המשכיר יעדכן את דמי השכירות בשיעור המרבי, מה יהיו דמי השכירות החודשיים?"
    reply = ask(q)
    assert "₪7,725" in reply.text and {"5.1", "5.2"} <= set(clauses(reply)), reply.text
    assert_sourced(reply, q)


def test_interest_per_period_on_the_base_amount_the_question_names() -> None:
    q = "כמה ריבית פיגורים ישלם השוכר על חודש איחור בתשלום דמי השכירות החודשיים?"
    reply = ask(q)
    assert "₪75" in reply.text and {"5.1", "5.3"} <= set(clauses(reply)), reply.text


def test_equal_instalments_of_the_advance() -> None:
    reply = ask("אם הלקוח ישלם את המקדמה לפי הסכם התיווך ב-3 תשלומים, כמה יהיה כל תשלום?")
    assert "₪3,000" in reply.text and clauses(reply) == ["4.2"], reply.text


# --- what is asked, and where ---


def test_a_question_asked_within_one_document_is_not_answered_from_another() -> None:
    reply = ask("מה גובה דמי השכירות החודשיים בהסכם האספקה?")
    assert reply.status == "not_found" and not reply.citations, reply.text
    # Naming a kind of document is not asking within it: the fee list answers.
    fee = ask("כמה עולה עריכת הסכם תיווך?")
    assert fee.status == "answered" and "₪1,200" in fee.text, fee.text


def test_a_date_asked_for_needs_a_date() -> None:
    reply = ask("באיזה תאריך נחתם הסכם האספקה?")
    assert reply.status == "not_found", reply.text
    dated = ask("מאיזה תאריך מתחילה תקופת השכירות של המשרד?")
    assert dated.status == "answered" and "01/05/2026" in dated.text, dated.text


def test_a_comparison_pairs_the_clauses_that_say_the_same_thing() -> None:
    reply = ask("איזה בית משפט מוסמך לפי הסכם השכירות ואיזה לפי הסכם האספקה?")
    assert reply.status == "answered" and clauses(reply) == ["12.1", "11.1"], reply.text
    assert "תל אביב" in reply.text and "חיפה" in reply.text and "ולראיה" not in reply.text


def test_the_party_asked_about_decides_between_two_clauses_on_the_topic() -> None:
    reply = ask("האם השוכר רשאי להשכיר את המשרד בשכירות משנה?")
    assert clauses(reply)[0] == "8.3" and "5.2" not in clauses(reply), reply.text  # not the landlord's right


def test_a_clause_ends_where_the_signatures_begin() -> None:
    units = clause_units("12.1 לבתי המשפט בתל אביב תהיה הסמכות.\nולראיה באו הצדדים על החתום:\nהמשכיר: ......")
    assert units[0].text == "12.1 לבתי המשפט בתל אביב תהיה הסמכות." and units[0].clause == "12.1"


SERVICE = 'הסכם שירות ענן — נתיב מערכות בע"מ'
SERVICE_CHUNKS = [
    (SERVICE, "3. התמורה › 3.1", "3. התמורה\n3.1 דמי המנוי החודשיים הם ₪2,400."),
    (
        SERVICE,
        "5. זמינות › 5.2",
        "5. זמינות\n5.2 ירדה הזמינות בחודש מתחת ליעד, יקבל הלקוח זיכוי בשיעור של 10% מדמי המנוי באותו חודש.",
    ),
    (SERVICE, "5. זמינות › 5.1", "5.1 הספק יעמוד ביעד זמינות חודשי של 99.5% לפחות."),
]


def test_a_percentage_rule_is_taken_of_the_amount_it_names() -> None:
    q = "כמה זיכוי יקבל הלקוח אם הזמינות ירדה מתחת ליעד?"
    reply = answer(q, config=CONFIG, library=FakeLibrary(SERVICE_CHUNKS).library())
    assert "₪240" in reply.text and {"5.2", "3.1"} <= set(clauses(reply)), reply.text
    assert_sourced(reply, q)


RENEWAL = "הסכם מנוי — חדר כושר גל"
RENEWAL_CHUNKS = [
    (RENEWAL, "2. תקופה › 2.1", "2. תקופה\n2.1 תקופת ההסכם היא 12 חודשים, מיום 01/01/2027 ועד יום 31/12/2027."),
    (
        RENEWAL,
        "2. תקופה › 2.2",
        "2.2 ההסכם יתחדש מאליו, אלא אם המנוי מסר הודעה על אי-חידוש 30 יום לפחות לפני תום תקופת ההסכם.",
    ),
    (RENEWAL, "4. תשלום › 4.1", "4. תשלום\n4.1 דמי המנוי הם ₪250 לחודש."),
]


def test_a_deadline_is_the_event_date_less_the_days_the_clause_gives() -> None:
    q = "עד איזה תאריך המנוי צריך למסור הודעה על אי-חידוש?"
    reply = answer(q, config=CONFIG, library=FakeLibrary(RENEWAL_CHUNKS).library())
    assert reply.status == "answered" and "01/12/2027" in reply.text, reply.text
    assert set(clauses(reply)) == {"2.1", "2.2"} and "31/12/2027 − 30 ימים" in (reply.calculation or "")
