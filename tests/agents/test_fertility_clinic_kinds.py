"""Kinds a fertility and women's health clinic, whose patients write WhatsApp Hebrew, English and Arabic, showed
the model-free agent getting wrong, as general rules.

An English or Arabic writer in an emergency hears first, in their language, to call now and which numbers (taken
from the owner's own Hebrew instructions, nothing added); 'heavy bleeding' is an emergency as 'דימום חזק' is, and
the owner's phrase 'יש לו חום' said in English ('he has a fever') is the owner's phrase. The words of such a
clinic's patients (eggs, embryos, freezing, cheques, بويضات, تجميد, شيكات) find the Hebrew row or clause. The
agent's own not-found reply in English or Arabic is a refusal to the evaluation too. A fake lexical library; no
database, no model.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.answering import Reply, answer
from sochen.agents.answering.language import hebrew_terms
from sochen.agents.emergency import emergency_reply
from sochen.agents.extract import is_emergency
from sochen.config import TenantConfig
from sochen.evals.assertions import is_refusal
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

TZ = ZoneInfo("Asia/Jerusalem")
SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=TZ)
PRICES = "מחירון — מרכז נועם לפוריות, נתניה"
POLICIES = "נהלים — מרכז נועם לפוריות"

# -- an emergency said in English or Arabic: the numbers to call, in the writer's language ---------------------

OWN = (
    'דימום שאינו נפסק או התעלפות — התקשרו למד"א 101. כאבים חזקים אחרי פעולה — הרופא התורן בטלפון 052-3318840. '
    "מי שביטלה פחות מיום לפני תחויב ב-180 ₪; ביום חמישי 08:00–13:00 בלבד."
)


def _config(**emergency: object) -> TenantConfig:
    return TenantConfig.model_validate({"slug": "noam", "name": "מרכז נועם", "agent": {"emergency": emergency}})


def test_an_english_writer_hears_to_call_now_with_the_owners_numbers():
    reply, citations = emergency_reply("My wife fainted after the procedure", _config(instructions=OWN), [])
    lead, _, rest = reply.partition("\n\n")
    assert "Call now" in lead and "101 (Magen David Adom" in lead and "052-3318840" in lead
    assert "180" not in lead and "08:00" not in lead  # a fee and an hour are no number to call
    assert rest == OWN and citations == []


def test_an_arabic_writer_hears_it_in_arabic_and_a_hebrew_writer_gets_the_text_as_written():
    arabic, _ = emergency_reply("زوجتي فقدت الوعي", _config(instructions=OWN), [])
    assert arabic.startswith("هذه حالة طارئة") and "اتصلوا الآن" in arabic and "052-3318840" in arabic
    assert emergency_reply("אשתי התעלפה", _config(instructions=OWN), []) == (OWN, [])


def test_instructions_without_a_number_get_no_lead():
    own = "פנו מיד לחדר המיון הקרוב."
    assert emergency_reply("She fainted", _config(instructions=own), []) == (own, [])


@pytest.mark.parametrize(
    "text",
    ["She is bleeding heavily since the operation this morning", "very heavy bleeding after the IUD insertion"],
)
def test_heavy_bleeding_in_english_is_an_emergency(text):
    assert is_emergency(text)


def test_the_owners_phrase_said_in_english_without_its_small_words():
    assert is_emergency("my son has a fever and he is shaking", extra=["יש לו חום"]) == "יש לו חום"
    assert is_emergency("my son has a fever and he is shaking") is None  # without the owner's phrase


# -- the words of a fertility clinic's patients find the Hebrew row or clause ------------------------------------

CHUNKS = [
    (
        PRICES,
        "טיפולים",
        "טיפולים\nטיפול | מחיר\nטיפול: הקפאת עוברים · מחיר: 2,100 ₪\nטיפול: בדיקת דם לאסטרדיול · מחיר: 140 ₪",
    ),
    (POLICIES, "4. תשלום › 4.2", "4.2 אין תשלום בצ'קים; משלמים בכרטיס אשראי או בהעברה."),
    (POLICIES, "5. אחרי הרדמה › 5.1", "5.1 אחרי הרדמה אסור לנהוג 12 שעות, ומגיעים עם מלווה."),
]
CONFIG = TenantConfig.model_validate({"slug": "noam", "name": "מרכז נועם", "agent": {"answer_mode": "extractive"}})


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library(), now=SUNDAY)


def test_the_words_have_hebrew_terms():
    assert {"הקפאה", "עוברים"} <= set(hebrew_terms("How much is it to freeze embryos?").split())
    assert {"הקפאה", "עוברים"} <= set(hebrew_terms("كم سعر تجميد الأجنة؟").split())
    assert "צ'קים" in hebrew_terms("بتاخدوا شيكات؟")


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("How much is embryo freezing?", "2,100"),
        ("Can I pay with cheques?", "4.2"),
        ("How long after anaesthesia until I can drive?", "12"),
    ],
)
def test_english_questions_find_the_hebrew_row_or_clause(question, fact):
    reply = ask(question)
    assert fact in reply.text, reply.text


# -- the agent's own not-found reply in the writer's language is a refusal ---------------------------------------


def test_the_built_in_not_found_replies_in_other_languages_are_refusals():
    persona_not_found = "לא מצאתי תשובה לכך במסמכים שברשותי."
    assert is_refusal(
        "I could not find this in our documents. I can pass your question to a person on our team.", persona_not_found
    )
    assert is_refusal("لم أجد إجابة على ذلك في مستنداتنا. يمكنني تحويل سؤالك إلى أحد أفراد فريقنا.", persona_not_found)
    assert not is_refusal("وفقًا لمستنداتنا: 2,100 ₪", persona_not_found)


# -- an English or Arabic question about a thing the documents do not have is not answered by a neighbour ------


@pytest.mark.parametrize(
    "question",
    [
        "How much is sperm freezing?",  # two words no document says together
        "قديش سعر تجميد البويضات؟",  # 'הקפאה' and 'ביציות': the documents freeze embryos only
    ],
)
def test_a_foreign_question_about_an_absent_thing_is_not_found(question):
    reply = ask(question)
    assert reply.status == "not_found" and "₪" not in reply.text, reply.text


def test_a_foreign_question_about_a_thing_the_documents_have_is_answered():
    assert "2,100" in ask("كم سعر تجميد الأجنة؟").text


# -- a Hebrew question with English words in it: the words are searched by their Hebrew terms, in place ----------


def test_english_words_in_a_hebrew_question_find_the_hebrew_row():
    reply = ask("מה המחיר של embryo freezing אצלכם?")
    assert reply.status == "answered" and "2,100" in reply.text, reply.text


def test_an_english_word_the_documents_say_in_hebrew_is_no_unknown_name():
    reply = ask("אחרי anaesthesia מותר לנהוג? כמה זמן")
    assert "12" in reply.text, reply.text


# -- 'כמה שעות' after a question counts hours, it asks no price ---------------------------------------------------


def _intent(text: str) -> str:
    from sochen.agents.extract import understand_text

    return understand_text(text, now=SUNDAY).intent


@pytest.mark.parametrize("text", ["אחרי ההרדמה אסור לנהוג? כמה שעות", "צריך להגיע עם מלווה לפעולה? לכמה שעות בערך"])
def test_how_many_hours_is_no_price_question(text):
    assert _intent(text) != "price_question"


def test_a_price_with_hours_is_still_a_price_question():
    assert _intent("כמה שעות זה לוקח וכמה זה עולה?") == "price_question"


# -- booking named as the time of a question ('when I book') is no request to book ----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "משלמים מקדמה כשקובעים תור להקפאה?",
        "Is there a deposit to pay when I book the transfer?",
        "هل في دفعة لما نحجز موعد؟",
    ],
)
def test_booking_as_the_time_of_a_question_is_no_booking(text):
    assert _intent(text) != "appointment_request"


@pytest.mark.parametrize("text", ["I want to book a consultation on Monday", "بدي أحجز موعد استشارة يوم الاثنين"])
def test_a_request_to_book_stays_one(text):
    assert _intent(text) == "appointment_request"


# -- 'באילו ימים ד"ר X': the days are what is asked of the person's row, not another entity -----------------------

STAFF = [
    (
        "שעות וצוות — מרכז נועם לפוריות",
        "הצוות וימי הקבלה",
        "הצוות וימי הקבלה\nאיש צוות | תחום | ימי קבלה\n"
        'איש צוות: ד"ר נעמה שגיא · תחום: גינקולוגית · ימי קבלה: ראשון, רביעי\n'
        'איש צוות: ד"ר יואב כץ · תחום: אורולוג · ימי קבלה: שלישי',
    ),
    (POLICIES, "1. תורים › 1.1", "1.1 תור קובעים בטלפון; בשבוע שלפני החגים הזמנים משתנים, ונמסרים ימים מראש."),
]


@pytest.mark.parametrize("question", ['באילו ימים ד"ר נעמה שגיא מקבלת?', 'איזה ימים ד"ר נעמה שגיא עובדת אצלכם?'])
def test_the_days_asked_of_a_named_person_are_her_row(question):
    reply = answer(question, config=CONFIG, library=FakeLibrary(STAFF).library(), now=SUNDAY)
    assert "ראשון, רביעי" in reply.text and "שלישי" not in reply.text, reply.text


# -- a boulevard's address is an address; 'address' asked in English is cued as 'כתובת' is ----------------------

PLACE = [
    ("שעות והגעה — מרכז נועם לפוריות", "", "מרכז נועם לפוריות, שדרות הנשיא 15, קומה 2, נתניה. טלפון 09-8812345."),
    ("שעות והגעה — מרכז נועם לפוריות", "הגעה", "חניה ללא תשלום בחניון הקניון הסמוך.\nקו אוטובוס 5 עוצר ליד הבניין."),
    (POLICIES, "2. פניות › 2.1", "2.1 אל תכתבי פרטים רפואיים בוואטסאפ; פנייה בכתב נשלחת בדואר אלקטרוני."),
]


@pytest.mark.parametrize(
    "question", ["מה הכתובת שלכם? ויש חניה?", "What's your clinic's address? And is there parking?"]
)
def test_the_address_on_a_boulevard_answers_where_the_clinic_is(question):
    reply = answer(question, config=CONFIG, library=FakeLibrary(PLACE).library(), now=SUNDAY)
    assert "שדרות הנשיא 15" in reply.text and "חניה" in reply.text, reply.text


def test_only_alternatives_count_once_a_phrase_counts_word_by_word():
    from sochen.agents.answering.language import hebrew_term_groups

    assert hebrew_term_groups("drive") == [("לנהוג", "נהיגה")]  # a clause says one of them
    assert hebrew_term_groups("notice") == [("הודעה",), ("מראש",), ("מוקדמת",)]  # a phrase: each word counts
    assert "|" not in hebrew_terms("Can I drive after the retrieval?")
