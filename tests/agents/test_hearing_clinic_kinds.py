"""Kinds a hearing and speech clinic showed the model-free agent getting wrong, as general rules.

A price list whose columns are variants of one thing (one ear or a pair, a child or an adult, with a doctor's
referral or without one) answers with the variant asked; an emergency keyword the owner configured is found with
a word or two between its words; a past event told before a question is no emergency. A fake lexical library; no
database, no model.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.language import hebrew_terms
from sochen.agents.extract import is_emergency, understand_text
from sochen.config import TenantConfig
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

TZ = ZoneInfo("Asia/Jerusalem")
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=TZ)
PRICES = "מחירון — מכון קשב לשמיעה ודיבור"

CHUNKS = [
    (
        PRICES,
        "בדיקות שמיעה",
        "בדיקות שמיעה\nבדיקה | עם הפניה מרופא | בלי הפניה\n"
        "בדיקה: בדיקת שמיעה למבוגר (45 דקות) · עם הפניה מרופא: 170 ₪ · בלי הפניה: 310 ₪",
    ),
    (
        PRICES,
        "מכשירי שמיעה",
        "מכשירי שמיעה\nדגם | לאוזן אחת | זוג, לשתי האוזניים\n"
        "דגם: מכשיר שמיעה בסיסי מאחורי האוזן · לאוזן אחת: 3,700 ₪ · זוג, לשתי האוזניים: 6,900 ₪",
    ),
    (
        PRICES,
        "קלינאות תקשורת",
        "קלינאות תקשורת\nטיפול | ילד עד גיל 18 | מבוגר\n"
        "טיפול: טיפול בדיבור — פגישה של 45 דקות · ילד עד גיל 18: 280 ₪ · מבוגר: 320 ₪",
    ),
]
CONFIG = TenantConfig.model_validate(
    {
        "slug": "keshev",
        "name": "מכון קשב",
        "agent": {"answer_mode": "extractive", "services": ["בדיקת שמיעה", "מכשיר שמיעה", "טיפול בדיבור"]},
    }
)


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library(), now=SUNDAY)


# -- a price list's columns that are variants of one thing ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown", "hidden"),
    [
        ("אני צריכה מכשיר שמיעה בסיסי רק לאוזן שמאל. כמה זה עולה?", ["3,700 ₪"], ["6,900 ₪"]),
        ("כמה עולה זוג מכשירי שמיעה בסיסיים לשתי האוזניים?", ["6,900 ₪"], ["3,700 ₪"]),
        ("כמה עולה פגישה של טיפול בדיבור לבן שלי, הוא בן 5?", ["280 ₪"], ["320 ₪"]),
        ("אני בן 40, כמה עולה פגישה של טיפול בדיבור?", ["320 ₪"], ["280 ₪"]),
        ("כמה עולה טיפול בדיבור למבוגר?", ["320 ₪"], ["280 ₪"]),
        ("אין לי הפניה מרופא. כמה תעלה לי בדיקת שמיעה?", ["310 ₪"], ["170 ₪"]),
        ("יש לי הפניה מרופא המשפחה, כמה עולה בדיקת שמיעה?", ["170 ₪"], ["310 ₪"]),
        ("כמה עולה טיפול בדיבור לילד?", ["280 ₪"], ["320 ₪"]),
        ("כמה עולה מכשיר שמיעה בסיסי?", ["3,700 ₪", "6,900 ₪"], []),  # no variant named: the whole row
    ],
)
def test_a_price_lists_row_shows_the_variant_asked(text, shown, hidden):
    reply = ask(text)
    assert reply.status == "answered", reply
    assert all(s in reply.text for s in shown) and not any(h in reply.text for h in hidden), reply.text


# -- the owner's emergency phrases, said with other words between, and not of long ago ----------------------

OWN = ["ירידה פתאומית בשמיעה", "פתאום לא שומע", "בלע סוללה"]


@pytest.mark.parametrize(
    "text",
    [
        "התעוררתי היום בבוקר ופתאום אני כמעט לא שומע כלום באוזן ימין. מה לעשות?",
        "הבן שלי בן 3 בלע עכשיו סוללה קטנה של מכשיר השמיעה של סבא שלו!!",
        "מאתמול בערב יש לי ירידה פתאומית בשמיעה באוזן שמאל. אפשר לקבוע תור לבדיקה מחר?",
    ],
)
def test_the_owners_emergency_phrase_with_words_between_is_an_emergency(text):
    assert is_emergency(text, extra=OWN)
    assert understand_text(text, now=SUNDAY, emergency_keywords=OWN).intent == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "לפני שלוש שנים הייתה לי ירידה פתאומית בשמיעה וטופלתי בבית החולים. כמה עולה זוג מכשירים בסיסי?",
        "הילד בלע את כל העוגה ואז שיחק עם השלט. יש בו סוללה חדשה. כמה עולה בדיקת שמיעה לילד?",
    ],
)
def test_a_phrase_of_long_ago_or_words_far_apart_is_not_an_emergency(text):
    assert understand_text(text, now=SUNDAY, emergency_keywords=OWN).intent != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        # A built-in sign is never read as history, whatever else the sentence tells.
        "אבא שלי איבד הכרה עכשיו, לפני חודשיים עבר אירוע מוחי",
        "לפני חודש היה לי קוצר נשימה ועכשיו זה חזר",
        # The owner's phrase told of long ago and of now again is current.
        "לפני שנה הייתה לי ירידה פתאומית בשמיעה, ועכשיו זה חזר באוזן השנייה",
        "לפני שנתיים הייתה לי ירידה פתאומית בשמיעה ושוב היום בבוקר",
    ],
)
def test_history_beside_an_emergency_of_now_is_still_an_emergency(text):
    assert is_emergency(text, extra=OWN)
    assert understand_text(text, now=SUNDAY, emergency_keywords=OWN).intent == "emergency"


# -- dissatisfaction with a purchase and a question whether it can be returned -------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "קניתי אצלכם מכשיר שמיעה לפני 40 יום ואני לא מרוצה ממנו. אפשר להחזיר אותו ולקבל את הכסף?",
        "אני לא מרוצה מהמשקפיים שקניתי. אפשר להחליף אותם?",
    ],
)
def test_a_return_asked_after_dissatisfaction_is_a_question_not_a_complaint(text):
    assert understand_text(text, now=SUNDAY).intent != "complaint"


@pytest.mark.parametrize(
    "text",
    [
        "אני מאוד לא מרוצה. חיכיתי שעה בחדר ההמתנה ואף אחד לא טרח להתנצל",
        "אני לא מרוצה מהמכשיר ואף אחד לא חוזר אליי. אפשר להחזיר אותו?",
        "לא מרוצה מהיחס בקבלה, מה אפשר לעשות?",
    ],
)
def test_dissatisfaction_without_a_return_asked_stays_a_complaint(text):
    assert understand_text(text, now=SUNDAY).intent == "complaint"


# -- the days told since a purchase pick the clause of their window -------------------------------------------

TRIAL = [
    (
        "נהלים — מכון קשב",
        "3. תקופת ניסיון והחזרה",
        "3. תקופת ניסיון והחזרה\n"
        "3.1 לכל מכשיר שמיעה חדש תקופת ניסיון.\n"
        "3.2 מי שמחזיר מכשיר בתוך 45 יום מיום המסירה מקבל את מחירו בחזרה, בניכוי דמי החזרה של 200 ₪.\n"
        "3.3 אחרי 45 יום מיום המסירה אין החזרה של המכשיר; אפשר להחליף אותו לדגם אחר בתוספת ההפרש.\n"
        "3.4 האחריות למכשיר היא לשנתיים.",
    ),
]


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("עברו כבר 60 יום מאז שקיבלתי את מכשיר השמיעה. אני עדיין יכולה להחזיר אותו?", "3.3"),
        ("קיבלתי את המכשיר לפני חודשיים. אפשר עוד להחזיר אותו?", "3.3"),
        ("קניתי מכשיר שמיעה לפני 20 יום. אפשר להחזיר אותו?", "3.2"),
    ],
)
def test_the_days_since_a_purchase_pick_the_clause_of_their_window(text, clause):
    reply = answer(text, config=CONFIG, library=FakeLibrary(TRIAL).library(), now=SUNDAY)
    assert reply.status == "answered", reply
    assert [c.passage.section.split(" › ")[-1] for c in reply.citations] == [clause], reply.text


def test_the_days_since_a_purchase_in_arabic_pick_the_clause_of_their_window():
    text = "اشتريت سماعة عندكم قبل شهر ولم تعجبني. هل يمكنني إرجاعها واسترداد المبلغ؟"
    reply = answer(text, config=CONFIG, library=FakeLibrary(TRIAL).library(), now=SUNDAY)
    assert [c.passage.section.split(" › ")[-1] for c in reply.citations] == ["3.2"], reply.text


# -- Arabic words of a speech-therapy clinic, and an age that is not a period of years -------------------------


def test_arabic_child_session_and_return_are_glossed_and_an_age_is_not_years():
    assert set(hebrew_terms("كم سعر جلسة علاج النطق لطفل عمره 6 سنوات؟").split()) == {"מחיר", "פגישה", "ילד"}
    assert "להחזיר" in hebrew_terms("هل يمكنني إرجاعها واسترداد المبلغ؟").split()
    assert "שנים" in hebrew_terms("كم سعر العقد لمدة 3 سنوات؟").split()  # a period of years stays one


def test_an_arabic_question_for_a_childs_session_shows_the_childs_price():
    config = TenantConfig.model_validate(
        {
            "slug": "keshev",
            "name": "מכון קשב",
            "agent": {
                "answer_mode": "extractive",
                "services": ["בדיקת שמיעה", "מכשיר שמיעה", "טיפול בדיבור"],
                "service_aliases": {"טיפול בדיבור": ["علاج النطق"]},
            },
        }
    )
    library = FakeLibrary(CHUNKS).library()
    reply = answer("مرحبا، كم سعر جلسة علاج النطق لطفل عمره 6 سنوات؟", config=config, library=library, now=SUNDAY)
    assert "280 ₪" in reply.text and "320 ₪" not in reply.text, reply.text


# -- a treatment asked about that no document speaks of ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "יש אצלכם טיפול שיקומי לשיווי משקל לסחרחורות? כמה עולה טיפול?",
        "אתם נותנים טיפול בדיקור לטנטון? כמה זה עולה?",
    ],
)
def test_a_treatment_no_document_speaks_of_is_not_answered_by_a_row_sharing_the_word_treatment(text):
    reply = ask(text)
    assert reply.status == "not_found", reply.text
    assert "₪" not in reply.text


def test_a_treatment_the_documents_name_is_still_answered():
    reply = ask("יש לכם טיפול בדיבור? כמה עולה פגישה?")
    assert reply.status == "answered" and "280 ₪" in reply.text, reply.text


def test_a_sensitive_question_about_a_treatment_no_document_names_gets_the_not_found_reply():
    # 'סחרחורות' makes it health-sensitive; the documents speak of nothing it asks about, so no person would find it
    # there either: the reply says so (and offers a person) instead of holding the asker for a person.
    text = "יש אצלכם טיפול שיקומי לשיווי משקל לסחרחורות? כמה עולה טיפול?"
    reply = answer(text, config=CONFIG, library=FakeLibrary(CHUNKS).library(), now=SUNDAY, sensitive=True)
    assert reply.status == "not_found" and not reply.handoff, reply
