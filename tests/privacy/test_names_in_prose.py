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


def test_a_water_heater_is_not_a_person() -> None:
    assert _names("התיקון של דוד השמש לקח שבועיים") == []
    assert _names("הגעתי עם דוד לטיפול") == []


def test_an_everyday_first_name_with_a_known_surname_is_a_name() -> None:
    assert _names("דיברתי עם דוד לוי אתמול") == ["דוד לוי"]
    assert _names("הבן של חיים כהן") == ["חיים כהן"]
    assert _names("שמי דוד כהן") == ["דוד כהן"]
