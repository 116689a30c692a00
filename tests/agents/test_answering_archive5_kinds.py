"""Kinds of question the fifth example archive showed (issue 16, archive5), on a small Hebrew archive of its own.

A per-day payment times the days asked is held to the cap a sibling clause sets ('לא יעלה על'); a percentage rise
'לעומת הסכום הנקוב בסעיף 3.1' is taken of that clause's amount, not of another amount the question's words fit; a
figure in points ('107.1 נקודות') is no clause number, and an amount linked to an index is that amount times the
new index over the base index the clause states (a fall of the index leaves it when the clause says so); 'בשנה
מסוימת' dates the asker's story and asks no yearly amount; a split of an amount between named recipients ('60%
לאדמה ו-40% לסולאר נגב') gives each its share of the amount the question states.
A fake lexical library, no database, no model; every figure of a reply is in the question, a cited passage or
the calculation it shows.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

SUPPLY = 'הסכם אספקה — יציקות הכרמל בע"מ ותעשיות שחר בע"מ'
FLAT = "הסכם שכירות דירה — רחוב הגפן 12, חולון"
VENTURE = 'הסכם מיזם משותף — רוח הגליל בע"מ ונוף השקעות בע"מ'
PARTS = 'הסכם אספקת רכיבים — מפעלי הדרום בע"מ ומערכות אור בע"מ'
BOOK = 'הסכם הוצאה לאור — הוצאת שקד בע"מ והסופר אלי מור'
SOFTWARE = 'הסכם פיתוח תוכנה — ענן כחול בע"מ ומשלוחי הדרום בע"מ'

CHUNKS = [
    (SUPPLY, "2. המחיר › 2.1", '2. המחיר\n2.1 המחיר ליחידה הוא ₪35, לפני מע"מ.'),
    (
        SUPPLY,
        "4. איחור באספקה › 4.1",
        '4. איחור באספקה\n4.1 על כל יום איחור במועד האספקה ישלם הספק למזמינה פיצוי מוסכם בסך 1,800 ש"ח.',
    ),
    (SUPPLY, "4. איחור באספקה › 4.2", "4.2 סך הפיצוי המוסכם בשל איחור במשלוח אחד לא יעלה על ₪27,000."),
    (SUPPLY, "4. איחור באספקה › 4.3", "4.3 איחור של יותר מ-21 ימים מקנה למזמינה זכות לבטל את המשלוח."),
    (SUPPLY, "6. אחריות › 6.1", "6. אחריות\n6.1 אחריותו הכוללת של הספק לא תעלה על ₪300,000."),
    (SUPPLY, "1. תקופת ההסכם › 1.1", "1. תקופת ההסכם\n1.1 ההסכם בתוקף לשלוש שנים, מיום 1 בינואר 2026."),
    (SUPPLY, "6. אחריות › 6.3", "6.3 המוצרים יהיו נקיים מפגמים בחומרים ובייצור במשך 12 חודשים מיום האספקה."),
    (SUPPLY, "6. אחריות › 6.2", '6.2 הספק יחזיק ביטוח חבות מוצר בגבול אחריות של שלושה מיליון ש"ח למקרה.'),
    (
        SOFTWARE,
        "5. אחריות ותחזוקה › 5.1",
        '5. אחריות ותחזוקה\n5.1 המפתחת תתקן ללא תמורה כל תקלה שתתגלה בתוך 90 ימים מיום הקבלה (להלן: "תקופת האחריות").',
    ),
    (
        SOFTWARE,
        "5. אחריות ותחזוקה › 5.2",
        "5.2 בתום תקופת האחריות תספק המפתחת שירותי תחזוקה תמורת דמי תחזוקה חודשיים של ₪6,000.",
    ),
    (SOFTWARE, "6. הגבלת אחריות › 6.1", "6. הגבלת אחריות\n6.1 אחריותה הכוללת של המפתחת לא תעלה על 50% מהתמורה הכוללת."),
    (
        PARTS,
        "1. ההזמנות › 1.2",
        "1. ההזמנות\n1.2 המזמינה תזמין את הרכיבים בהזמנות רכש בכתב; כל הזמנה תכלול 300 יחידות לפחות.",
    ),
    (
        PARTS,
        "3. המחיר › 3.1",
        "3. המחיר\n3.1 המחיר ליחידה נקבע לפי מדרגת הכמות שבהזמנה, כמפורט בטבלה שלהלן:\n"
        "כמות היחידות בהזמנה: 300 עד 999 יחידות · מחיר ליחידה: ₪40\n"
        "כמות היחידות בהזמנה: 1,000 עד 2,999 יחידות · מחיר ליחידה: ₪36\n"
        "כמות היחידות בהזמנה: 3,000 יחידות ומעלה · מחיר ליחידה: ₪31",
    ),
    (
        FLAT,
        "3. דמי השכירות › 3.1",
        "3. דמי השכירות\n3.1 דמי השכירות החודשיים הם ₪6,000 (ששת אלפים שקלים חדשים), וישולמו מראש ב-1 בכל חודש.",
    ),
    (
        FLAT,
        "3. דמי השכירות › 3.2",
        "3.2 דמי השכירות צמודים למדד המחירים לצרכן; המדד הבסיסי הוא מדד אפריל 2026, שעמד על 120.0 נקודות. "
        "ירידת המדד לא תפחית את דמי השכירות מתחת לסכום הנקוב בסעיף 3.1.",
    ),
    (
        FLAT,
        "2. התקופה › 2.2",
        "2. התקופה\n2.2 בתקופת האופציה יעלו דמי השכירות ב-5% לעומת הסכום הנקוב בסעיף 3.1.",
    ),
    (
        FLAT,
        "6. פינוי › 6.1",
        "6. פינוי\n6.1 על כל יום איחור בפינוי הדירה בתום תקופת השכירות ישלם השוכר למשכיר "
        'דמי שימוש ראויים בסך 350 ש"ח ליום.',
    ),
    (
        VENTURE,
        "3. הרווחים › 3.1",
        "3. הרווחים\n3.1 הרווח הנקי שנותר לחלוקה יחולק בין הצדדים כך: 70% לנוף ו-30% לרוח הגליל.",
    ),
    (VENTURE, "2. ההון › 2.1", "2. ההון\n2.1 נוף תשקיע בהון השותפות ₪5,000,000, ותעמיד לה את זכויות החכירה בקרקע."),
    (VENTURE, "2. ההון › 2.2", '2.2 רוח הגליל תשקיע בהון השותפות 2,000,000 ש"ח, ותעמיד לה את הידע ואת ההיתרים.'),
    (VENTURE, "2. ההון › 2.3", "2.3 ההון ישולם בשני תשלומים שווים."),
    (
        VENTURE,
        "1. המיזם › 1.1",
        "1. המיזם\n1.1 הצדדים מקימים מיזם משותף להקמה ולהפעלה של חוות רוח באזור התעשייה של מעלות.",
    ),
    (VENTURE, "4. הניהול › 4.1", "4. הניהול\n4.1 המיזם ינוהל בידי ועדת היגוי בת 6 חברים, שלושה מטעם כל צד."),
    (VENTURE, "4. הניהול › 4.2", "4.2 ועדת ההיגוי תתכנס לפחות פעם ברבעון, במשרדי נוף בחיפה."),
    (VENTURE, "3. הרווחים › 3.2", "3.2 רוח הגליל תקבל דמי ניהול שנתיים בסך ₪90,000."),
    (BOOK, "2. ההדפסה › 2.1", "2. ההדפסה\n2.1 המהדורה הראשונה של הספר תודפס בהיקף של 1,500 עותקים לפחות."),
    (BOOK, "1. הזכויות › 1.2", "1. הזכויות\n1.2 הזכויות ניתנות להוצאה לתקופה של 5 שנים מיום צאת הספר לאור לראשונה."),
    (BOOK, "2. ההדפסה › 2.2", "2.2 המחיר לצרכן של הספר לא יפחת מ-₪79."),
    (
        BOOK,
        "4. התמלוגים › 4.5",
        "4. התמלוגים\n4.5 על כל עותק של הספר האלקטרוני שנמכר תשלם ההוצאה לסופר 30% מההכנסה נטו של ההוצאה ממכירתו.",
    ),
    (BOOK, "3. המקדמה › 3.1", '3. המקדמה\n3.1 ההוצאה תשלם לסופר מקדמה על חשבון התמלוגים בסך 12,000 ש"ח.'),
    (
        BOOK,
        "3. המקדמה › 3.2",
        "3.2 המקדמה תקוזז מהתמלוגים שיגיעו לסופר, והסופר לא יחזיר אותה גם אם התמלוגים לא יגיעו לסכומה.",
    ),
    (SUPPLY, "6. אחריות › 6.4", "6.4 עלה שיעור היחידות הפגומות במשלוח על 2%, רשאית המזמינה להחזיר את המשלוח כולו."),
    (
        FLAT,
        "5. תיקונים › 5.2",
        '5. תיקונים\n5.2 השוכר ישלם השתתפות עצמית בהוצאות תיקון מכשיר חשמלי בסך 300 ש"ח לכל תיקון.',
    ),
    (
        FLAT,
        "1. המושכר › 1.3",
        "1. המושכר\n1.3 השוכר רשאי להחזיק בדירה חתול אחד; החזקת בעל חיים אחר טעונה הסכמת המשכיר.",
    ),
    (
        SOFTWARE,
        "2. התמורה › 2.1",
        '2. התמורה\n2.1 התמורה הכוללת בעד פיתוח המערכת היא ₪400,000, לפני מע"מ, ותשולם בשלושה תשלומים.',
    ),
    (SOFTWARE, "2. התמורה › 2.4", '2.4 לכל תשלום יתווסף מע"מ כדין, בשיעור של 18%.'),
    (
        SOFTWARE,
        "הסכם פיתוח תוכנה",
        'בין: ענן כחול בע"מ, ח.פ. 516111222, מרחוב הברזל 3, תל אביב (להלן: "המפתחת");\n'
        'לבין: משלוחי הדרום בע"מ, ח.פ. 514333444, מרחוב העצמאות 8, אשדוד (להלן: "הלקוחה");',
    ),
    (
        VENTURE,
        "הסכם מיזם משותף",
        'בין: רוח הגליל בע"מ, ח.פ. 515555666, מכרמיאל (להלן: "רוח הגליל");\n'
        'לבין: נוף השקעות בע"מ, ח.פ. 513777888, מחיפה (להלן: "נוף");',
    ),
]


def ask(question: str) -> Reply:
    reply = answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())
    assert_sourced(reply, question)
    return reply


# --- a per-day payment held to the cap of its sibling clause ---


def test_days_of_delay_beyond_the_cap_pay_the_cap() -> None:
    reply = ask("המשלוח סופק באיחור של 20 ימים. כמה פיצוי מוסכם ישלם הספק?")
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪36,000" in reply.calculation and reply.calculation.endswith("₪27,000")
    assert set(clauses(reply)) == {"4.1", "4.2"}


def test_days_of_delay_within_the_cap_are_the_rate_times_the_days() -> None:
    reply = ask("המשלוח סופק באיחור של 5 ימים. כמה פיצוי מוסכם ישלם הספק?")
    assert reply.status == "answered" and reply.calculation is not None
    assert reply.calculation.endswith("₪9,000") and "27,000" not in reply.calculation


# --- a rise over the amount of the clause the rule names ---


def test_a_rise_over_the_amount_of_the_clause_the_rule_names() -> None:
    reply = ask("אם השוכר יממש את האופציה, כמה דמי שכירות ישלם בתקופת האופציה, לפני הפרשי הצמדה?")
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪6,300" in reply.calculation and "350" not in reply.calculation
    assert set(clauses(reply)) == {"2.2", "3.1"}


# --- an amount linked to an index in points ---


def test_a_figure_in_points_is_no_clause_number_and_the_rent_follows_the_index() -> None:
    reply = ask("המדד שפורסם לפני תשלום דמי השכירות של ספטמבר עמד על 123.6 נקודות. כמה דמי שכירות ישלם השוכר?")
    assert reply.status == "answered" and reply.calculation is not None
    assert reply.calculation.endswith("₪6,180")
    assert set(clauses(reply)) == {"3.1", "3.2"}


def test_a_fall_of_the_index_leaves_the_rent_when_the_clause_says_so() -> None:
    reply = ask("המדד שפורסם לפני תשלום דמי השכירות עמד על 118.8 נקודות. כמה דמי שכירות ישלם השוכר?")
    assert reply.status == "answered" and reply.calculation is not None
    assert reply.calculation.endswith("₪6,000") and "5,940" not in reply.calculation


# --- a split of the question's amount between named recipients ---


def test_each_recipient_gets_its_share_of_the_amount_the_question_gives() -> None:
    reply = ask("בשנה מסוימת נותר לחלוקה רווח נקי של ₪1,200,000. כמה תקבל כל אחת מהשותפות במיזם?")
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪840,000" in reply.calculation and "₪360,000" in reply.calculation
    assert clauses(reply) == ["3.1"]


def test_the_recipient_the_question_names_gets_its_share() -> None:
    reply = ask("בשנה מסוימת נותר לחלוקה רווח נקי של ₪1,200,000. כמה תקבל רוח הגליל?")
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪360,000" in reply.calculation and "840,000" not in reply.calculation


# --- what the question asks: a count, a total without VAT, a pet; a percentage of its own contract's amount ---


def test_how_many_copies_asks_a_count_not_a_price() -> None:
    reply = ask("בכמה עותקים לפחות יודפס הספר בהדפסה הראשונה?")
    assert reply.status == "answered" and "1,500" in reply.text and clauses(reply)[0] == "2.1"


def test_a_total_before_vat_is_not_a_total_with_vat() -> None:
    reply = ask('כמה תשלם הלקוחה בסך הכול על פיתוח המערכת, לפני מע"מ?')
    assert reply.status == "answered" and "400,000" in reply.text
    assert "472,000" not in reply.text and "18%" not in (reply.calculation or "")


def test_a_pet_is_what_the_contract_calls_an_animal() -> None:
    reply = ask("האם מותר לגדל חיית מחמד בדירה?")
    assert reply.status == "answered" and clauses(reply)[0] == "1.3"


def test_a_percentage_of_one_contract_is_never_taken_of_another_contracts_amount() -> None:
    reply = ask("מה גובה המקדמה שמקבל הסופר, ובכמה אחוזים יעלו דמי השכירות בתקופת האופציה?")
    assert "12,000" in reply.text
    assert "600" not in (reply.calculation or "")  # 5% (the flat's rise) × ₪12,000 (the book's advance)


# --- a party of another contract ---


def test_a_party_of_another_contract_gets_nothing_from_this_one() -> None:
    reply = ask("כמה דמי ניהול שנתיים מקבלת ענן כחול מהמיזם?")
    assert reply.status == "not_found" and not reply.citations


def test_the_contracts_own_party_is_answered() -> None:
    reply = ask("כמה דמי ניהול שנתיים מקבלת רוח הגליל מהמיזם?")
    assert reply.status == "answered" and "90,000" in reply.text and clauses(reply) == ["3.2"]


# --- a share asked is the percentage the clause states ---


@pytest.mark.parametrize(
    "question",
    [
        "איזה חלק מההכנסה נטו של ההוצאה מהספר האלקטרוני מקבל הסופר?",
        "What share of the publisher's net e-book revenue goes to the author?",
    ],
)
def test_the_share_asked_is_the_percentage_the_clause_states(question: str) -> None:
    reply = ask(question)
    assert reply.status == "answered" and "30%" in reply.text and clauses(reply) == ["4.5"]


# --- a count in a table of quantity bands priced per unit ---


def test_a_count_is_priced_at_the_band_that_holds_it() -> None:
    reply = ask("המזמינה הזמינה 1,200 מסגרות בהזמנה אחת. כמה תשלם עליהן?")
    assert reply.status == "answered" and reply.calculation is not None
    assert reply.calculation.endswith("1,200 × ₪36 = ₪43,200")


def test_the_band_open_upwards_holds_a_count_above_it() -> None:
    reply = ask("המזמינה הזמינה 4,000 יחידות בהזמנה אחת. כמה תשלם עליהן?")
    assert reply.status == "answered" and reply.calculation is not None
    assert reply.calculation.endswith("4,000 × ₪31 = ₪124,000")


def test_the_price_of_one_at_the_count_ordered_is_the_bands_row() -> None:
    reply = ask("כמה עולה מסגרת אחת כשהמזמינה מזמינה 1,500 יחידות?")
    assert reply.status == "answered" and "₪36" in reply.text and not reply.calculation


def test_a_count_below_every_band_is_not_priced_at_another_band() -> None:
    reply = ask("כמה עולה הזמנה של 100 יחידות?")
    assert "₪3,100" not in reply.text and "₪4,000" not in reply.text and "₪3,600" not in reply.text


# --- a cap asked is a limit clause ('לא תעלה על'), on each side of a comparison ---


def test_the_liability_cap_of_each_contract_is_its_limit_clause() -> None:
    reply = ask("מה תקרת האחריות בהסכם האספקה לעומת הסכם פיתוח התוכנה?")
    assert reply.status == "answered" and "300,000" in reply.text and "50%" in reply.text
    assert "שלושה מיליון" not in reply.text and "6,000" not in reply.text


# --- an agreement's term said in words; each named document asked its own part ---


def test_an_agreements_term_in_words_is_its_term_not_a_warranty_period() -> None:
    reply = ask("לכמה זמן נחתם הסכם האספקה?")
    assert reply.status == "answered" and clauses(reply)[0] == "1.1" and "שלוש שנים" in reply.text


def test_each_named_document_answers_its_own_part() -> None:
    reply = ask("לכמה זמן נחתם הסכם האספקה, ולכמה זמן ניתנו הזכויות בהסכם ההוצאה לאור?")
    assert reply.status == "answered" and "שלוש שנים" in reply.text and "5 שנים" in reply.text
    assert set(clauses(reply)) == {"1.1", "1.2"}


def test_a_second_part_that_only_names_its_document_asks_the_first_parts_thing() -> None:
    reply = ask("כמה משלמים על כל יום איחור בהסכם האספקה, וכמה בהסכם השכירות?")
    assert reply.status == "answered" and "1,800" in reply.text and "350" in reply.text


# --- the same thing asked of each party: the sibling clause that says it of the other ---


def test_what_each_party_invests_is_both_parallel_clauses() -> None:
    reply = ask("כמה כסף משקיעה כל אחת מהחברות בהון של המיזם?")
    assert reply.status == "answered" and "5,000,000" in reply.text and "2,000,000" in reply.text
    assert set(clauses(reply)) == {"2.1", "2.2"}


def test_what_one_party_invests_is_its_own_clause() -> None:
    reply = ask("כמה כסף משקיעה נוף בהון של המיזם?")
    assert reply.status == "answered" and clauses(reply) == ["2.1"]


def test_an_english_question_about_each_partys_capital_in_a_joint_venture() -> None:
    reply = ask("How much capital does each party invest in the joint venture?")
    assert reply.status == "answered" and set(clauses(reply)) == {"2.1", "2.2"}


# --- 'the minimum quantity' is a number said with 'לפחות' ---


def test_the_minimum_quantity_is_the_clause_that_states_it() -> None:
    reply = ask("מה הכמות המינימלית שהמזמינה יכולה להזמין בהזמנה אחת של רכיבים?")
    assert reply.status == "answered" and clauses(reply)[0] == "1.2" and "300 יחידות לפחות" in reply.text


def test_a_second_part_that_compares_asks_the_first_parts_thing_of_its_document() -> None:
    reply = ask("כמה משלמים על כל יום איחור באספקה לפי הסכם האספקה, ובכמה זה שונה מהסכם השכירות?")
    assert reply.status == "answered" and "1,800" in reply.text and "350" in reply.text


# --- a later part that speaks of the first part's subject by a pronoun ---


def test_a_pronoun_in_the_second_part_asks_about_the_first_parts_subject() -> None:
    reply = ask("מה גובה המקדמה שמקבל הסופר, והאם הוא צריך להחזיר אותה אם הספר לא נמכר מספיק?")
    assert reply.status == "answered" and set(clauses(reply)) == {"3.1", "3.2"}
    assert "המשלוח" not in reply.text and "240" not in (reply.calculation or "")


# --- a count of a noun asked ('מכמה חברים') is answered by the unit that counts it, in other words ---


def test_a_count_asked_in_other_words_is_the_unit_that_counts_the_noun() -> None:
    reply = ask("מכמה חברים מורכב הגוף שמנהל את חוות הרוח במעלות?")
    assert reply.status == "answered" and clauses(reply)[0] == "4.1" and "6 חברים" in reply.text


def test_an_amount_paid_is_no_count_of_its_noun() -> None:
    reply = ask("כמה השתתפות עצמית ישלם השוכר על תיקון מכשיר חשמלי?")
    assert reply.status == "answered" and clauses(reply)[0] == "5.2"
