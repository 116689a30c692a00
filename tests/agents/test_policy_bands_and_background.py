"""Kinds a child-development institute and a sports clinic showed the model-free answerer getting wrong.

A policy that holds from an amount up ('1,500 ₪ ומעלה … עד 3 תשלומים') applied to the price of the service a
question names; statements told before the question sentence as its background ('נשארו לנו 3 מפגשים …'); a
sensitive message (the asker's child, diagnoses) whose request a policy clause answers, quoted on this machine
rather than held for a person; the request's own words ('תוכלו', 'פה', 'אותם') that are no topic. A fake
lexical library; no database, no model.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sochen.agents.answering import answer
from sochen.agents.answering.bands import amount_bands, band_holding, row_amounts
from sochen.agents.answering.extractive import _stop
from sochen.config import TenantConfig
from tests.agents._archive_library import FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

POLICY = "נהלים ותשלומים — מכון אלון להתפתחות הילד"
PRICES = "מחירון 2027 — מכון אלון להתפתחות הילד"
CONFIG = TenantConfig.model_validate(
    {"slug": "alon", "name": "מכון אלון", "persona": {"holding_reply": "נציג יחזור אליך."}}
)

RULE = (
    "4.2 תשלום של 1,500 ₪ ומעלה אפשר לחלק עד 3 תשלומים ללא ריבית. תשלום של 4,000 ₪ ומעלה אפשר לחלק עד "
    "6 תשלומים ללא ריבית. סכום נמוך מ-1,500 ₪ משולם בתשלום אחד."
)
CHUNKS = [
    (
        POLICY,
        "4. תשלום",
        "4. תשלום\n4.1 מפגש בודד משולם בסופו. סדרה משולמת מראש.\n" + RULE + "\n"
        "4.3 סדרה בתוקף 6 חודשים. סדרה אינה עוברת לילד אחר, פרט לאח או לאחות של הילד, באישור הרכזת.",
    ),
    (
        POLICY,
        "7. מסמכים",
        '7. מסמכים\n7.1 דוחות אבחון וסיכומי טיפול נמסרים בקבלה או בדואר רשום בלבד, לא בוואטסאפ ולא בדוא"ל.\n'
        "7.2 בקשה לעותק מהתיק מוגשת בכתב.",
    ),
    (
        PRICES,
        "אבחונים",
        "אבחונים\nאבחון | מחיר פרטי | מחיר מנוי\n"
        "אבחון: אבחון רב-תחומי: פסיכולוגית, קלינאית תקשורת ופיזיותרפיסטית · מחיר פרטי: 3,400 ₪ · מחיר מנוי: 2,900 ₪\n"
        "אבחון: אבחון גרפומוטורי אצל מרפאה בעיסוק · מחיר פרטי: 780 ₪ · מחיר מנוי: 620 ₪\n"
        "אבחון: אבחון קשב מקיף עם דוח · מחיר פרטי: 4,600 ₪ · מחיר מנוי: 3,800 ₪",
    ),
    (
        PRICES,
        "טיפולים",
        "טיפולים\nטיפול | מפגש בודד | סדרה של 12\n"
        "טיפול: קלינאות תקשורת — 45 דקות · מפגש בודד: 330 ₪ · סדרה של 12: 3,600 ₪\n"
        "טיפול: פיזיותרפיה לילדים — 45 דקות · מפגש בודד: 350 ₪ · סדרה של 12: 3,900 ₪",
    ),
]


def _ask(question: str, *, sensitive: bool = False):
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library(), sensitive=sensitive)


def test_the_band_that_holds_the_named_services_price_answers_with_both_facts():
    question = "אפשר לשלם על האבחון הרב-תחומי בתשלומים?"
    reply = _ask(question)
    assert reply.status == "answered" and reply.reason == "price_band"
    assert clauses(reply)[0] == "4.2" and "אבחונים" in clauses(reply)[1]
    assert "3,400 ₪" in reply.text and "עד 3 תשלומים" in reply.text
    assert reply.calculation is not None and "≥ ₪1,500" in reply.calculation and "6 תשלומים" not in reply.calculation
    assert_sourced(reply, question)


def test_a_price_below_the_lowest_band_is_answered_by_the_clauses_sentence_for_smaller_sums():
    reply = _ask("אפשר לשלם על אבחון גרפומוטורי בתשלומים?")
    assert reply.reason == "price_band"
    assert reply.calculation is not None and "< ₪1,500" in reply.calculation and "בתשלום אחד" in reply.calculation


def test_prices_of_one_record_in_different_bands_give_no_band():
    # 4,600 ₪ private (up to 6) and 3,800 ₪ for subscribers (up to 3): which one holds is not said.
    assert band_holding(RULE, [Decimal(4600), Decimal(3800)]) is None
    assert _ask("אפשר לשלם על אבחון קשב מקיף בתשלומים?").reason != "price_band"


def test_a_figure_asked_for_is_not_a_band():
    assert _ask("כמה עולה אבחון רב-תחומי בתשלומים?").reason != "price_band"


def test_bands_of_a_clause():
    assert [a for a, _ in amount_bands(RULE)] == [Decimal(1500), Decimal(4000)]
    assert row_amounts("אבחון: x · מחיר פרטי: 3,400 ₪ · מחיר מנוי: 2,900 ₪") == [Decimal(3400), Decimal(2900)]
    assert amount_bands("4.1 מפגש בודד משולם בסופו.") == []


def test_statements_before_the_question_sentence_are_its_background():
    # The statement names a service a price row has; what is asked is passing the sessions on to a sibling.
    reply = _ask("נשארו לנו 5 מפגשים בסדרה של קלינאות תקשורת של הבת שלי. אפשר להעביר אותם לאח שלה?")
    assert reply.status == "answered" and clauses(reply) == ["4.3"]


def test_a_sensitive_request_that_a_policy_answers_is_quoted_not_held():
    question = (
        "שלום, אני אבא של יואב כהן בן 6, הוא אובחן אצלכם עם דיספרקסיה ו-ADHD. תוכלו לשלוח לי פה בוואטסאפ את דוח האבחון?"
    )
    reply = _ask(question, sensitive=True)
    assert not reply.handoff and reply.status == "answered"
    assert clauses(reply) == ["7.1"] and "לא בוואטסאפ" in reply.text


def test_a_sensitive_question_the_documents_do_not_answer_is_still_held():
    reply = _ask("שלום, אני אבא של יואב כהן, הוא אובחן עם אפילפסיה. איזה תרופה כדאי לו לקחת?", sensitive=True)
    assert reply.handoff and reply.reason == "sensitive_no_local"


@pytest.mark.parametrize(
    ("word", "stop"),
    [("פה", True), ("כאן", True), ("תוכלו", True), ("אותם", True), ("בפה", False), ("הפה", False), ("סדרה", False)],
)
def test_words_of_the_request_are_no_topic(word, stop):
    assert _stop(word) is stop


NEED_CHUNKS = [
    (
        "נהלים — מרפאת אורטופדיה צפון",
        "2. הפניות",
        "2. הפניות\n2.1. המרפאה פרטית. לביקור פרטי אצל כירורג כף יד אין צורך בהפניה. 2.2. לאומית: בדיקת כירורג כף "
        "יד בהסדר — בהפניה מרופא המשפחה, בהשתתפות עצמית של 40 ₪.\n2.3. לבדיקת MRI נדרשת הפניה מרופא.",
    ),
    ("נהלים — מרפאת אורטופדיה צפון", "1. תורים", "1. תורים\n1.1. תור לכירורג כף יד נקבע בטלפון או באתר."),
]


def test_whether_a_thing_is_needed_is_answered_by_the_clause_that_says_so():
    library = FakeLibrary(NEED_CHUNKS).library()
    reply = answer("אני צריכה הפניה מרופא משפחה כדי לקבוע תור לכירורג כף יד?", config=CONFIG, library=library)
    assert reply.reason == "need" and clauses(reply) == ["2.1"] and "אין צורך בהפניה" in reply.text
    reply = answer("צריך הפניה לבדיקת MRI?", config=CONFIG, library=library)
    assert reply.reason == "need" and clauses(reply) == ["2.3"]


def test_a_clause_that_only_mentions_the_thing_does_not_say_it_is_needed():
    chunks = [(*NEED_CHUNKS[0][:2], "2.2. לאומית: בדיקה בהסדר — בהפניה מרופא המשפחה."), NEED_CHUNKS[1]]
    reply = answer("צריך הפניה לבדיקה בהסדר?", config=CONFIG, library=FakeLibrary(chunks).library())
    assert reply.reason != "need"


FUNDS = [
    (
        "הסדרי קופות — מרפאת עור השרון",
        "קופות חולים",
        "קופות חולים\nקופה | מה מכוסה | השתתפות עצמית\n"
        "קופה: לאומית שירותי בריאות · מה מכוסה: מיפוי שומות בהסדר ישיר · השתתפות עצמית: 85 ₪ לביקור\n"
        "קופה: כללית · מה מכוסה: אין הסדר ישיר · השתתפות עצמית: —",
    ),
    ("ביטוחים — מרפאת עור השרון", "ביטוח פרטי", "הראל — הסדר ישיר לכריתת שומה: בלי תשלום במרפאה."),
]


def test_a_record_named_and_then_another_of_its_cells_is_that_record():
    # 'לאומית למיפוי שומות' goes on past the record's name with its 'מה מכוסה' cell, not with its name.
    reply = answer("יש לכם הסדר עם לאומית למיפוי שומות?", config=CONFIG, library=FakeLibrary(FUNDS).library())
    assert reply.status == "answered" and "85 ₪" in reply.text


# -- what the rules above must leave alone (review of clinic7) ---------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "מתי משלמים על האבחון הרב-תחומי?",  # when, not whether
        "אפשר לקבל החזר על התשלום של האבחון הרב-תחומי?",  # a refund the clause does not speak of
    ],
)
def test_a_question_about_paying_that_is_not_about_the_band_gets_no_band(question):
    assert _ask(question).reason != "price_band"


def test_a_band_still_answers_when_the_question_names_the_record_and_the_bands_own_words():
    reply = _ask("אפשר לחלק את התשלום על אבחון רב-תחומי?")
    assert reply.reason == "price_band" and clauses(reply)[0] == "4.2"


def test_a_clause_about_the_thing_that_shares_more_of_the_question_keeps_the_need_rule_out():
    # 2.2 (לאומית: in-network, with a referral) shares the asker's fund; 2.1 (private, no referral) would mislead.
    library = FakeLibrary(NEED_CHUNKS).library()
    for question in (
        "אני מבוטחת בלאומית. אני צריכה הפניה לכירורג כף יד?",
        "שלום, אני רונית לוי, יש לי סוכרת ואני מבוטחת בלאומית. אני צריכה הפניה לכירורג כף יד?",
    ):
        reply = answer(question, config=CONFIG, library=library, sensitive="סוכרת" in question)
        assert reply.reason != "need"
        assert reply.handoff or clauses(reply) == ["2.2"]


def test_advice_for_ones_own_case_in_a_sensitive_message_goes_to_a_person():
    question = "שלום, אני אבא של יואב כהן, יש לו ADHD ודיספרקסיה. כדאי לו לעשות אבחון גרפומוטורי?"
    reply = _ask(question, sensitive=True)
    assert reply.handoff and reply.status != "answered"


def test_a_bare_question_sentence_asks_about_what_was_told_before_it():
    reply = _ask("יש לנו תור לאבחון גרפומוטורי. כמה זה עולה?")
    assert reply.status == "answered" and "780 ₪" in reply.text
