"""Names in running prose: a party's label inside a sentence, a first name that is an everyday word."""

from __future__ import annotations

import pytest

from sochen.privacy import assess, scan

pytestmark = pytest.mark.unit


def _names(text: str) -> list[str]:
    return [text[f.start : f.end] for f in scan(text) if f.type == "name"]


def test_a_label_after_a_preposition_is_a_word_of_the_sentence() -> None:
    text = "היו לנו חילוקי דעות עם המשכיר: קודם על התיקון ואחר כך על החשבון."
    assert _names(text) == []
    assert not assess(text).sensitive


def test_a_label_that_opens_a_record_still_names_a_party() -> None:
    assert _names('המשכיר: יוסף אברהמי, ת"ז 031485279') == ["יוסף אברהמי"]
    assert _names("פרטי הצדדים: השוכרת: רונית כהן") == ["רונית כהן"]


def test_a_label_after_a_preposition_before_a_name_still_names_a_party() -> None:
    assert _names("הסכם שכירות עם השוכר: גל שמעוני") == ["גל שמעוני"]
    assert _names("פרטי הקשר של המטופלת: שקד ברקוביץ") == ["שקד ברקוביץ"]
    assert _names("מול המשכיר: יוסף אברהמי") == ["יוסף אברהמי"]
    assert _names("עם השוכר: ולדימיר קוזלובסקי") == ["ולדימיר קוזלובסקי"]
    assert assess("הסכם שכירות עם השוכר: גל שמעוני").sensitive


@pytest.mark.parametrize(
    "text",
    [
        "היו לנו חילוקי דעות עם המשכיר: קודם כל על הפיקדון",
        "דיברתי עם השוכרת: אחרי השיחה הבנתי שאין ברירה",
        "יש לי בעיה עם המשכיר: על כל תיקון הוא מתווכח",
    ],
)
def test_a_label_after_a_preposition_before_the_sentence_goes_on_is_no_name(text: str) -> None:
    assert _names(text) == []


def test_a_water_heater_or_an_uncle_is_not_a_person() -> None:
    assert _names("התיקון של דוד השמש לקח שבועיים") == []
    assert _names("הדוד שמש התקלקל") == []
    assert _names("דוד חשמלי חדש עולה הרבה") == []
    assert _names("נגמרו המים החמים בדוד מים") == []
    assert _names("הדוד שלי יבוא איתי") == []
    assert _names("דוד שלי יבוא לתור") == []
    assert _names("דודי ביקש לבוא לתור") == []


@pytest.mark.parametrize(
    "text",
    ["זה דוד מדבר", "היי זה דוד, רציתי לשאול", "שלום דוד", "דוד ביקש שתחזרו אליו", "קבעתי פגישה עם דוד מחר"],
)
def test_david_is_a_name_outside_a_heater_or_uncle_context(text: str) -> None:
    assert _names(text) == ["דוד"]


def test_a_name_that_is_also_with_me_is_a_name_after_a_cue() -> None:
    assert _names("זה איתי מדבר") == ["איתי"]
    assert _names("איתי לוי ביקש לקבוע") == ["איתי לוי"]


def test_an_everyday_first_name_with_a_known_surname_is_a_name() -> None:
    assert _names("דיברתי עם דוד לוי אתמול") == ["דוד לוי"]
    assert _names("הבן של חיים כהן") == ["חיים כהן"]
    assert _names("שמי דוד כהן") == ["דוד כהן"]
