"""Kinds that failed on a veterinary clinic nobody tuned for (examples/tenants/vet), one test each.

Each test fails without its fix: the rule is general, the wording here is only an example of it.
"""

from __future__ import annotations

from sochen.agents.answering.extractive import Quote, _one_column
from sochen.agents.extract import is_emergency

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
