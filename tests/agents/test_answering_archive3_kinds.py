"""Kinds of question the third example archive showed (issue 16, archive3), on a small Hebrew archive of its own.

A charge per day (or per month) of lateness held to the cap its clause states; a payment per month stated as a
share of an amount the clause names ('130% מדמי השכירות … ₪21,000 לחודש'), times the months the question gives;
the band of a table in shekels ('מ-₪300,001 עד ₪500,000') that holds the question's own amount, and its rate of
that amount; a payment in percentages of the price, not of a fee's cap ('0.5% מהתמורה, ולא יותר מ-₪5,000');
'כמה ימי חופשה בשנה' is a count in a year, not a yearly amount; 'מה יהיה היום האחרון' asks for a date; the
clause that defines a term the question asks about ('להלן: "אזור הבלעדיות"') over the clauses that use it; a
question whose condition no document speaks of ('אם מאבטח נתפס ישן') is refused, not answered by the clause of
another event — while a condition in other forms of the documents' words ('אם תאחר', 'אם נגנב') is answered;
a table row's amount times the count another clause states of the row's item ('על כל המחשבים מדגם ב'');
an English question in contract words (a study fund, a deductible, stolen goods) finds its Hebrew clause, and
one whose condition the clause found does not speak of is refused; in a question of two parts, 'לכמה זמן נחתם
ההסכם' is answered by the term from its start date, though the part's words are not the clause's, and a part
said in other words than its clause's ('צעיר מגיל 24' for 'שגילו פחות מ-24') still gets its own clause; a
non-compete asked 'אחרי הסיום' is the clause of what a party may not do for 'מתחרה' 'מתום ההסכם'; 'הפרשה' (a
contribution) is no 'הפרש' (a difference); an English question of two parts gets a clause for each; a band
scale written in a clause's prose ('99.0% עד פחות מ-99.5% — 5% מדמי התחזוקה; …') is read as a table's; a
question that names a party only one contract has ('הכימאי הראשי') is answered from that contract or refused,
never by another contract's clause that shares its other words.
A fake lexical library, no database, no model; every figure of a reply is in the question, a cited passage or
the calculation it shows.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.compute import asked_operation, floor_or_cap, times_quantity
from sochen.agents.answering.derive import given_date
from sochen.agents.answering.tables import band_of, banded_rate
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

CATERING = 'הסכם הסעדה — מטבחי הכרמל בע"מ ומכללת עמק יזרעאל'
OFFICES = 'הסכם שכירות משרדים — בית הנמל בע"מ ואופק ייעוץ בע"מ'
SUPPLY = 'הסכם אספקה — מאפיות השומרון בע"מ ורשת קפה גפן בע"מ'
HOUSE = 'הסכם מכר בית — נווה ארזים בנייה בע"מ ודנה ועומר שגיא'
STAFF = 'הסכם עבודה — מעבדות גליל מערבי בע"מ ועידו כרמי'
UPKEEP = 'הסכם תחזוקת מעליות — מעליות הכרמל בע"מ ובית משותף רחוב הגפן 12'
RENTAL = 'הסכם השכרת ציוד — מחשוב השרון בע"מ ומכללת גלים'
AGENCY = 'הסכם סוכנות — יבואני הצפון בע"מ וסוכנות ים המלח בע"מ'

CHUNKS = [
    (CATERING, "2. התקופה › 2.1", "2. התקופה\n2.1 ההסכם בתוקף למשך 12 חודשים, מיום 01/09/2026."),
    (CATERING, "3. התמורה › 3.1", '3. התמורה\n3.1 המכללה תשלם לספק ₪38 בעד כל מנה, בתוספת מע"מ כדין.'),
    (
        CATERING,
        "5. איחור › 5.1",
        "5. איחור באספקה\n5.1 לא סיפק הספק את הארוחות במועד, ישלם למכללה ₪250 על כל יום איחור, "
        "ולא יותר מ-₪5,000 בסך הכול.",
    ),
    (CATERING, "5. איחור › 5.2", "5.2 המכללה רשאית לקזז את הפיצוי מהתשלום החודשי."),
    (OFFICES, "4. דמי שכירות › 4.1", "4. דמי שכירות\n4.1 השוכר ישלם דמי שכירות בסך ₪21,000 לחודש."),
    (
        OFFICES,
        "7. פינוי › 7.1",
        "7. פינוי\n7.1 לא פינה השוכר את המשרדים בתום התקופה, ישלם למשכיר דמי שימוש ראויים בשיעור של 130% "
        "מדמי השכירות, בעד כל חודש של איחור בפינוי; לעניין זה דמי השכירות הם ₪21,000 לחודש.",
    ),
    (SUPPLY, "4. הנחות › 4.1", "4. הנחות\n4.1 הרשת תקבל הנחת כמות לפי היקף ההזמנות החודשי, כמפורט בטבלה:"),
    (
        SUPPLY,
        "4. הנחות › 4.1",
        "היקף הזמנות חודשי | הנחת כמות\n"
        "היקף הזמנות חודשי: עד ₪100,000 · הנחת כמות: 5%\n"
        "היקף הזמנות חודשי: מ-₪100,001 עד ₪250,000 · הנחת כמות: 8%\n"
        "היקף הזמנות חודשי: מעל ₪250,000 · הנחת כמות: 11%",
    ),
    (SUPPLY, "4. הנחות › 4.2", "4.2 ההנחה תינתן בחשבונית של אותו חודש."),
    (HOUSE, "2. התמורה › 2.1", '2. התמורה\n2.1 התמורה בעד הבית היא ₪3,400,000, כולל מע"מ.'),
    (
        HOUSE,
        "2. התמורה › 2.2",
        "2.2 התמורה תשולם בתשלומים לפי הטבלה:\nתשלום | מועד | שיעור מהתמורה\n"
        "תשלום: 1 · מועד: במעמד החתימה · שיעור מהתמורה: 15%\n"
        "תשלום: 2 · מועד: עם השלמת הגג · שיעור מהתמורה: 35%\n"
        "תשלום: 3 · מועד: במסירה · שיעור מהתמורה: 50%",
    ),
    (
        HOUSE,
        "6. רישום › 6.2",
        "6. רישום\n6.2 שכר טרחת עורך הדין בעד הרישום יהיה 0.5% מהתמורה, ולא יותר מ-₪6,000, וישולם בידי הקונים.",
    ),
    (STAFF, "הסכם עבודה", "הואיל והמעבדות מבקשות להעסיק את העובד בתפקיד כימאי ראשי, והעובד מסכים לכך;"),
    (STAFF, "2. סיום › 2.1", "2. סיום\n2.1 כל צד רשאי לסיים את העבודה בהודעה מוקדמת בכתב של 30 יום."),
    (STAFF, "5. חופשה › 5.1", "5. חופשה\n5.1 העובד זכאי ל-18 ימי חופשה בשנה, בתשלום מלא."),
    (STAFF, "5. חופשה › 5.2", "5.2 העובד זכאי לדמי הבראה בסך ₪2,700 בשנה."),
    (
        AGENCY,
        "1. המינוי › 1.1",
        '1. המינוי\n1.1 היבואן ממנה את הסוכן לסוכן בלעדי בערים אילת וערד, להלן: "אזור הסוכנות".',
    ),
    (UPKEEP, "3. התמורה › 3.1", "3. התמורה\n3.1 הבית המשותף ישלם דמי תחזוקה חודשיים בסך ₪3,200."),
    (
        UPKEEP,
        "5. זמינות › 5.1",
        "5. זמינות\n5.1 לא עמדה החברה ביעד זמינות המעליות בחודש, יזוכה הבית המשותף כדלקמן: זמינות של 99.0% עד פחות"
        " מ-99.5% — 5% מדמי התחזוקה; זמינות של 97.0% עד פחות מ-99.0% — 15% מדמי התחזוקה; זמינות של פחות"
        " מ-97.0% — 30% מדמי התחזוקה.",
    ),
    (AGENCY, "2. תקופה › 2.1", "2. תקופה\n2.1 ההסכם בתוקף למשך 4 שנים, מיום 01/03/2026."),
    (
        AGENCY,
        "3. יעדים › 3.1",
        "3. יעדים\n3.1 לא עמד הסוכן ביעד המכירות, רשאי היבואן לבטל את הבלעדיות בהודעה של 45 יום.",
    ),
    (AGENCY, "1. המינוי › 1.2", "1.2 הסוכן לא ישווק את המוצרים מחוץ לאזור הסוכנות."),
    (AGENCY, "1. המינוי › 1.3", "1.3 היבואן לא ימנה סוכן אחר באזור הסוכנות."),
    (AGENCY, "6. אי-תחרות › 6.1", "6. אי-תחרות\n6.1 במשך שנה מתום ההסכם לא ישווק הסוכן מוצרים מתחרים באזור הסוכנות."),
    (
        AGENCY,
        "4. פיצויים › 4.1",
        "4. פיצויים\n4.1 לא סופקה הזמנה במועד, ישלם היבואן לסוכן פיצוי מוסכם בסך ₪900 בעד כל הזמנה שלא סופקה.",
    ),
    (
        AGENCY,
        "4. פיצויים › 4.2",
        "4.2 איחר הסוכן בהגשת דוח המכירות, ישלם ליבואן ₪120 על כל יום איחור.",
    ),
    (RENTAL, "1. הציוד › 1.1", "1. הציוד\n1.1 דמי ההשכרה החודשיים לכל מחשב, לפי הדגם:"),
    (
        RENTAL,
        "1. הציוד › 1.1",
        "דגם | דמי השכרה חודשיים למחשב | זיכרון\n"
        "דגם: א' — מחשב נייד בסיסי · דמי השכרה חודשיים למחשב: ₪140 · זיכרון: 16 ג\"ב\n"
        "דגם: ב' — מחשב נייד מתקדם · דמי השכרה חודשיים למחשב: ₪210 · זיכרון: 32 ג\"ב",
    ),
    (RENTAL, "1. הציוד › 1.2", "1.2 במועד החתימה יושכרו למכללה 30 מחשבים מדגם א' ו-12 מחשבים מדגם ב'."),
    (STAFF, "7. אי-תחרות › 7.1", "7. אי-תחרות\n7.1 במשך 3 חודשים מתום העבודה לא יעבוד העובד אצל מתחרה."),
    (STAFF, "6. הפרשות › 6.1", "6. הפרשות\n6.1 המעבדות יפרישו לקרן השתלמות 7.5% מהשכר, והעובד יפריש 2.5%."),
    (STAFF, "6. הפרשות › 6.2", "6.2 המעבדות יפרישו לקופת גמל 6.5% מהשכר לתגמולים ו-8.33% לפיצויים."),
    (
        AGENCY,
        "5. ביטוח › 5.1",
        "5. ביטוח\n5.1 במקרה של גניבה מהמחסן תשלם חברת הביטוח, והסוכן ישלם השתתפות עצמית בסך ₪3,000.",
    ),
    (AGENCY, "5. ביטוח › 5.2", "5.2 נהג של הסוכן שגילו פחות מ-24 שנים — ההשתתפות העצמית בכל אירוע תהיה כפולה."),
]


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())


# --- the pieces ---


def test_a_cap_is_no_rate_and_holds_the_total() -> None:
    clause = "ישלם ₪250 על כל יום איחור, ולא יותר מ-₪5,000 בסך הכול."
    assert floor_or_cap(clause) == (None, Decimal(5000))
    few = times_quantity("איחור של 4 ימים", clause)
    assert few is not None and few.result == Decimal(1000)
    many = times_quantity("איחור של 30 ימים", clause)
    assert many is not None and many.result == Decimal(5000)
    assert "7,500" in many.expression and "₪5,000" in many.expression  # 30 × ₪250 shown, then the cap


def test_a_monthly_payment_stated_as_a_share_of_an_amount() -> None:
    clause = "ישלם דמי שימוש בשיעור של 130% מדמי השכירות, בעד כל חודש של איחור; לעניין זה דמי השכירות הם ₪21,000 לחודש."
    calc = times_quantity("איחור של 2 חודשים", clause)
    assert calc is not None and calc.result == Decimal(54600)  # 130% × 21,000 = 27,300; × 2
    assert "130% × ₪21,000 = ₪27,300" in calc.expression
    # A percentage of something else in the clause is not applied to its rate.
    other = times_quantity("כמה יעלו 10 שעות?", "שכר טרחה ₪850 לשעה, ו-10% מהסכום שייפסק.")
    assert other is not None and other.result == Decimal(8500)


# --- through the answerer ---


def test_days_late_at_a_daily_charge_stop_at_the_clause_cap() -> None:
    question = "הספק איחר באספקת הארוחות ב-30 ימים. כמה פיצוי ישלם למכללה?"
    reply = ask(question)
    assert reply.status == "answered" and "5.1" in clauses(reply)
    assert "₪5,000" in reply.text and reply.calculation is not None
    assert_sourced(reply, question)


def test_months_late_at_a_share_of_the_rent() -> None:
    question = "השוכר פינה את המשרדים באיחור של 2 חודשים. כמה דמי שימוש ישלם?"
    reply = ask(question)
    assert reply.status == "answered" and "7.1" in clauses(reply)
    assert "₪54,600" in reply.text
    assert "₪42,000" not in reply.text  # not 2 × the rent: the clause pays 130% of it
    assert_sourced(reply, question)


def test_a_band_in_shekels_holds_the_question_amount() -> None:
    assert band_of("עד ₪100,000") == (Decimal("-Infinity"), Decimal(100000), "₪")
    assert band_of("מ-₪100,001 עד ₪250,000") == (Decimal(100001), Decimal(250000), "₪")
    rows = [
        "היקף הזמנות חודשי: עד ₪100,000 · הנחת כמות: 5%",
        "היקף הזמנות חודשי: מ-₪100,001 עד ₪250,000 · הנחת כמות: 8%",
        "היקף הזמנות חודשי: מעל ₪250,000 · הנחת כמות: 11%",
    ]
    assert banded_rate("הזמנות בסך ₪180,000", rows) == (1, Decimal(8), "הנחת כמות")
    assert banded_rate("הזמנות בסך ₪100,000", rows) == (0, Decimal(5), "הנחת כמות")  # 'עד' includes its end


def test_the_discount_of_a_band_is_of_the_question_amount() -> None:
    question = "בחודש מסוים הזמינה הרשת מאפים בסך ₪180,000. כמה הנחת כמות תקבל?"
    reply = ask(question)
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪14,400" in reply.text  # 8% of ₪180,000, not 5% of the band's ₪100,000
    assert_sourced(reply, question)


def test_a_payment_in_percentages_of_the_price_is_not_of_a_fee_cap() -> None:
    question = "כמה ישלמו הקונים עם השלמת הגג?"
    reply = ask(question)
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪1,190,000" in reply.text  # 35% × ₪3,400,000
    assert "2.1" in clauses(reply)
    assert "₪2,100" not in reply.text  # not 35% of the registration fee's cap
    assert_sourced(reply, question)


def test_a_count_in_a_year_is_not_a_yearly_amount() -> None:
    assert asked_operation("לכמה ימי חופשה בשנה זכאי העובד?") is None
    assert asked_operation("כמה דמי שכירות בשנה?") == "per_year"
    reply = ask("לכמה ימי חופשה בשנה זכאי העובד?")
    assert reply.status == "answered" and clauses(reply)[0] == "5.1" and "18" in reply.text


def test_the_last_day_asks_for_a_date() -> None:
    assert given_date("העובד מסר הודעת התפטרות ביום 01/12/2026. מה יהיה יום העבודה האחרון שלו?") is not None
    assert given_date("ביום 01/12/2026 נחתם ההסכם. כמה ימי חופשה?") is None
    assert given_date("העובד התפטר ביום 01/12/2026. באיזה יום תסתיים עבודתו?") is not None
    question = "העובד מסר הודעת התפטרות ביום 01/12/2026. מה יהיה יום העבודה האחרון שלו?"
    reply = ask(question)
    assert reply.status == "answered" and "2.1" in clauses(reply)
    assert "31/12/2026" in reply.text


def test_the_clause_that_defines_the_asked_term() -> None:
    reply = ask("באיזה אזור יש לסוכן בלעדיות לשווק את המוצרים?")
    assert reply.status == "answered" and clauses(reply)[0] == "1.1"
    assert "אילת" in reply.text


def test_a_condition_no_document_speaks_of_is_refused() -> None:
    refused = ask("מה הפיצוי המוסכם אם הנהג נתפס נוהג במהירות מופרזת בהזמנה?")
    assert refused.status == "not_found" and not refused.citations
    assert refused.reason == "absent_condition"
    # The documents' words in other forms: lateness ('איחר' → 'יאחר'), theft ('גניבה' → 'נגנבה').
    late = ask("כמה ישלם הסוכן אם יאחר בהגשת דוח המכירות?")
    assert late.status == "answered" and "4.2" in clauses(late)
    stolen = ask("כמה השתתפות עצמית ישלם הסוכן אם סחורה נגנבה מהמחסן?")
    assert stolen.status == "answered" and "5.1" in clauses(stolen)


def test_a_row_amount_times_the_count_a_clause_states() -> None:
    question = "כמה דמי השכרה חודשיים משלמת המכללה על כל המחשבים מדגם ב'?"
    reply = ask(question)
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪2,520" in reply.text  # 12 × ₪210
    assert "1.2" in clauses(reply)
    assert_sourced(reply, question)


def test_english_questions_in_contract_words() -> None:
    fund = ask("How much does the employer contribute to the study fund?")
    assert fund.status == "answered" and clauses(fund)[0] == "6.1" and "7.5%" in fund.text
    stolen = ask("What is the deductible if goods are stolen from the warehouse?")
    assert stolen.status == "answered" and "5.1" in clauses(stolen)
    unsaid = ask("What compensation does the agent pay if its refrigerated trucks run above 8 degrees?")
    assert unsaid.status == "not_found" and not unsaid.citations


def test_a_part_that_asks_the_term_gets_the_term_clause() -> None:
    reply = ask("לכמה זמן נחתם הסכם הסוכנות, ומה הפיצוי על הזמנה שלא סופקה?")
    assert reply.status == "answered"
    assert clauses(reply)[:2] == ["2.1", "4.1"]


def test_a_part_in_other_words_still_gets_its_clause() -> None:
    reply = ask("מה ההשתתפות העצמית בגניבה מהמחסן, ומה הדין כשהנהג צעיר מגיל 24?")
    assert reply.status == "answered"
    assert clauses(reply)[:2] == ["5.1", "5.2"]
    assert "₪3,000" in reply.text and "כפולה" in reply.text


def test_a_non_compete_after_the_end_compared_across_two_contracts() -> None:
    reply = ask("כמה זמן חלה הגבלת התחרות אחרי הסיום בהסכם העבודה לעומת הסכם הסוכנות?")
    assert reply.status == "answered" and reply.reason == "comparison"
    assert clauses(reply) == ["7.1", "6.1"]
    assert "3 חודשים" in reply.text and "שנה" in reply.text


def test_a_contribution_is_no_difference_and_english_parts_each_get_a_clause() -> None:
    assert asked_operation("מה ההפרשה של המעבדות לקרן השתלמות?") is None
    assert asked_operation("מה ההפרש בין התעריפים?") == "difference"
    reply = ask("What does the employer contribute to the provident fund, and what does it pay into the study fund?")
    assert reply.status == "answered" and reply.calculation is None
    assert sorted(clauses(reply)[:2]) == ["6.1", "6.2"]
    assert "did not compute" not in reply.text


def test_a_band_scale_in_prose() -> None:
    question = "זמינות המעליות הייתה 98.2%. כמה זיכוי יקבל הבית המשותף?"
    reply = ask(question)
    assert reply.status == "answered" and reply.calculation is not None
    assert "₪480" in reply.text  # 15% of ₪3,200
    assert sorted(clauses(reply)) == ["3.1", "5.1"]
    assert_sourced(reply, question)


def test_a_party_only_one_contract_has_confines_the_answer_to_it() -> None:
    refused = ask("כמה ישלם הכימאי הראשי על כל יום איחור בהגשת דוח?")
    assert refused.status == "not_found" and not refused.citations  # the agency's late-report clause is not his
    notice = ask("מה ההודעה המוקדמת שצריך הכימאי הראשי לתת?")
    assert notice.status == "answered" and clauses(notice) == ["2.1"]
