"""Kinds of question the sixth example archive showed (issue 16, archive6), on a small Hebrew archive of its own.

A party named by its own name ('אבי לוי') while its clauses call it by its role ('המוכר'); the amount of a thing
('מה סכום ביטוח האש') that the clause naming the thing does not state; a question about what a party of one
contract does with a party of another, where no contract is between them; a rate per month of the question's own
amount for the months it names, the dual ('חודשיים') included, each step shown; two prices per unit ('לכל פוסט',
'לכל סטורי') are not added into a total, and VAT said after both adds neither.
A count of a plural noun that begins with a letter that may be a prefix ('280 משטחים', '2,400 מסגרות') times the
rate of a table's row whose unit column names it ('יחידת החיוב: משטח לחודש'), the row asked as 'דמי אחסון'; the
English words of these contracts ('warehouse', 'crane', 'pallet') searched by their Hebrew terms. Two question
words of one predicate ('לכמה זמן ובאיזה מרחק אסור …') are two parts, each asked of the predicate, and a part after
', ולפי איזה' is a part; a distance asked ('מרחק') is the radius a clause states. A comparison that names each contract by its parties or
its subject ('מוכר המסעדה', 'היוצרת') rather than by its kind compares those two contracts. 'גם אם …' (even if)
is no condition the answer depends on. A total of prices per unit ('₪2,000 לכל פוסט ו-₪400 לכל סטורי') is each
price times the count of its unit another clause states ('4 פוסטים ו-8 סטוריז'), added up.
A fake lexical library, no database, no model; every figure of a reply is in the question, a cited passage or
the calculation it shows.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.compute import amount_sum, quantity_asked
from sochen.agents.answering.extractive import _parts
from sochen.agents.answering.language import hebrew_terms
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

SALE = "הסכם מכר עסק — מסעדת הזית, עכו"
STORE = 'הסכם שירותי אחסנה — מחסני העמק בע"מ ופרי הגליל בע"מ'
EVENT = 'הסכם הפקת כנס — הפקות הכרמל בע"מ ואיגוד המתכננים'
PROMO = 'הסכם שיתוף פעולה שיווקי — מותג אור בע"מ ויוצרת התוכן דנה שגיא'

CHUNKS = [
    (
        SALE,
        "הסכם מכר עסק",
        'בין: מר אבי לוי, ת"ז 012345674, מרחוב הים 4, עכו, להלן: "המוכר";\n'
        'לבין: טעמי הצפון בע"מ, ח.פ. 516000111, מרחוב הגפן 2, נהריה, להלן: "הקונה";\n'
        'הואיל והמוכר הוא הבעלים של מסעדה הפועלת בשם "מסעדת הזית" בעכו, והקונה מבקשת לרכוש אותה כעסק חי;',
    ),
    (SALE, "2. התמורה › 2.1", "2. התמורה\n2.1 התמורה בעד הציוד של המסעדה היא ₪90,000."),
    (
        SALE,
        "3. המסירה › 3.3",
        "3. המסירה\n3.3 במשך 21 ימים מיום המסירה יעבוד המוכר במסעדה ללא תמורה, כדי להדריך את הקונה במתכונים.",
    ),
    (SALE, "4. אי-תחרות › 4.1", "4. אי-תחרות\n4.1 במשך 18 חודשים מיום המסירה לא יפתח המוכר מסעדה מתחרה בעכו."),
    (SALE, "4. אי-תחרות › 4.2", "4.2 האיסור שבסעיף 4.1 חל ברדיוס של 5 קילומטרים מהמסעדה."),
    (
        STORE,
        "הסכם שירותי אחסנה",
        'בין: מחסני העמק בע"מ, ח.פ. 516222333, מעפולה (להלן: "המחסן");\n'
        'לבין: פרי הגליל בע"מ, ח.פ. 515444555, מטבריה (להלן: "הלקוחה");',
    ),
    (
        STORE,
        "3. התעריפים › 3.1",
        '3. התעריפים\n3.1 הלקוחה תשלם למחסן לפי התעריפים שבטבלה שלהלן, לפני מע"מ:\n'
        "השירות: אחסון · יחידת החיוב: משטח לחודש · התעריף: ₪40\n"
        "השירות: קליטת סחורה · יחידת החיוב: משטח · התעריף: ₪15\n"
        "השירות: משלוח · יחידת החיוב: משלוח · התעריף: ₪90",
    ),
    (STORE, "3. התעריפים › 3.2", "3.2 דמי האחסון לחודש יחושבו לפי מספר המשטחים המרבי שאוחסן באותו חודש."),
    (
        STORE,
        "4. התשלום › 4.3",
        "4. התשלום\n4.3 על סכום שלא שולם במועדו תשלם הלקוחה ריבית פיגורים בשיעור 2% לחודש.",
    ),
    (STORE, "5. ביטוח › 5.2", "5. ביטוח\n5.2 המחסן יבטח את הסחורה שבמחסן בביטוח אש ופריצה."),
    (
        PROMO,
        "2. התמורה › 2.1",
        '2. התמורה\n2.1 בעד הקמפיין תשלם החברה ליוצרת ₪2,000 לכל פוסט ו-₪400 לכל סטורי, בתוספת מע"מ.',
    ),
    (
        PROMO,
        "3. בלעדיות › 3.1",
        "3. בלעדיות\n3.1 במשך תקופת הקמפיין ו-2 חודשים לאחריה לא תפרסם היוצרת תוכן ממומן של מותג אחר.",
    ),
    (EVENT, "2. המחיר › 2.3", "2. המחיר\n2.3 המזמין יחויב בעד 150 משתתפים לפחות, גם אם השתתפו בכנס פחות."),
    (EVENT, "1. הכנס › 1.1", "1. הכנס\n1.1 המפיקה תפיק למזמין את הכנס השנתי, שייערך במרכז הכנסים בחיפה."),
    (PROMO, "1. הקמפיין › 1.1", "1. הקמפיין\n1.1 היוצרת תפרסם בחשבון שלה 4 פוסטים ו-8 סטוריז על מוצרי החברה."),
    (PROMO, "4. זכויות › 4.1", "4. זכויות\n4.1 החברה רשאית להשתמש בתכנים שפרסמה היוצרת במשך 12 חודשים."),
]


def ask(question: str) -> Reply:
    reply = answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())
    assert_sourced(reply, question)
    return reply


# --- a party named by its own name: its clauses call it by its role ---


def test_a_party_named_by_name_is_answered_by_the_clause_on_its_role() -> None:
    reply = ask("לכמה זמן אסור לאבי לוי לפתוח מסעדה?")
    assert reply.status == "answered" and clauses(reply) == ["4.1"], reply.text
    assert "18 חודשים" in reply.text


# --- the amount of a thing the clause names without stating it ---


def test_the_amount_of_a_thing_its_clause_does_not_state_is_refused() -> None:
    reply = ask("מה סכום ביטוח האש שעושה המחסן לסחורה?")
    assert reply.status == "not_found" and not reply.citations, reply.text


def test_the_amount_a_clause_states_is_still_answered() -> None:
    reply = ask("מה גובה ריבית הפיגורים שמשלמת הלקוחה?")
    assert reply.status == "answered" and "2%" in reply.text and clauses(reply) == ["4.3"], reply.text


# --- parties of two contracts in one question ---


def test_parties_of_two_contracts_are_no_contract_between_them() -> None:
    reply = ask("כמה משטחים מאחסנת מסעדת הזית במחסני העמק?")
    assert reply.status == "not_found" and not reply.citations, reply.text


# --- a rate per month of the question's amount, for the months it names ---


def test_a_monthly_rate_for_two_months_said_as_the_dual() -> None:
    q = "חשבונית של ₪10,000 שולמה באיחור של חודשיים. כמה ריבית פיגורים תשלם הלקוחה?"
    reply = ask(q)
    assert reply.status == "answered" and reply.calculation is not None, reply.text
    assert reply.calculation.endswith("₪400") and "₪200" in reply.calculation and "חודשיים" in reply.calculation
    assert clauses(reply) == ["4.3"]


def test_a_monthly_rate_for_the_months_counted() -> None:
    reply = ask("חשבונית של ₪10,000 שולמה באיחור של 3 חודשים. כמה ריבית פיגורים תשלם הלקוחה?")
    assert reply.calculation is not None and reply.calculation.endswith("₪600"), reply.text


def test_a_monthly_rate_is_not_one_month_of_an_unstated_period() -> None:
    reply = ask("חשבונית של ₪10,000 שולמה באיחור. כמה ריבית פיגורים תשלם הלקוחה?")
    assert reply.calculation is None or "₪200" not in reply.calculation, reply.calculation


# --- two prices per unit are no total ---


def test_two_prices_per_unit_are_not_added() -> None:
    reply = ask('כמה תקבל דנה שגיא בעד הקמפיין, לפני מע"מ?')
    assert reply.calculation is None or "2,400" not in reply.calculation, reply.calculation
    assert "2,400" not in reply.text


def test_a_total_of_prices_per_unit_times_the_counts_another_clause_states() -> None:
    reply = ask('כמה תקבל דנה שגיא בסך הכול בעד כל הפוסטים והסטוריז, לפני מע"מ?')
    assert reply.status == "answered" and reply.calculation is not None, reply.text
    assert reply.calculation == "4 × ₪2,000 = ₪8,000; 8 × ₪400 = ₪3,200; ₪8,000 + ₪3,200 = ₪11,200"
    assert set(clauses(reply)) == {"2.1", "1.1"}


def test_an_amount_added_to_another_is_still_summed() -> None:
    added = amount_sum(["דמי הטיפול הם ₪1,800 בתוספת ₪900 לחומרים."])
    assert added is not None and added.result == Decimal(2700)
    assert amount_sum(['₪2,000 לכל פוסט ו-₪400 לכל סטורי, בתוספת מע"מ.']) is None


# --- a count of a noun that may begin with a prefix letter, times a table row's rate per that unit ---


def test_a_count_of_a_plural_noun_starting_with_a_prefix_letter() -> None:
    assert quantity_asked("אוחסנו 280 משטחים במחסן") == (Decimal(280), "משטחים")
    assert quantity_asked("הזמינה 2,400 מסגרות") == (Decimal(2400), "מסגרות")
    assert quantity_asked("הפגישה ב-5 בינואר") is None and quantity_asked("נשארו 3 מהם") is None
    assert quantity_asked("המדד של אוקטובר 2026 עמד על 107.1 נקודות") is None  # a year is no count


def test_a_count_times_the_rate_of_the_table_row_of_its_unit() -> None:
    q = "כמה דמי אחסון תשלם הלקוחה על 150 משטחים לחודש?"
    reply = ask(q)
    assert reply.status == "answered" and reply.calculation is not None, reply.text
    assert reply.calculation.endswith("₪6,000") and "₪40" in reply.calculation, reply.calculation
    assert clauses(reply) == ["3.1"]


# --- English words of these contracts ---


def test_english_words_of_warehousing_rental_and_marketing_contracts() -> None:
    terms = hebrew_terms("the warehouse pallet, the crane operator, the creator's posts and the campaign")
    assert {"מחסן", "משטח", "מנוף", "מפעיל", "היוצרת", "פוסט", "קמפיין"} <= set(terms.split()), terms


# --- two question words of one predicate; a part after ', ולפי איזה' ---


def test_two_question_words_of_one_predicate_are_two_parts() -> None:
    assert _parts("לכמה זמן ובאיזה מרחק אסור למוכר לפתוח מסעדה?") == [
        "לכמה זמן אסור למוכר לפתוח מסעדה?",
        "באיזה מרחק אסור למוכר לפתוח מסעדה?",
    ]
    assert _parts("מה הסכום המינימלי, ולפי איזה מספר משטחים מחושבים דמי האחסון?") == [
        "מה הסכום המינימלי",
        "ולפי איזה מספר משטחים מחושבים דמי האחסון",
    ]
    assert _parts("כמה זמן אסור למוכר לפתוח מסעדה?") == ["כמה זמן אסור למוכר לפתוח מסעדה?"]


def test_how_long_and_how_far_a_non_compete_reaches() -> None:
    reply = ask("לכמה זמן ובאיזה מרחק אסור למוכר לפתוח מסעדה?")
    assert reply.status == "answered" and clauses(reply) == ["4.1", "4.2"], reply.text
    assert "18 חודשים" in reply.text and "5 קילומטרים" in reply.text


# --- a comparison that names each contract by its parties ---


def test_a_comparison_of_two_contracts_named_by_their_parties() -> None:
    reply = ask("לכמה זמן אסור למוכר המסעדה להתחרות, לעומת תקופת הבלעדיות של היוצרת?")
    assert reply.status == "answered" and clauses(reply) == ["4.1", "3.1"], reply.text
    assert "18 חודשים" in reply.text and "2 חודשים" in reply.text


# --- 'גם אם' is no condition ---


def test_even_if_is_no_condition_the_answer_depends_on() -> None:
    reply = ask("על כמה משתתפים לכל הפחות ישלם המזמין, גם אם יגיעו פחות?")
    assert reply.status == "answered" and "2.3" in clauses(reply) and "150 משתתפים" in reply.text, reply.text
