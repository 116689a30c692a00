"""Kinds that failed on a veterinary clinic nobody tuned for (examples/tenants/vet), one test each.

Each test fails without its fix: the rule is general, the wording here is only an example of it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sochen.agents.answering import answer
from sochen.agents.answering.extractive import Quote, _it_is_other, _one_column, _row_matches
from sochen.agents.answering.units import clause_units
from sochen.agents.extract import is_emergency, understand_text
from sochen.agents.hours import staff_from_documents
from sochen.config import TenantConfig
from sochen.config.sections.agent import OpeningHours
from sochen.privacy import assess
from tests.agents._archive_library import FakeLibrary

_SPAY = 'ניתוח: עיקור (נקבה) · חתול: 650 ₪ · כלב עד 10 ק"ג: 1,100 ₪ · כלב 10–25 ק"ג: 1,400 ₪ · כלב מעל 25 ק"ג: 1,800 ₪'
_VISIT = "ביקור: בדיקה כללית לחתול · ביקור ראשון: 220 ₪ · ביקור חוזר בתוך 14 יום: 120 ₪"
_HEXA = "חיסון: חיסון משושה לכלבים · חתול: אין לחתולים · כלב: 160 ₪"
_BOARD = 'שירות: פנסיון, ללילה אחד · חתול: 85 ₪ · כלב עד 10 ק"ג: 120 ₪ · כלב מעל 10 ק"ג: 155 ₪'


def _quote(text: str) -> Quote:
    return Quote(text=text, section="", hit=None)  # type: ignore[arg-type]


def _column(row: str, question: str) -> str:
    return _one_column(_quote(row), question).text


def test_animal_column_named_by_the_question():
    """'לסרס חתול' of a row priced per animal is the cat's price, not every column."""
    got = _column(_SPAY.replace("עיקור (נקבה)", "סירוס (זכר)"), "כמה עולה לסרס חתול?")
    assert "650" in got and "1,100" not in got


def test_weight_band_holds_the_weight_told():
    """'כלבה ששוקלת 18 קילו' is the 10–25 kg column (a feminine noun names the animal's column)."""
    got = _column(_SPAY, "כמה עולה עיקור לכלבה שלי? היא שוקלת 18 קילו")
    assert "1,400" in got and "1,100" not in got and "1,800" not in got


def test_kind_of_visit_column():
    """'ביקור חוזר' is the follow-up column, not the first visit's."""
    got = _column(_VISIT, "הייתי עם החתולה לפני שבוע. כמה עולה ביקור חוזר?")
    assert "120" in got and "220" not in got


def test_variant_the_row_does_not_price():
    """A cat's column that says the vaccine is not given to cats answers a cat's question, not the dog's 160."""
    got = _column(_HEXA, "כמה עולה חיסון משושה לחתולה שלי?")
    assert "אין לחתולים" in got and "160" not in got


def test_foreign_question_names_the_column_and_weight():
    """'My dog weighs 30 kg' is the dog column above 10 kg; 'لقطة' (for a cat) the cat's."""
    got = _column(_BOARD, "My dog weighs about 30 kg. How much is one night of boarding with you?")
    assert "155" in got and "120" not in got
    got = _column(_BOARD, "كم سعر ليلة في الفندق لقطة؟")
    assert "85" in got and "155" not in got


def test_question_naming_no_column_keeps_the_row():
    got = _column(_SPAY, "כמה עולה עיקור לכלבה?")
    assert "1,100" in got and "1,800" in got


# -- emergencies ---------------------------------------------------------------------------------------------

_OWN = ["אכל שוקולד", "רעל עכברים", "הורעל", "מכת חום", "פגעה בו מכונית", "נדרס"]


def test_owner_phrase_with_how_much_of_what_between():
    """'אכל עכשיו חצי חפיסה של שוקולד' is the owner's 'אכל שוקולד' with the amount between its words."""
    assert is_emergency("הכלב שלי אכל עכשיו חצי חפיסה של שוקולד מריר!! מה עושים??", extra=_OWN)


def test_hit_by_a_vehicle_in_either_word_order():
    assert is_emergency("מכונית פגעה עכשיו בכלב שלי, הוא שוכב על הכביש ולא קם", extra=[]) == "hit_by_vehicle"
    assert is_emergency("לפני שנתיים הכלב נדרס ומאז הוא צולע. כמה עולה ביקורת?", extra=[]) is None


def test_collapse_now_is_an_emergency():
    assert is_emergency("חזרנו עכשיו מטיול בשמש והכלבה מתנשפת מאוד חזק, מריירת ומתמוטטת. אפשר להביא אותה?", extra=[])


def test_owner_phrase_said_in_arabic():
    """'أكل سم فئران' is the owner's Hebrew 'רעל עכברים'."""
    assert is_emergency("كلبي أكل سم فئران الآن! ماذا أفعل؟", extra=_OWN) == "רעל עכברים"


def test_history_that_ends_well_today_is_not_now():
    """'היום הוא בריא לגמרי' says all is well now: the poisoning a year ago is history, not an emergency."""
    text = "לפני שנה הכלב שלי הורעל מרעל עכברים וטופל אצלכם, היום הוא בריא לגמרי. כמה עולה חיסון משושה לכלב?"
    assert is_emergency(text, extra=_OWN) is None
    text = "בקיץ שעבר הכלבה שלי קיבלה מכת חום ובקושי יצאה מזה, היום היא בסדר. כמה עולה לעקר אותה?"
    assert is_emergency(text, extra=_OWN) is None
    # ... but a word of now that is not 'all is well' keeps it now
    assert is_emergency("לפני שנה הכלב הורעל, והיום הוא שוב הורעל!", extra=_OWN)


def test_weight_told_after_the_question():
    got = _one_column(_quote(_SPAY), "כמה עולה עיקור לכלבה שלי?", "כמה עולה עיקור לכלבה שלי? היא שוקלת 18 קילו").text
    assert "1,400" in got and "1,100" not in got


def test_description_and_note_columns_are_attributes_not_variants():
    """'מה המחיר של שתל? ואם צריך השתלת עצם?' keeps the note's 1,500 beside the price: not a column to choose."""
    row = "טיפול: שתל · תיאור: שתל דנטלי כולל ניתוח, מבנה וכתר · מחיר: ₪6,500 · הערות: השתלת עצם בתוספת ₪1,500"
    got = _column(row, "מה המחיר של שתל? ואם צריך השתלת עצם?")
    assert "6,500" in got and "1,500" in got


# -- the documents' own words, read as a demanding owner expects -----------------------------------------------

_POLICIES = "נהלים — מרפאה וטרינרית"
_PRICES = "מחירון — מרפאה וטרינרית"
_CHUNKS = [
    (
        _POLICIES,
        "2. ביטול תור ואי-הגעה",
        "2.1 אפשר לבטל או להזיז תור ללא חיוב עד 24 שעות לפני מועדו.\n"
        "2.2 ביטול תור פחות מ-24 שעות לפני מועדו מחויב בדמי ביטול של 60 ₪.",
    ),
    (
        _POLICIES,
        "3. ניתוחים ומקדמה",
        "3.1 לכל ניתוח מתוכנן — עיקור, סירוס וניקוי אבנית בהרדמה — משלמים מקדמה של 200 ₪ בעת קביעת התור.\n"
        "3.2 ביטול ניתוח פחות מ-48 שעות לפני מועדו, או אי-הגעה: המקדמה אינה מוחזרת.",
    ),
    (
        _PRICES,
        "טיפולי שיניים בהרדמה (חתול / כלב)",
        "טיפולי שיניים בהרדמה (חתול / כלב)\nטיפול | חתול | כלב\n"
        "טיפול: ניקוי אבנית בהרדמה מלאה · חתול: 900 ₪ · כלב: 1,150 ₪\n"
        "טיפול: עקירת שן, לכל שן (בנוסף לניקוי) · חתול: 120 ₪ · כלב: 180 ₪",
    ),
]
_CONFIG = TenantConfig.model_validate(
    {"slug": "vetk", "name": "מרפאה וטרינרית", "agent": {"answer_mode": "extractive", "services": ["ניקוי אבנית"]}}
)
_SUNDAY = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))


def _ask(question: str):  # type: ignore[no-untyped-def]
    return answer(question, config=_CONFIG, library=FakeLibrary(_CHUNKS).library(), now=_SUNDAY)


def test_an_appointments_window_not_a_surgerys():
    """'אם אבטל את התור 5 שעות לפני': 2.2 (a תור, under 24 hours), not 3.2 (a surgery, under 48), though both hold 5."""
    reply = _ask("אם אבטל את התור של הכלב 5 שעות לפני, כמה אצטרך לשלם?")
    assert "60 ₪" in reply.text and "2.2" in [c.passage.section.split(" › ")[-1] for c in reply.citations]


def test_a_treatment_the_documents_never_name_is_not_a_neighbours_price():
    """'ניקוי אוזניים': the documents clean tartar, never ears; no row or sentence that says 'ניקוי' answers it."""
    reply = _ask("כמה עולה אצלכם ניקוי אוזניים לכלב?")
    assert "₪" not in reply.text, reply.text
    assert "₪" in _ask("כמה עולה ניקוי אבנית לכלב?").text


def test_a_word_in_a_rows_aside_does_not_name_the_row():
    """'(בנוסף לניקוי)' is an aside of the extraction row: 'ניקוי אוזניים' does not go on as that row does."""
    unit = next(u for u in clause_units(_CHUNKS[2][2]) if "עקירת" in u.text)
    tokens = ["ניקוי", "אוזניים", "לכלב"]
    assert not _row_matches(unit, frozenset({"ניקוי", "אוזניים", "כלב"}), tokens)


# -- staff days, complaints, privacy ----------------------------------------------------------------------------


def test_a_note_on_one_day_does_not_hide_the_rest_of_the_list():
    text = "- **ד\"ר עומר חדאד** — רפואת שיניים וטרינרית. מקבל בימים ב', ג' (כולל הערב) ו-ה'."
    hours = OpeningHours(**{d: ["08:00-18:00"] for d in ("sunday", "monday", "tuesday", "wednesday", "thursday")})
    [member] = staff_from_documents([text], hours)
    assert member.hours.sunday == [] and member.hours.monday and member.hours.tuesday and member.hours.thursday


def test_unfair_said_outright_is_a_complaint():
    text = 'חייבתם אותי 60 ש"ח דמי ביטול למרות שהכלב היה באותו יום בטיפול דחוף במרפאה אחרת. זה ממש לא הוגן!'
    assert understand_text(text, now=_SUNDAY).intent == "complaint"


def test_a_pets_illness_is_not_the_writers_health():
    got = assess("לכלבה שלי יש סוכרת והיא מקבלת זריקות אינסולין פעמיים ביום. כמה עולה ביקור חוזר לכלב?")
    assert not got.sensitive, got.counted
    assert assess("אני בהריון בחודש שלישי. מותר לי לנקות את ארגז החול של החתולה?").sensitive
    assert assess("אני סוכרתית ולוקחת אינסולין").sensitive


def test_how_far_one_lives_is_not_an_address():
    assert "address" not in assess("אני גר במרחק 8 קילומטר מהמרפאה. כמה עולים דמי ביקור בית?").counted
    assert "address" in assess("אני גר ברחוב הרצל 12 ברחובות").counted


def test_it_in_the_price_question_is_what_the_story_named():
    """'...צריך ניקוי אבנית בהרדמה. כמה זה עולה אצלכם לכלב?': 'זה' is the tartar cleaning, 'לכלב' for whom."""
    reply = _ask("לכלב שלי יש ריח רע מהפה והווטרינר אמר שצריך ניקוי אבנית בהרדמה. כמה זה עולה אצלכם לכלב?")
    assert "1,150" in reply.text and "900" not in reply.text, reply.text


def test_a_sentence_that_prices_by_variant_gives_the_one_asked():
    text = '5.2 שריפה פרטנית עם החזרת האפר בכד: 850 ₪ לחתול ולכלב עד 10 ק"ג, 1,200 ₪ לכלב מעל 10 ק"ג.'
    got = _one_column(_quote(text), "כמה עולה שריפה פרטנית עם החזרת האפר לחתול?").text
    assert "850" in got and "1,200" not in got
    got = _one_column(_quote(text), "כמה עולה שריפה פרטנית לכלב של 30 קילו?").text
    assert "1,200" in got and "850" not in got
    assert _one_column(_quote(text), "כמה עולה שריפה פרטנית?").text == text


def test_it_keeps_the_variant_told_in_the_price_question():
    """'קיבלתי הפניה לבדיקת שמיעה. כמה זה עולה עם ההפניה?': the row the story names is kept (guard)."""
    assert not _it_is_other(
        "קיבלתי הפניה מרופא המשפחה לבדיקת שמיעה. כמה זה עולה אצלכם עם ההפניה?",
        "כמה זה עולה אצלכם עם ההפניה?",
        "בדיקה: בדיקת שמיעה מלאה למבוגר · עם הפניה מרופא: 180 ₪ · בלי הפניה: 320 ₪",
    )
    assert _it_is_other(
        "לכלב שלי יש ריח רע מהפה והווטרינר אמר שצריך ניקוי אבנית בהרדמה. כמה זה עולה אצלכם לכלב?",
        "כמה זה עולה אצלכם לכלב?",
        "ביקור: בדיקה כללית לכלב · ביקור ראשון: 260 ₪ · ביקור חוזר בתוך 14 יום: 140 ₪",
    )


def test_a_weight_no_clause_prices_per_kilogram_describes_the_animal() -> None:
    """'הכלב שלי שוקל 30 ק"ג' ('My dog weighs about 30 kg'): with no rate per kilogram among the clauses, the weight picks the row's band
    and is no quantity to multiply (a rate per kilogram, as a freight contract's, is still multiplied)."""
    reply = _ask('הכלב שלי שוקל 30 ק"ג. כמה עולה ניקוי אבנית בהרדמה מלאה?')
    assert "1,150" in reply.text, reply.text


def test_a_date_beside_a_price_is_an_attribute_not_a_variant() -> None:
    """'מועד התשלום: 1 בדצמבר 2026 · סכום התשלום: ₪200,000' asked 'מתי …, ומה סכומו?': both cells stay."""
    from sochen.agents.answering.variants import named_variant

    cells = ["תשלום: תשלום ראשון", "מועד התשלום: 1 בדצמבר 2026", "סכום התשלום: ₪200,000"]
    assert named_variant(cells, "מתי מועד התשלום הראשון לפי הסכם הפשרה, ומה סכומו?") is None
    assert named_variant(["טיפול: חיסון", "חתול: 120 ₪", "כלב: אין לכלבים"], "כמה עולה חיסון לחתול?") == "חתול: 120 ₪"
