"""Kinds that failed on a foot clinic nobody tuned for (examples/tenants/regel), one test each.

Each test fails without its fix: the rule is general, the wording and material here are only an example of it
(a hearing institute, a dental clinic), never the scenario's own.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sochen.agents.answering import answer
from sochen.agents.answering.extractive import Quote, _one_column
from sochen.agents.extract import is_emergency, understand_text
from sochen.config import TenantConfig
from sochen.privacy import scan
from tests.agents._archive_library import FakeLibrary
from tests.agents.test_conversation_holds_up import Chat, clinic, types  # noqa: F401 (clinic is a fixture)

TZ = ZoneInfo("Asia/Jerusalem")
_MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
_HOURS = "שעות הפעילות — מכון שמע"
_CHUNKS = [
    (
        _HOURS,
        "שעות הפעילות",
        "| יום | שעות | הערות |\n|---|---|---|\n"
        "| ראשון | 09:00–17:00 | |\n"
        "| שלישי | 09:00–12:00, 15:00–18:00 | יום מפוצל: בין 12:00 ל-15:00 המכון סגור |\n"
        "| חמישי | 13:00–20:00 | ביום חמישי המכון פותח בצהריים ופתוח עד הערב |\n",
    ),
    (
        "מחירון — מכון שמע",
        "בדיקות שמיעה",
        "| בדיקה | מבוגר | ילד |\n|---|---|---|\n| בדיקת שמיעה מלאה | 350 ₪ | 280 ₪ |\n",
    ),
]
_CONFIG = TenantConfig.model_validate({"slug": "shmak", "name": "מכון שמע", "agent": {"answer_mode": "extractive"}})


def _column(row: str, question: str) -> str:
    return _one_column(Quote(text=row, section="", hit=None), question).text  # type: ignore[arg-type]


def _ask(question: str):  # type: ignore[no-untyped-def]
    return answer(question, config=_CONFIG, library=FakeLibrary(_CHUNKS).library(), now=_MONDAY)


# -- hours ------------------------------------------------------------------------------------------------------


def test_the_part_of_the_day_with_a_time_is_the_times_not_a_topic():
    """'בצהריים, בסביבות 13:30' places the time, though an hours note says 'בצהריים' of another day: the asked
    day's row answers (the split day's afternoon opening), not 'I did not find'."""
    reply = _ask("אתם פתוחים ביום שלישי בצהריים, בסביבות 13:30?")
    assert "15:00" in reply.text, reply.text


def test_a_time_outside_the_hours_is_told_that_days_hours(clinic):  # noqa: F811
    """Out of hours: the reply says that day's hours (or that it is closed), not only the nearest open time."""
    chat = Chat(clinic, "972520000101")
    closed = chat.say("שמי אורית גל, אפשר תור לסתימה ביום שישי ב-15:00?")
    assert "lead.captured" not in types(closed)
    assert "ביום שישי: 08:00–12:30" in closed.reply, closed.reply
    saturday = Chat(clinic, "972520000102").say("שמי אורית גל, אפשר תור לסתימה בשבת ב-10:00?")
    assert "ביום שבת סגור" in saturday.reply, saturday.reply


def test_that_same_day_is_the_day_asked_before_not_today(clinic):  # noqa: F811
    """'אז ב-10 באותו יום' after a refused Friday afternoon is Friday at 10, not today at 10."""
    chat = Chat(clinic, "972520000103")
    chat.say("שמי אורית גל, אפשר תור לסתימה ביום שישי ב-15:00?")
    done = chat.say("אז ב-11:00 באותו יום")
    assert "lead.captured" in types(done)
    assert done.outcome["events"][0]["payload"]["slots"]["preferred_time"].startswith("2026-11-27T11:00")


# -- understanding: a past visit, a greeting, an infection with fever ------------------------------------------


def test_a_visit_already_made_is_not_a_booking():
    """'נבדקתי אצלכם ביום שלישי … מה יצא?' tells when the visit was; the question is about it, not a time asked."""
    text = "ונבדקתי אצלכם ביום שלישי בבדיקת שמיעה. מה יצא בבדיקה?"
    reading = understand_text(text, now=_MONDAY, services=["בדיקת שמיעה"])
    assert reading.intent != "appointment_request", reading.signals
    booking = understand_text("אפשר תור לבדיקת שמיעה ביום שלישי ב-10?", now=_MONDAY, services=["בדיקת שמיעה"])
    assert booking.intent == "appointment_request"


def test_a_greeting_before_an_id_number_is_not_a_name():
    """'שלום, ת"ז …' greets (though שלום is also a surname); 'יוסי שלום, ת"ז …' is a name."""
    assert not [f for f in scan('שלום, ת"ז 123456782. מה יצא בבדיקה?') if f.type == "name"]
    assert [f for f in scan('יוסי שלום, ת"ז 123456782') if f.type == "name"]


def test_signs_of_infection_with_a_fever_are_the_owners_to_call_an_emergency():
    """An infection with a fever is no built-in emergency: a sore throat, a urinary infection or a pet's red eye with
    a fever is a question for the clinic, not 101 (a review of the rule that said so found 10 false alarms in 191
    conversations). A clinic for whom it is one (a diabetic foot) says so in its own `agent.emergency` phrases."""
    assert is_emergency("לילד יש חום 39 ואדמומיות בגרון, לבטל את הטיפול מחר?", extra=[]) is None
    assert is_emergency("I have a urine infection and fever 38.6, can I come for a urine test?", extra=[]) is None
    assert is_emergency("ابني عنده حرارة 39 وحلقه ملتهب، هل نلغي الموعد؟", extra=[]) is None
    assert is_emergency("פצע ברגל עם מוגלה וחום 39", extra=["פצע ברגל עם מוגלה"])
    # where the owner's own phrases name a fever and a sign of infection, they are one in any language
    owner = ["מוגלה", "אדמומיות שמתפשטת", "חום 38"]
    assert is_emergency("إيدي ملتهبة وفيها قيح، والحرارة 38.5", extra=owner)
    assert is_emergency("The cut on my foot is infected and I have a fever of 39", extra=owner)
    assert is_emergency("לפני שנה היה לי זיהום עם חום 39. היום הכל בסדר. כמה עולה בדיקה?", extra=owner) is None


# -- the address ---------------------------------------------------------------------------------------------

_PLACE = [
    ("מכון שמע — הגעה", "הגעה", "מכון שמע, דרך העצמאות 12, חיפה, קומה 3. חניה בחניון הקניון."),
    ("מכון שמע — הצוות", "הצוות", "ד\"ר רונית אבן — אודיולוגית קלינית. מקבלת בימים א' ו-ג'."),
    ("מכון שמע — הצוות", "הצוות", "יוסי כרמי — מתאים מכשירי שמיעה. מקבל בימים ב' ו-ה'."),
]


def test_a_road_or_boulevard_with_its_number_is_an_address_and_answers_for_a_person_there():
    """'דרך העצמאות 12' is a street address; 'מה הכתובת של ד"ר אבן?' is answered by the place's address, not
    by her line in the staff list that names her but not where."""
    library = FakeLibrary(_PLACE).library()
    reply = answer('מה הכתובת של ד"ר רונית אבן?', config=_CONFIG, library=library, now=_MONDAY)
    assert "דרך העצמאות 12" in reply.text, reply.text


# -- variant columns said in English or Arabic ------------------------------------------------------------------

_DRESSING = "טיפול: חבישת פצע · רגל אחת: 90 ₪ · שתי רגליים: 150 ₪"


def test_one_foot_or_both_feet_said_in_english_or_arabic_names_the_column():
    """'both feet', 'للقدمين' and 'one foot' name a row's per-foot columns as 'שתי רגליים' and 'רגל אחת' do."""
    assert "150" in _column(_DRESSING, "How much is a wound dressing for both feet?")
    assert "90" not in _column(_DRESSING, "How much is a wound dressing for both feet?")
    assert "90" not in _column(_DRESSING, "كم سعر تضميد الجرح للقدمين؟")
    assert "150" not in _column(_DRESSING, "How much is a dressing for one foot?")


# -- a child named by relation ----------------------------------------------------------------------------------

_SPLINTS = [
    (
        "מחירון — מכון יציבה",
        "סדים (מחיר ליחידה, לפי סוג)",
        "| סד | מחיר | זמן הכנה |\n|---|---|---|\n"
        "| סדים מוכנים מהמדף, עם התאמה במקום | 180 ₪ | במקום |\n"
        "| סדים בהתאמה אישית, כולל מדידה | 640 ₪ | 7 ימי עבודה |\n"
        "| סדים לספורטאים בהתאמה אישית | 700 ₪ | 7 ימי עבודה |\n"
        "| סדים לילדים עד גיל 14, בהתאמה אישית | 420 ₪ | 5 ימי עבודה |\n",
    ),
]


def test_my_son_or_daughter_is_the_childrens_row():
    """'לבן שלי' names the children's row ('לילדים עד גיל 14'): not 'I did not find', not an adult's row."""
    library = FakeLibrary(_SPLINTS).library()
    for question in ("כמה עולים סדים לבן שלי? הוא בן 9", "כמה עולים אצלכם סדים לבת שלי?"):
        reply = answer(question, config=_CONFIG, library=library, now=_MONDAY)
        assert "420" in reply.text and "180" not in reply.text, reply.text


# -- a treatment named nowhere ----------------------------------------------------------------------------------

_NOT_DONE = [
    ("מחירון — מכון שמע", "בדיקות", "בדיקת שמיעה מלאה למבוגר: 350 ₪. התאמת מכשיר שמיעה: 900 ₪ לאוזן."),
    ("מחירון — מכון שמע", "מה אינו ניתן", "המכון אינו מבצע ניתוחים, כמו ניתוח לטנטון או השתלת שתל שבלולי."),
]


def test_a_treatment_named_nowhere_is_not_answered_by_what_the_place_does_not_do_for_its_condition():
    """'טיפול בדיקור לטנטון': acupuncture is named nowhere; the sentence that the institute does not operate on
    tinnitus is about another treatment of it — the documents do not say, a person answers."""
    library = FakeLibrary(_NOT_DONE).library()
    reply = answer("כמה עולה אצלכם טיפול בדיקור לטנטון?", config=_CONFIG, library=library, now=_MONDAY)
    assert "אינו מבצע" not in reply.text and "₪" not in reply.text, reply.text
    done = answer("כמה עולה אצלכם ניתוח לטנטון?", config=_CONFIG, library=library, now=_MONDAY)
    assert "אינו מבצע" in done.text, done.text


# -- instalments for an amount told ------------------------------------------------------------------------------

_PAYMENT = [
    (
        "נהלים — מכון שמע",
        "5. תשלום",
        "5.1 רכישה של יותר מ-3,000 ₪ אפשר לחלק עד 4 תשלומים ללא ריבית. רכישה של יותר מ-8,000 ₪ אפשר לחלק עד "
        "10 תשלומים. רכישה של 3,000 ₪ ומטה משולמת בתשלום אחד.",
    ),
    ("מחירון — מכון שמע", "מכשירים", "מכשיר שמיעה נטען, לאוזן אחת: 4,200 ₪. סוללות, חבילה: 40 ₪."),
]


def test_an_amount_told_falls_in_the_instalments_rule_said_as_more_than():
    """'עולה 4,200 ₪, אפשר בתשלומים?': 'יותר מ-3,000 ₪' is a band from above 3,000 — up to 4 payments, shown."""
    library = FakeLibrary(_PAYMENT).library()
    reply = answer("המכשיר עולה 4,200 ₪. אפשר לשלם עליו בתשלומים?", config=_CONFIG, library=library, now=_MONDAY)
    assert "עד 4 תשלומים" in reply.text and "4,200" in reply.text and "> ₪3,000" in reply.text, reply.text
    exact = answer("הקנייה שלי יוצאת 3,000 ₪, אפשר לשלם בתשלומים?", config=_CONFIG, library=library, now=_MONDAY)
    assert "≤ ₪3,000" in exact.text, exact.text
