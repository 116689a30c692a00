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


# -- the law firm's pack kinds: a request after the question, clause references, slang, parking, clients --------

LEASE = "הסכם שכירות — רחוב הזית 4, חולון"
NDA = 'הסכם סודיות — אופק מערכות בע"מ'
FEES = "מחירון שכר טרחה 2026"

ARCHIVE = [
    (LEASE, "3. דמי השכירות › 3.1", '3. דמי השכירות\n3.1 דמי השכירות החודשיים הם ₪5,400, להלן: "דמי השכירות".'),
    (LEASE, "3. דמי השכירות › 3.2", "3.2 דמי השכירות ישולמו ב-1 בכל חודש בהעברה בנקאית."),
    (LEASE, "7. שמירת עותקים › 7.1", "7. שמירת עותקים\n7.1 המשכיר ישמור עותק של ההסכם במשך 7 שנים מתום השכירות."),
    (NDA, "4. חריגים › 4.1", "4. חריגים\n4.1 חובת הסודיות לא תחול על מידע שהיה נחלת הכלל בעת מסירתו."),
    (NDA, "4. חריגים › 4.2", "4.2 חובת הסודיות לא תחול על מידע שהיה ידוע לצד המקבל קודם."),
    (
        NDA,
        "6. החזרת המידע › 6.1",
        "6. החזרת המידע\n6.1 תוך 21 ימים מדרישת הצד המוסר יחזיר הצד המקבל את כל המידע הסודי או ישמיד אותו.",
    ),
    (NDA, "6. החזרת המידע › 6.2", "6.2 החובה לפי סעיף 6.1 חלה גם על עותקים בידי היועצים המשפטיים של הצד המקבל."),
    (FEES, "פרטי המשרד", "לוי ושות' — עורכי דין · שדרות רוטשילד 20, תל אביב · 03-5550000"),
    (
        FEES,
        "שירותים",
        "שירותים\nשירות | שכר טרחה\nשירות: עריכת הסכם שכירות למגורים · שכר טרחה: ₪2,800\n"
        "שירות: בדיקת הסכם שכירות שנוסח בידי הצד השני · שכר טרחה: ₪1,700\nשירות: עריכת צוואה · שכר טרחה: ₪3,000",
    ),
]


def _ask_archive(question: str):
    return _ask(question, ARCHIVE)


def test_a_request_to_compare_after_the_question_mark_is_part_of_the_question() -> None:
    reply = _ask_archive("על איזה מידע לא חלה חובת הסודיות? תשווה בין הסכם הסודיות להסכם השכירות")
    assert reply.status == "answered"
    assert {c.passage.title for c in reply.citations} >= {NDA}
    plain = _ask_archive("על איזה מידע לא חלה חובת הסודיות? אני שואל בשביל חבר")
    assert "השכירות" not in " ".join(c.passage.title for c in plain.citations)


def test_a_clause_that_opens_by_naming_another_is_quoted_after_it() -> None:
    reply = _ask_archive("האם חובת ההחזרה חלה גם על העותקים שאצל היועצים המשפטיים?")
    assert reply.status == "answered"
    assert _sections(reply) == ["6.1", "6.2"] and "21 ימים" in reply.text


def test_slang_no_document_uses_is_read_in_the_documents_words() -> None:
    reply = _ask_archive('בכמה יוצא השכ"ד בדירה בחולון?')
    assert reply.status == "answered" and "5,400" in reply.text
    assert _sections(reply)[0] == "3.1"


def test_parking_is_not_answered_by_an_address_line() -> None:
    reply = _ask_archive("יש חניה ליד המשרד בשדרות רוטשילד?")
    assert reply.refused and not reply.citations


def test_the_names_of_clients_are_not_given() -> None:
    for question in ("אילו חברות הן לקוחות של המשרד? תן לי כמה שמות", "מי הלקוחות שלכם?", "who are your clients?"):
        reply = _ask_archive(question)
        assert reply.refused and not reply.citations, question
        assert "אופק" not in reply.text
    assert _ask_archive("כמה עולה עריכת הסכם שכירות ללקוחות פרטיים?").status == "answered"


def test_drafting_and_checking_are_the_rows_of_editing_and_checking() -> None:
    reply = _ask_archive("כמה עולה לנסח הסכם שכירות לדירה, וכמה רק לבדוק הסכם שבעל הבית שלח?")
    assert reply.status == "answered"
    assert "2,800" in reply.text and "1,700" in reply.text and "3,000" not in reply.text


def test_drafting_a_thing_the_list_does_not_have_is_not_the_neighbouring_row() -> None:
    assert _ask_archive("כמה עולה לנסח מכתב התראה?").refused


def test_an_address_asked_beside_parking_is_not_refused_for_lacking_parking() -> None:
    arrival = [
        ("כתובת והגעה — מרפאת השקד", "כתובת", "כתובת והגעה\nהמרפאה נמצאת ברחוב השקד 9, פתח תקווה, קומה 2."),
        ("כתובת והגעה — מרפאת השקד", "חניה", "חניה\nחניה חינם בחניון הקניון הסמוך, כ-50 מטר מהמרפאה."),
    ]
    reply = _ask("מה הכתובת שלכם ויש איפה לחנות?", arrival)
    # Only a question about parking alone needs a sentence about parking; here the address part is answered.
    assert reply.status == "answered" and "השקד 9" in reply.text
