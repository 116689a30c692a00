"""Kinds the tenth example archive showed (archive10), on a small Hebrew archive of its own.

The act a clause's period runs from may be told after the date the question gives as well as before it
('ב-03/11/2026 קיבלה המעצבת את המקדמה', 'מסרנו ב-10/11/2026 הודעה בכתב').
A share of an amount 'כולל מע"מ' ('מקדמה בשיעור 25% מהתמורה, כולל מע"מ') of an amount the contract states before
VAT is that share of the amount with VAT at the contract's rate, shown as two steps — never the share of the
amount before VAT.
A rent per dunam ('₪900 לדונם לשנה') over the whole plot is the rate times the plot's area in dunams, as a rent per
m² is over a shop's area.
A thing asked by its ordinal ('בן משפחה שלישי') that the clause gives only another ordinal of ('בן משפחה שני') is
not in the documents: the clause of the neighbouring ordinal is no answer.
'How much' of a charge ('כמה קנס', 'כמה פיצוי') is not answered by a clause that states no amount and no
percentage (the cancelling clause says how to cancel, not a fine for cancelling otherwise).
English questions about the contract kinds of the tenth archive (data processing, photography, a kindergarten, a
trademark assignment, farmland) are searched by the Hebrew terms of their words ('processor' → 'המעבד', 'a security
breach' → 'אירוע אבטחה', not the collateral 'security' of a loan).
A rate said as what every extra hour is charged ('כל שעת צילום נוספת … תחויב ב-₪400') is a rate per hour; and
'within 14 days' ('תוך 14 ימים ממסירת הסרטון') says when, it is no quantity of days to multiply.
A count the question gives ('יש לנו היום 12 אתרים') picks, of a table priced by bands of that count ('6 עד 20
אתרים'), the row whose band holds it — not the first row.
A fake lexical library, no database, no model; every figure of a reply is in the question or a cited passage.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

GYM = 'הסכם מנוי שנתי לסטודיו — סטודיו תנועה בע"מ ודנה לוי'
STUDIO = 'הסכם שירותי עיצוב גרפי — פיקסל סטודיו בע"מ וקפה השדרה בע"מ'
HOSTING = 'הסכם שירותי אחסון אתרים — ענן הגליל בע"מ ומשרד הנדסה גולן בע"מ'
VINEYARD = 'הסכם שכירות קרקע לכרם — אגודת מטעי הגולן ויקב כרם יעל בע"מ'
PRIVACY = 'הסכם לעיבוד מידע — מרפאת השקמה בע"מ ודיגיטל פלוס בע"מ'
VIDEO = 'הסכם הפקת סרטון תדמית — עין שלישית הפקות בע"מ ומאפיית השקד בע"מ'

CHUNKS = [
    (GYM, "הסכם מנוי שנתי לסטודיו", 'בין: סטודיו תנועה בע"מ, להלן: "הסטודיו";\nלבין: דנה לוי, להלן: "המנויה";'),
    (GYM, "1. המנוי › 1.1", "1. המנוי\n1.1 המנוי בתוקף ל-12 חודשים, מיום 1 בינואר 2026 ועד יום 31 בדצמבר 2026."),
    (GYM, "1. המנוי › 1.2", "1.2 המנויה רשאית להשתתף בכל שיעורי הסטודיו, בתיאום מראש באפליקציה."),
    (GYM, "2. דמי המנוי › 2.1", '2. דמי המנוי\n2.1 דמי המנוי הם ₪290 לחודש, כולל מע"מ.'),
    (GYM, "2. דמי המנוי › 2.2", "2.2 דמי המנוי ייגבו בכרטיס אשראי ב-1 לכל חודש."),
    (GYM, "2. דמי המנוי › 2.3", "2.3 בן משפחה שני שנרשם לסטודיו באותה שנה יקבל הנחה של 10% מדמי המנוי."),
    (GYM, "3. ביטול › 3.1", "3. ביטול\n3.1 המנויה רשאית לבטל את המנוי בהודעה בכתב של 45 ימים."),
    (GYM, "3. ביטול › 3.2", "3.2 הקפאת המנוי אפשרית פעם בשנה, לתקופה של עד חודשיים."),
    (
        STUDIO,
        "הסכם שירותי עיצוב גרפי",
        'בין: פיקסל סטודיו בע"מ, להלן: "המעצבת";\nלבין: קפה השדרה בע"מ, להלן: "הלקוחה";',
    ),
    (STUDIO, "1. העבודה › 1.1", "1. העבודה\n1.1 המעצבת תעצב ללקוחה לוגו, תפריט ושלט חזית."),
    (STUDIO, "1. העבודה › 1.2", "1.2 המעצבת תמסור את הסקיצות הראשונות תוך 21 ימים מקבלת המקדמה."),
    (STUDIO, "2. התמורה › 2.1", '2. התמורה\n2.1 התמורה בעד העבודה היא ₪9,600, לפני מע"מ.'),
    (STUDIO, "2. התמורה › 2.2", '2.2 לתמורה יתווסף מע"מ בשיעור 18%.'),
    (STUDIO, "2. התמורה › 2.3", '2.3 במעמד החתימה תשלם הלקוחה מקדמה בשיעור 25% מהתמורה, כולל מע"מ.'),
    (
        VIDEO,
        "הסכם הפקת סרטון תדמית",
        'בין: עין שלישית הפקות בע"מ, להלן: "המפיקה";\nלבין: מאפיית השקד בע"מ, להלן: "המזמינה";',
    ),
    (VIDEO, "1. הסרטון › 1.1", "1. הסרטון\n1.1 המפיקה תפיק למזמינה סרטון תדמית באורך של עד 90 שניות."),
    (VIDEO, "2. התמורה › 2.1", '2. התמורה\n2.1 התמורה בעד הסרטון היא ₪20,000, בתוספת מע"מ בשיעור 18%.'),
    (VIDEO, "2. התמורה › 2.2", "2.2 ביום תחילת הצילומים תשלם המזמינה מקדמה בשיעור 40% מהתמורה."),
    (VIDEO, "2. התמורה › 2.3", '2.3 כל שעת צילום נוספת מעבר ליום הצילום תחויב ב-₪400, לפני מע"מ.'),
    (VIDEO, "2. התמורה › 2.4", "2.4 יתרת התמורה, בשיעור 60% מהתמורה, תשולם תוך 14 ימים ממסירת הסרטון."),
    (
        HOSTING,
        "הסכם שירותי אחסון אתרים",
        'בין: ענן הגליל בע"מ, להלן: "הספקית";\nלבין: משרד הנדסה גולן בע"מ, להלן: "הלקוח";',
    ),
    (HOSTING, "1. השירות › 1.1", "1. השירות\n1.1 הספקית תאחסן את אתרי האינטרנט של הלקוח ותגבה אותם מדי יום."),
    (
        HOSTING,
        "2. דמי השירות › 2.1",
        '2. דמי השירות\n2.1 הלקוח ישלם דמי אחסון חודשיים לפי מספר האתרים, בתוספת מע"מ בשיעור 18%:',
    ),
    (
        HOSTING,
        "2. דמי השירות › 2.1",
        "מספר האתרים | דמי האחסון לחודש\n"
        "מספר האתרים: עד 5 אתרים · דמי האחסון לחודש: ₪450\n"
        "מספר האתרים: 6 עד 20 אתרים · דמי האחסון לחודש: ₪1,200\n"
        "מספר האתרים: 21 אתרים ומעלה · דמי האחסון לחודש: ₪2,800",
    ),
    (HOSTING, "2. דמי השירות › 2.2", "2.2 דמי האחסון ישולמו בתנאי שוטף + 30 ימים."),
    (HOSTING, "3. הקמה › 3.1", "3. הקמה\n3.1 דמי ההקמה של האתרים הם ₪2,000."),
    (
        HOSTING,
        "3. הקמה › 3.2",
        "3.2 דמי ההקמה ישולמו כך:\n(א) 40% מדמי ההקמה — במעמד החתימה;\n"
        "(ב) 60% מדמי ההקמה — תוך 30 ימים מיום העלאת האתרים לאוויר.",
    ),
    (
        VINEYARD,
        "הסכם שכירות קרקע לכרם",
        'בין: אגודת מטעי הגולן, להלן: "המשכירה";\nלבין: יקב כרם יעל בע"מ, להלן: "השוכרת";',
    ),
    (VINEYARD, "1. המושכר › 1.1", "1. המושכר\n1.1 המשכירה משכירה לשוכרת חלקה בשטח 40 דונם, לנטיעת כרם ענבי יין."),
    (VINEYARD, "2. דמי השכירות › 2.1", '2. דמי השכירות\n2.1 דמי השכירות הם ₪900 לדונם לשנה, בתוספת מע"מ כדין.'),
    (VINEYARD, "2. דמי השכירות › 2.2", "2.2 דמי השכירות ישולמו פעם בשנה, ביום 1 בנובמבר."),
    (PRIVACY, "הסכם לעיבוד מידע", 'בין: מרפאת השקמה בע"מ, להלן: "המרפאה";\nלבין: דיגיטל פלוס בע"מ, להלן: "המעבד";'),
    (PRIVACY, "1. אבטחת מידע › 1.1", "1. אבטחת מידע\n1.1 המעבד ישמור את המידע בשרתים הנמצאים בישראל בלבד."),
    (
        PRIVACY,
        "1. אבטחת מידע › 1.2",
        "1.2 המעבד יודיע למרפאה על אירוע אבטחה חמור תוך 48 שעות מהרגע שנודע לו עליו.",
    ),
    (PRIVACY, "2. סיום › 2.1", "2. סיום\n2.1 בתום ההסכם ימחק המעבד את כל המידע, לרבות הגיבויים, תוך 60 ימים."),
]


def ask(question: str) -> Reply:
    reply = answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())
    assert_sourced(reply, question)
    return reply


# --- the act a period runs from, told before or after the date ---


def test_the_act_may_be_told_after_the_date_it_happened_on() -> None:
    reply = ask("ב-03/11/2026 קיבלה המעצבת את המקדמה. עד איזה תאריך היא צריכה למסור את הסקיצות?")
    assert reply.status == "answered" and clauses(reply) == ["1.2"], reply.text
    assert "03/11/2026 + 21 ימים = 24/11/2026" in reply.text, reply.text


def test_the_act_told_before_the_date_still_counts() -> None:
    reply = ask("מסרתי לסטודיו הודעת ביטול בכתב ב-20/03/2026. עד מתי המנוי שלי בתוקף?")
    assert reply.status == "answered" and "20/03/2026 + 45 ימים = 04/05/2026" in reply.text, reply.text


# --- a share of an amount 'including VAT' of an amount stated before VAT ---


def test_a_deposit_of_the_price_including_vat_adds_the_vat_first() -> None:
    reply = ask("כמה מקדמה תשלם קפה השדרה למעצבת בחתימה?")
    assert reply.status == "answered" and {"2.1", "2.2", "2.3"} <= set(clauses(reply)), reply.text
    assert "₪9,600 × 1.18 = ₪11,328" in reply.text and "25% × ₪11,328 = ₪2,832" in reply.text, reply.text
    assert "₪2,400" not in reply.text, reply.text  # not 25% of the price before VAT


def test_a_deposit_of_the_price_alone_is_a_share_of_the_price() -> None:
    reply = ask("כמה מקדמה תשלם המאפייה למפיקה ביום תחילת הצילומים?")
    assert reply.status == "answered" and "40% × ₪20,000 = ₪8,000" in reply.text, reply.text


# --- a count the question gives picks the table row whose band of that count holds it ---


def test_a_count_picks_the_row_of_its_band() -> None:
    reply = ask('יש לנו היום 12 אתרים אצל ענן הגליל. כמה נשלם להם בחודש, כולל מע"מ?')
    assert reply.status == "answered" and "₪1,200 × 1.18 = ₪1,416" in reply.text, reply.text
    assert "₪450" not in reply.text and "₪2,800" not in reply.text, reply.text


def test_a_count_beyond_the_last_band_picks_the_open_band() -> None:
    reply = ask("משרד גולן מאחסן 30 אתרים. מה דמי האחסון החודשיים שלו?")
    assert reply.status == "answered" and "₪2,800" in reply.text, reply.text
    assert "₪450" not in reply.text and "₪1,200" not in reply.text, reply.text


# --- a rate per dunam times the plot's area in dunams ---


def test_a_rent_per_dunam_over_the_whole_plot() -> None:
    reply = ask('כמה דמי שכירות משלם היקב בשנה על כל החלקה, לפני מע"מ?')
    assert reply.status == "answered" and {"1.1", "2.1"} <= set(clauses(reply)), reply.text
    assert "40 דונם × ₪900 = ₪36,000" in reply.text, reply.text


def test_a_rent_per_dunam_over_the_whole_plot_asked_in_english() -> None:
    reply = ask("What is the yearly rent for the whole plot of the vineyard lease, before VAT?")
    assert reply.status == "answered" and "₪36,000" in reply.text, reply.text


def test_the_rent_of_one_dunam_is_not_multiplied() -> None:
    reply = ask("כמה עולה דונם אחד לשנה בהסכם של כרם יעל?")
    assert reply.status == "answered" and "₪900" in reply.text and "36,000" not in reply.text, reply.text


# --- a thing asked by an ordinal the clause does not give ('שלישי' where it says 'שני') ---


def test_a_discount_for_a_third_family_member_is_not_the_second_ones() -> None:
    reply = ask("איזו הנחה מקבל בן משפחה שלישי שנרשם לסטודיו תנועה?")
    assert reply.status == "not_found" and "10%" not in reply.text, reply.text


def test_a_discount_for_the_second_family_member_is_quoted() -> None:
    reply = ask("איזו הנחה מקבל בן משפחה שני שנרשם לסטודיו תנועה?")
    assert reply.status == "answered" and "10%" in reply.text and clauses(reply) == ["2.3"], reply.text


def test_a_weekday_is_no_ordinal_of_a_thing() -> None:
    reply = ask("אפשר להירשם לשיעורי הסטודיו ביום שלישי?")
    assert reply.reason != "other_ordinal", reply.text


# --- 'how much' of a charge is not answered by a clause without an amount ---


def test_how_much_of_a_fine_is_not_answered_by_a_clause_without_an_amount() -> None:
    reply = ask("כמה קנס משלמת המנויה אם היא מבטלת את המנוי בלי הודעה בכתב?")
    assert reply.status == "not_found", reply.text


def test_how_much_of_a_discount_is_answered_by_its_percentage() -> None:
    reply = ask("כמה הנחה מקבל בן משפחה שני שנרשם לסטודיו?")
    assert reply.status == "answered" and "10%" in reply.text, reply.text


# --- English words of the tenth archive's contract kinds ---


def test_english_a_security_breach_is_a_security_incident() -> None:
    reply = ask("Within how many hours must the processor report a serious security breach to the clinic?")
    assert reply.status == "answered" and clauses(reply) == ["1.2"] and "48" in reply.text, reply.text


def test_english_where_the_processor_keeps_the_data() -> None:
    reply = ask("In which country must the processor keep the servers with the data?")
    assert reply.status == "answered" and clauses(reply) == ["1.1"], reply.text


def test_english_deleting_the_data_at_the_end() -> None:
    reply = ask("How many days does the processor have to delete the data when the agreement ends?")
    assert reply.status == "answered" and clauses(reply) == ["2.1"] and "60" in reply.text, reply.text


def test_english_a_charge_no_contract_names_is_not_found() -> None:
    reply = ask("Does the processor charge travel expenses for a visit to the clinic?")
    assert reply.status == "not_found", reply.text


# --- 'every extra hour is charged ₪X' is a rate per hour; 'within N days' is no quantity ---


def test_every_extra_hour_charged_is_a_rate_per_hour() -> None:
    reply = ask("הצילומים נמשכו 3 שעות מעבר ליום הצילום. כמה תשלם המאפייה על השעות הנוספות?")
    assert reply.status == "answered" and "3 × ₪400 = ₪1,200" in reply.text, reply.text


def test_every_extra_hour_charged_asked_in_english_with_vat() -> None:
    reply = ask("The video shoot ran 2 hours over. How much extra does the bakery pay, including VAT?")
    assert reply.status == "answered" and "2 × ₪400 = ₪800" in reply.text and "₪944" in reply.text, reply.text


def test_within_some_days_says_when_and_is_no_quantity() -> None:
    reply = ask("כמה תשלם המאפייה למפיקה תוך 14 ימים ממסירת הסרטון?")
    assert reply.status == "answered" and "60% × ₪20,000 = ₪12,000" in reply.text, reply.text


def test_a_sub_clause_named_by_its_due_time_gives_its_share() -> None:
    reply = ask("כמה ישלם משרד גולן לענן הגליל תוך 30 ימים מיום העלאת האתרים?")
    assert reply.status == "answered" and "60% × ₪2,000 = ₪1,200" in reply.text, reply.text
