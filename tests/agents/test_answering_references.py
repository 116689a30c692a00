"""Clauses that name what is asked without stating it, and definitions read with the clause that uses them.

On a small Hebrew archive of its own (a fake lexical library, no database, no model): a detail kept in an
annex the archive does not hold is not answered by the clause that points there; a percentage of a thing
does not state the thing's value; a definition that holds the question's word is quoted with the clause
that says what may be done with the term it defines.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import answer
from sochen.agents.answering.references import (
    annex_named,
    annex_references,
    asks_definition,
    defined_term,
    holds_annex,
    percent_bases,
    uses_term,
)
from sochen.text import stems, tokenize
from tests.agents._archive_library import CONFIG, FakeLibrary

pytestmark = pytest.mark.unit

CLEANING = 'הסכם שירותי ניקיון — ברק שירותים בע"מ'

CHUNKS = [
    (
        CLEANING,
        "1. הגדרות › 1.2",
        '1. הגדרות\n1.2 "שלוחים" - העובדים, הקבלנים, היועצים המשפטיים ורואי החשבון של המזמין.',
    ),
    (
        CLEANING,
        "2. התמורה › 2.1",
        "2. התמורה\n2.1 התמורה החודשית היא ₪4,200, ותשולם בהעברה בנקאית לחשבון הספק שפרטיו בנספח ג'.",
    ),
    (CLEANING, "3. הציוד › 3.1", "3. הציוד\n3.1 הספק יביא למקום את חומרי הניקוי ואת הציוד המפורט בנספח א'."),
    (
        CLEANING,
        "4. עמלת הפניה › 4.1",
        "4. עמלת הפניה\n4.1 על כל לקוח שיופנה על ידי הספק ישלם המזמין עמלה בשיעור של 3% משווי החוזה שייחתם "
        "עם הלקוח, ולא פחות מ-₪500.",
    ),
    (
        CLEANING,
        "5. סודיות › 5.2",
        "5. סודיות\n5.2 המזמין רשאי למסור מידע על השירות לשלוחיו בלבד, ובלבד שהם מחויבים בחובת סודיות.",
    ),
    (CLEANING, "6. שיפוט › 6.1", "6. שיפוט\n6.1 לבתי המשפט המוסמכים בנתניה תהיה סמכות השיפוט הייחודית."),
]


def _ask(question: str, chunks: list[tuple[str, str, str]] = CHUNKS):
    return answer(question, config=CONFIG, library=FakeLibrary(chunks).library())


def _sections(reply) -> list[str]:
    return [c.passage.section.rsplit(" › ", 1)[-1] for c in reply.citations]


def test_the_words_of_a_reference_a_definition_and_a_percentage_base() -> None:
    assert annex_references("לחשבון הספק שפרטיו בנספח ג'.") == [("שפרטיו", "ג")]
    assert annex_named("מה כתוב בנספח ב׳ להסכם?") == ["ב"]
    assert annex_named("מה כתוב בנספחים?") == []
    assert holds_annex("ג", ["נספח ג' — פרטי חשבון הבנק"]) and not holds_annex("ג", ["2. התמורה"])
    assert percent_bases("עמלה בשיעור של 3% משווי החוזה שייחתם") == [("משווי החוזה שייחתם", "שווי החוזה שייחתם")]
    assert defined_term('1.2 "שלוחים" - העובדים') == "שלוחים"
    assert defined_term("1.2 השלוחים יחתמו על התחייבות") is None
    assert uses_term("שלוחים", tokenize("רשאי למסור מידע לשלוחיו בלבד"), stems)
    assert not uses_term("שלוחים", tokenize("רשאי למסור מידע לעובדיו בלבד"), stems)
    assert asks_definition("מי נחשבים שלוחים לפי ההסכם?") and not asks_definition("מותר למסור לרואה החשבון?")


def test_a_detail_kept_in_an_annex_the_archive_lacks_is_not_answered_by_the_pointer() -> None:
    reply = _ask("תשלחו לי את פרטי החשבון של הספק להעברה הבנקאית")
    assert reply.refused and not reply.citations
    assert "נספח ג'" in reply.text and "4,200" not in reply.text


def test_an_annex_the_question_names_and_the_archive_lacks_is_refused() -> None:
    reply = _ask("איזה ציוד מפורט בנספח א׳?")
    assert reply.refused and not reply.citations
    assert "נספח א'" in reply.text


def test_a_clause_that_points_to_an_annex_still_answers_what_it_states() -> None:
    reply = _ask("מה התמורה החודשית לספק?")
    assert reply.status == "answered" and "4,200" in reply.text
    assert _sections(reply) == ["2.1"]


def test_an_annex_the_archive_holds_is_not_missing() -> None:
    held = [*CHUNKS, ("נספח ג' — פרטי חשבון", "נספח ג'", "נספח ג'\nחשבון הספק: בנק הדוגמה, סניף 800, חשבון 12345.")]
    reply = _ask("תשלחו לי את פרטי החשבון של הספק להעברה הבנקאית", held)
    assert reply.status == "answered"


def test_a_percentage_of_a_value_does_not_state_the_value() -> None:
    reply = _ask("מה היה שווי החוזה שנחתם בסוף?")
    assert reply.refused and not reply.citations and "3%" not in reply.text


def test_the_clause_that_takes_the_percentage_answers_about_its_own_amount() -> None:
    reply = _ask("כמה עמלת הפניה משלם המזמין על לקוח?")
    assert reply.status == "answered" and "3%" in reply.text
    assert _sections(reply) == ["4.1"]


def test_a_word_only_a_definition_holds_is_answered_with_the_clause_that_uses_the_term() -> None:
    reply = _ask("מותר למזמין למסור מידע על השירות לרואה החשבון שלו?")
    assert reply.status == "answered"
    assert _sections(reply) == ["5.2", "1.2"]
    assert "רואי החשבון" in reply.text and "לשלוחיו" in reply.text


def test_a_question_about_what_a_term_means_gets_the_definition_alone() -> None:
    reply = _ask('מי נחשבים "שלוחים" לפי ההסכם?')
    assert reply.status == "answered"
    assert _sections(reply) == ["1.2"]
