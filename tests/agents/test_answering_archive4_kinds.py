"""Kinds of question the fourth example archive showed (issue 16, archive4), on a small Hebrew archive of its own.

A question whose asked thing no document names ('איזו פרמיה') or that the archive names as two words elsewhere
('רישיונות משנה') while the clause found speaks of another thing is refused, not answered by that clause — while
a noun that names the kind of answer ('מהי תקופת ההודעה') is no thing of its own; hours above the hours a fixed
fee covers ('מעבר ל-30 השעות') are the month's total count less those, at their rate, plus the fixed fee — while
hours the question calls extra, or within the allowance, are priced as asked; a fixed amount plus a percentage of
the amount the question gives ('(א) ₪12,000; (ב) 5% מהמחזור'), or the higher of them where the clause says so;
what is missing up to a minimum another clause states ('תמלוגים מינימליים'); a percentage 'ממנה' (of the balance)
is never taken of another amount that stands beside it; 'בחודש שבו' dates the month, it asks no monthly amount.
A fake lexical library, no database, no model; every figure of a reply is in the question, a cited passage or
the calculation it shows.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.compute import asked_operation, times_quantity
from sochen.agents.answering.derive import fixed_plus_share
from sochen.agents.answering.extractive import _parallel, _parts
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

DISTRIBUTION = 'הסכם הפצה — שמן הגליל בע"מ ומפיצי העמק בע"מ'
LICENCE = 'הסכם רישיון תוכנה — קוד ירוק בע"מ ומערכות הנגב בע"מ'
ADVICE = 'הסכם ייעוץ — נתיב תכנון בע"מ ועיריית גבעת הזית'
SHOP = 'הסכם שכירות חנות — מרכז מסחרי הדקל בע"מ וספרי אלון בע"מ'
ARRANGEMENT = 'הסכם הסדר חוב — בנק הגליל המערבי בע"מ ונגריית אורן בע"מ'

CHUNKS = [
    (DISTRIBUTION, "3. יעדים › 3.1", "3. יעדים\n3.1 יעד המכירות השנתי של המפיץ הוא ₪900,000."),
    (DISTRIBUTION, "3. יעדים › 3.2", "3.2 המפיץ ימסור לספק דוח מכירות רבעוני בתוך 15 יום מתום כל רבעון."),
    (LICENCE, "1. הרישיון › 1.2", "1. הרישיון\n1.2 בעל הרישיון לא יעניק רישיונות משנה בלי הסכמת המעניק בכתב."),
    (
        LICENCE,
        "4. תמלוגים › 4.1",
        "4. תמלוגים\n4.1 בעל הרישיון ישלם למעניק תמלוגים בשיעור של 4% מההכנסות נטו ממכירת המערכת.",
    ),
    (
        LICENCE,
        "4. תמלוגים › 4.2",
        "4.2 בכל שנת רישיון ישלם בעל הרישיון תמלוגים מינימליים בסך ₪50,000; היו התמלוגים נמוכים מכך, "
        "ישלים בעל הרישיון את ההפרש בתוך 30 יום מתום השנה.",
    ),
    (LICENCE, "6. סיום › 6.1", "6. סיום\n6.1 כל צד רשאי לסיים את ההסכם בהודעה מוקדמת בכתב של 60 יום."),
    (
        ADVICE,
        "2. התמורה › 2.1",
        '2. התמורה\n2.1 העירייה תשלם ליועץ ריטיינר חודשי בסך ₪18,000, לפני מע"מ, המכסה עד 30 שעות ייעוץ בחודש.',
    ),
    (
        ADVICE,
        "2. התמורה › 2.2",
        '2.2 שעות ייעוץ מעבר ל-30 השעות בחודש ישולמו לפי ₪500 לשעה, לפני מע"מ, באישור מראש.',
    ),
    (ADVICE, "3. סיום › 3.1", "3. סיום\n3.1 העירייה רשאית לסיים את ההסכם בהודעה מוקדמת בכתב של 14 יום."),
    (ADVICE, "3. סיום › 3.2", "3.2 היועץ רשאי לסיים את ההסכם בהודעה מוקדמת בכתב של 45 יום."),
    (ADVICE, "3. סיום › 3.3", "3.3 בתקופת ההודעה המוקדמת ימשיך היועץ לייעץ, והעירייה תמשיך לשלם את הריטיינר."),
    (
        SHOP,
        "5. דמי השכירות › 5.1",
        "5. דמי השכירות\n5.1 השוכרת תשלם בכל חודש את שני אלה: (א) דמי שכירות בסיסיים בסך ₪12,000; "
        '(ב) דמי שכירות נוספים בשיעור 5% מהמחזור החודשי של החנות, לפני מע"מ.',
    ),
    (SHOP, "1. המושכר › 1.1", '1. המושכר\n1.1 המשכיר משכיר לשוכרת חנות בקומת הקרקע, בשטח של 85 מ"ר.'),
    (
        SHOP,
        "6. דמי ניהול › 6.1",
        '6. דמי ניהול\n6.1 השוכרת תשלם לחברת הניהול דמי ניהול בסך ₪42 למ"ר לחודש, לפני מע"מ.',
    ),
    (SHOP, "8. ערבות › 8.1", "8. ערבות\n8.1 השוכרת תמסור ערבות בנקאית בסך ₪60,000."),
    (
        ARRANGEMENT,
        "5. תיקון › 5.1",
        "5. תיקון\n5.1 הנושה יתקן על חשבונו את הליקויים במחסן עד 31 במרץ 2027.",
    ),
    (ARRANGEMENT, "5. תיקון › 5.2", "5.2 לאחר התיקון יעניק הנושה אחריות לתיקון למשך 12 חודשים."),
    (LICENCE, "4. תמלוגים › 4.3", '4.3 לכל סכום לפי הסכם זה יתווסף מע"מ כדין, בשיעור של 18%.'),
    (
        ARRANGEMENT,
        "3. הפרה › 3.1",
        "3. הפרה\n3.1 לא שולם תשלום במועדו, תעמוד יתרת החוב לפירעון מיידי, ותתווסף ליתרה תוספת בשיעור 12% ממנה.",
    ),
    (
        ARRANGEMENT,
        "3. הפרה › 3.2",
        "3.2 להבטחת ההסדר חתמה החייבת על שטר חוב בסך ₪400,000, שיוגש לביצוע רק בהעמדה לפירעון מיידי.",
    ),
]


def ask(question: str) -> Reply:
    reply = answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())
    assert_sourced(reply, question)
    return reply


# --- the asked thing: a word no document uses, or a thing the archive names elsewhere ---


def test_an_asked_thing_no_document_names_is_refused_not_answered_by_the_target_clause() -> None:
    reply = ask("איזו פרמיה מקבל המפיץ אם עמד ביעד המכירות השנתי?")
    assert reply.status == "not_found" and not reply.citations


def test_the_target_itself_is_still_answered() -> None:
    reply = ask("מה יעד המכירות השנתי של המפיץ?")
    assert reply.status == "answered" and "900,000" in reply.text and clauses(reply) == ["3.1"]


def test_a_payment_for_a_thing_the_archive_names_in_another_clause_is_refused() -> None:
    # 'רישיונות משנה' is in 1.2 (no fee there); the royalty clause found says nothing of them.
    reply = ask("כמה משלם בעל הרישיון למעניק על כל רישיון משנה שהוא מעניק?")
    assert reply.status == "not_found" and not reply.citations


def test_a_noun_that_names_the_kind_of_answer_is_no_thing_of_its_own() -> None:
    reply = ask("מהי תקופת ההודעה המוקדמת לסיום הסכם הרישיון?")
    assert reply.status == "answered" and "60 יום" in reply.text and clauses(reply) == ["6.1"]


# --- hours above the hours a fixed fee covers ---


def test_a_months_hours_above_the_allowance_are_paid_at_the_rate_plus_the_fixed_fee() -> None:
    reply = ask('בחודש מסוים עבד היועץ 36 שעות. כמה תשלם לו העירייה על אותו חודש, לפני מע"מ?')
    assert reply.status == "answered" and reply.calculation is not None
    assert "21,000" in reply.calculation and "36 − 30 = 6" in reply.calculation
    assert set(clauses(reply)) == {"2.1", "2.2"}


def test_hours_the_question_calls_extra_are_priced_as_asked() -> None:
    rate = '2.2 שעות ייעוץ מעבר ל-30 השעות בחודש ישולמו לפי ₪500 לשעה, לפני מע"מ.'
    calc = times_quantity("כמה יעלו 4 שעות נוספות של היועץ?", rate)
    assert calc is not None and calc.result == 2000
    within = times_quantity("כמה יעלו 10 שעות של היועץ?", rate)  # within the allowance: the count as asked
    assert within is not None and within.result == 5000
    above = times_quantity("היועץ עבד 36 שעות בחודש. כמה יקבל על השעות?", rate)
    assert above is not None and above.result == 3000


# --- a fixed amount plus a share of the question's amount; the shortfall to a minimum ---


def test_a_fixed_rent_plus_a_share_of_the_turnover_the_question_gives() -> None:
    reply = ask('בחודש שבו המחזור של החנות היה ₪200,000, כמה דמי שכירות תשלם השוכרת לפני מע"מ?')
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪22,000" in reply.calculation and clauses(reply) == ["5.1"]


def test_the_higher_of_the_two_when_the_clause_says_so_and_nothing_for_an_alternative() -> None:
    higher = "5.1 השוכרת תשלם את הגבוה מבין אלה: (א) ₪12,000; (ב) 5% מהמחזור החודשי."
    calc = fixed_plus_share("המחזור היה ₪200,000, כמה תשלם?", higher)
    assert calc is not None and calc.result == 12000
    either = "5.1 השוכרת תשלם ₪12,000 או 5% מהמחזור החודשי."
    assert fixed_plus_share("המחזור היה ₪200,000, כמה תשלם?", either) is None
    # a percentage of something the question gives no amount for: no sum
    assert fixed_plus_share("ההכנסות היו ₪200,000, כמה תשלם?", "5.1 ₪12,000 ו-5% מהמחזור החודשי.") is None


def test_the_shortfall_to_the_minimum_another_clause_states() -> None:
    reply = ask(
        "בשנת הרישיון הראשונה היו ההכנסות נטו ₪1,000,000. כמה צריך בעל הרישיון להשלים למעניק מעבר לתמלוגים לפי השיעור?"
    )
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪40,000" in reply.calculation and "₪50,000 − ₪40,000 = ₪10,000" in reply.calculation
    assert set(clauses(reply)) == {"4.1", "4.2"}


def test_no_shortfall_when_the_royalties_passed_the_minimum() -> None:
    reply = ask(
        "בשנת הרישיון השנייה היו ההכנסות נטו ₪2,000,000. כמה צריך בעל הרישיון להשלים למעניק מעבר לתמלוגים לפי השיעור?"
    )
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪80,000 ≥ ₪50,000 — אין השלמה" in reply.calculation
    assert "− ₪80,000" not in reply.calculation  # no false equation ('₪50,000 − ₪80,000 = ₪0')
    assert set(clauses(reply)) == {"4.1", "4.2"}


def test_a_difference_asked_between_two_amounts_is_no_shortfall() -> None:
    reply = ask("מה ההפרש בין התמלוגים המינימליים לבין התמלוגים על הכנסות נטו של ₪2,000,000?")
    assert "אין השלמה" not in (reply.calculation or "") and "= ₪0" not in (reply.calculation or "")


# --- a percentage of 'it' ---


def test_a_share_of_the_balance_is_never_taken_of_the_promissory_note_beside_it() -> None:
    reply = ask("כמה תעמוד לפירעון מיידי אם החייבת לא שילמה, כולל התוספת?")
    assert reply.status == "answered" and "3.1" in clauses(reply)
    assert "12%" in reply.text
    assert "400,000" not in (reply.calculation or "")
    assert "448,000" not in reply.text


# --- a second part that asks the same of another party (the archive4 bench shows its clause chosen) ---


def test_a_parallel_part_takes_the_first_parts_other_words_but_keeps_its_own_party() -> None:
    parts = _parallel(
        _parts("איזו הודעה מוקדמת צריכה העירייה לתת ליועץ כדי לסיים את ההסכם, ואיזו הודעה צריך היועץ לתת לעירייה?")
    )
    assert len(parts) == 2 and "לסיים" in parts[1] and "מוקדמת" in parts[1]
    assert "ליועץ" not in parts[1]  # the first part's parties are not added: the second asks of its own


def test_a_part_that_asks_something_else_takes_nothing_from_the_first() -> None:
    parts = ["איזו הודעה מוקדמת צריכה העירייה לתת", "ואיזה ביטוח צריך היועץ להחזיק"]
    assert _parallel(parts) == parts
    same_kind = ["כמה זמן לוקח הייעוץ הראשוני", "וכמה זמן תקף הדוח"]  # a kind of answer repeated: two questions
    assert _parallel(same_kind) == same_kind


# --- a rate per square metre over the area the contract states ---


def test_a_fee_per_square_metre_over_the_whole_area_the_lease_states() -> None:
    reply = ask('כמה דמי ניהול משלמת השוכרת בכל חודש על כל שטח החנות, לפני מע"מ?')
    assert reply.status == "answered" and reply.calculation is not None
    assert '85 מ"ר × ₪42 = ₪3,570' in reply.calculation and set(clauses(reply)) == {"1.1", "6.1"}


def test_a_rate_asked_per_square_metre_or_a_yes_no_question_is_not_multiplied() -> None:
    reply = ask('כמה דמי ניהול משלמת השוכרת לפי שטח החנות, למ"ר?')
    assert (
        reply.status == "answered" and reply.calculation is None and "₪42" in reply.text and "3,570" not in reply.text
    )
    reply = ask("האם דמי הניהול נקבעים לפי שטח החנות?")
    assert reply.calculation is None and "3,570" not in reply.text and "6.1" in clauses(reply)


def test_the_fee_per_square_metre_alone_is_quoted_not_multiplied() -> None:
    reply = ask('כמה דמי ניהול למ"ר משלמת השוכרת?')
    assert reply.calculation is None and "42" in reply.text and clauses(reply) == ["6.1"]


# --- English: 'what X does … including VAT' is a total asked; 'by when' is answered by a date ---


def test_an_english_question_of_what_a_party_pays_including_vat_adds_the_vat_the_contract_states() -> None:
    reply = ask("With net revenue of ₪1,000,000, what royalty does the licensee pay, including VAT?")
    assert reply.calculation is not None and "47,200" in reply.calculation
    assert {"4.1", "4.3"} <= set(clauses(reply))


def test_an_english_part_asked_by_when_gets_the_clause_with_the_date() -> None:
    reply = ask("By when must the creditor repair the defects, and how long is the repair warranty?")
    assert "5.1" in clauses(reply) and "31 במרץ 2027" in reply.text


def test_in_the_month_when_dates_the_month_it_asks_no_monthly_amount() -> None:
    assert asked_operation("בחודש שבו המחזור היה ₪200,000, כמה דמי שכירות תשלם השוכרת?") != "per_month"
    assert asked_operation("כמה משלמים בחודש על התחזוקה?") == "per_month"


# --- review a4: a sum only of parts the clause adds; an allowance only for the hours it covers ---


def test_an_alternative_is_found_as_a_word_not_inside_other_words() -> None:
    text = "5.1 השוכרת תשלם את שני אלה: (א) ₪12,000; (ב) 5% מהמחזור החודשי, לפי דוח מאושר באופן רבעוני."
    calc = fixed_plus_share("המחזור החודשי היה ₪200,000, כמה תשלם?", text)
    assert calc is not None and calc.result == 22000  # 'מאושר', 'באופן' hold no 'או'
    assert (
        fixed_plus_share("המחזור החודשי היה ₪200,000, כמה תשלם?", "5.1 (א) ₪12,000 או (ב) 5% מהמחזור החודשי.") is None
    )


def test_an_amount_and_a_percentage_the_clause_does_not_add_are_no_sum() -> None:
    holding = "2.4 הקרן מחזיקה 200,000 מניות, המהוות 20% מההון המונפק, ושילמה בעדן ₪3,000,000."
    assert fixed_plus_share("מה שווי אחזקות הקרן אם ההון המונפק שווה ₪20,000,000?", holding) is None


def test_the_fixed_part_asked_alone_is_quoted_not_summed_nor_a_share_taken() -> None:
    reply = ask("מה דמי השכירות הבסיסיים בחנות אם המחזור החודשי היה ₪200,000?")
    assert reply.status == "answered" and "₪12,000" in reply.text and "5.1" in clauses(reply)
    assert "22,000" not in reply.text and "10,000" not in reply.text


def test_hours_of_a_work_the_rate_clause_bills_besides_are_not_reduced_by_the_allowance() -> None:
    rate = "3.2 שעות עבודה מעבר ל-15 שעות בחודש, וכן העבודה על העסקה, יחויבו לפי התעריפים השעתיים: שותף — ₪1,200 לשעה."
    calc = times_quantity("כמה יעלו 20 שעות עבודה של שותף על העסקה?", rate)
    assert calc is not None and calc.result == 24000 and "20 − 15" not in calc.expression
    monthly = times_quantity("השותף עבד 20 שעות בחודש. כמה יעלו השעות?", rate)
    assert monthly is not None and monthly.result == 6000  # the month's hours above the 15 still
