"""A question that asks when, in what year or how many is answered only by a text that says it.

The sentence that speaks of the thing asked about without saying when ('המרפאה עברה לבניין החדש ברחוב הרצל' for
'מתי עברה המרפאה לבניין החדש?') is a near miss: the answerer says it did not find it, and quotes it when the
documents say it ('עברה … בשנת 2019'). The kind is read from the sentence that asks, from its first words; a
'כמה' of the story before it ('נפלתי לפני כמה ימים') or of a quantity said in passing ('יש לי כמה שאלות') asks
no number. What says a time is broad: a digit, a month, a part of the day, a period's noun, 'במהלך'.
A fake lexical library, no database, no model.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply
from sochen.agents.answering.asked_kind import asked_kind, says_kind
from tests.agents._archive_library import answer_from

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("מתי עברה המרפאה לבניין החדש?", "when"),
        ("מָתַי עָבְרָה הַמִּרְפָּאָה לַבִּנְיָן הֶחָדָשׁ?", "when"),  # with niqqud
        ("עד מתי אפשר לבטל טיפול בלי חיוב?", "when"),
        ("ואז מתי מקבלים את ההחזר?", "when"),
        ("באיזו שנה נוסדה המרפאה?", "year"),
        ("ובאיזה עשור נבנה הבניין?", "year"),
        ("כמה פיזיותרפיסטים עובדים במכון?", "count"),
        ("תוך כמה ימים מחזירים את הכסף?", "count"),
        ("כמה זמן נמשכת תקופת הניסיון?", "duration"),
        ("באיזו תדירות מחליפים את הציוד?", "duration"),
        ("How long is the probation period?", "duration"),
        ("When did the clinic move to the new building?", "when"),
        ("In what year was the clinic founded?", "year"),
        ("How many physiotherapists work at the clinic?", "count"),
        ("متى تفتح العيادة؟", "when"),
        # the story's 'כמה' is not the question's; a quantity said in passing asks nothing
        ("נפלתי לפני כמה ימים והברך עדיין כואבת. מה עושים?", None),
        ("יש לי כמה שאלות על הטיפול", None),
        ("מי הרופאה התורנית בשבת?", None),
        ("איך מגיעים למכון מהתחנה המרכזית?", None),
    ],
)
def test_the_kind_is_read_from_the_asking_sentence(question: str, kind: str | None) -> None:
    assert asked_kind(question) == kind


@pytest.mark.parametrize(
    ("kind", "text", "says"),
    [
        ("when", "המרפאה עברה לבניין החדש ברחוב הרצל.", False),
        ("when", "המרפאה עברה לבניין החדש בשנת 2019.", True),
        ("when", "המרפאה עברה לבניין החדש בחודש מרץ.", True),
        ("when", "הַמִּרְפָּאָה עָבְרָה בַּקַּיִץ שֶׁעָבַר.", True),  # with niqqud
        ("when", "ההחזר מועבר במהלך החודש שאחרי הביטול.", True),
        ("when", "ההחזר מועבר מיד עם קבלת הבקשה.", True),
        ("year", 'המרפאה נוסדה על ידי ד"ר לוי.', False),
        ("year", 'המרפאה נוסדה בשנת תשע"ה.', True),
        ("count", "במכון עובדים פיזיותרפיסטים ורופאה.", False),
        ("count", "במכון עובדים ארבעה פיזיותרפיסטים.", True),
        ("count", "אין הגבלה על מספר הטיפולים.", True),
        # a clause's own number and a reference to another clause say no time or count
        ("when", "2.1 ההחזר מועבר לחשבון המטופל, כאמור בסעיף 4.2.", False),
        ("count", "(3) במכון עובדים פיזיותרפיסטים, לפי סעיף קטן 1.2(א).", False),
        ("when", "2.1 ההחזר מועבר תוך 14 ימים.", True),
        ("count", "3 טיפולים בסדרה", True),  # a row's first cell is no clause number
        ("count", "4.1 הרשת תקבל הנחת כמות לפי היקף ההזמנות, כמפורט בטבלה:", True),  # the table says it
        ("count", "ימי החופשה ייקבעו לפי הוותק, כמפורט בנספח א'.", True),
        ("duration", "תקופת הניסיון היא שבוע.", True),  # a length of time said without a number
        ("duration", "הציוד מוחלף פעם בשנה.", True),
        ("duration", "תקופת הניסיון נקבעת בהסכם.", False),
    ],
)
def test_what_says_the_kind(kind: str, text: str, says: bool) -> None:
    question = "כמה זמן נמשכת תקופת הניסיון?" if kind == "duration" else ""
    assert says_kind(kind, [text], question) is says  # type: ignore[arg-type]


def test_a_word_of_the_question_says_nothing_of_its_own() -> None:
    # the question's own 'תקופת' and '5' are not the answer's time or number; a figure beyond them is
    assert not says_kind("duration", ["תקופת הניסיון נקבעת בהסכם."], "כמה זמן נמשכת תקופת הניסיון?")
    assert not says_kind("count", ["אחרי 5 שנות ותק מגיעים ימי חופשה נוספים."], "כמה ימי חופשה אחרי 5 שנות ותק?")
    assert says_kind("count", ["אחרי 5 שנות ותק: 20 ימי חופשה."], "כמה ימי חופשה אחרי 5 שנות ותק?")


CLINIC = "מכון תנועה — מידע למטופלים"
CHUNKS = [
    (CLINIC, "1. המכון › 1.1", "1. המכון\n1.1 המכון עבר לבניין החדש ברחוב הרצל בכפר סבא, ליד הספרייה העירונית."),
    (CLINIC, "1. המכון › 1.2", "1.2 במכון עובדים פיזיותרפיסטים, מרפאה בעיסוק ורופאת ספורט."),
    (CLINIC, "2. החזרים › 2.1", "2. החזרים\n2.1 החזר על כרטיסייה שלא נוצלה מועבר לחשבון המטופל."),
]
DATED = [
    (CLINIC, "1. המכון › 1.1", "1. המכון\n1.1 המכון עבר לבניין החדש ברחוב הרצל בכפר סבא בשנת 2019."),
    (CLINIC, "1. המכון › 1.2", "1.2 במכון עובדים ארבעה פיזיותרפיסטים, מרפאה בעיסוק ורופאת ספורט."),
    (CLINIC, "2. החזרים › 2.1", "2. החזרים\n2.1 החזר על כרטיסייה שלא נוצלה מועבר לחשבון המטופל תוך 14 ימים."),
]


def ask(question: str, chunks: list[tuple[str, str, str]]) -> Reply:
    return answer_from(chunks, question)


@pytest.mark.parametrize(
    "question",
    [
        "מתי עבר המכון לבניין החדש ברחוב הרצל?",
        "באיזו שנה עבר המכון לבניין החדש ברחוב הרצל?",
        "כמה פיזיותרפיסטים עובדים במכון?",
        "מתי מועבר ההחזר על כרטיסייה שלא נוצלה?",
    ],
)
def test_a_sentence_about_the_thing_that_does_not_say_it_is_no_answer(question: str) -> None:
    reply = ask(question, CHUNKS)
    assert reply.status == "not_found" and reply.reason.endswith("_unsaid"), (reply.reason, reply.text)
    assert "הרצל" not in reply.text and "פיזיותרפיסטים" not in reply.text


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("מתי עבר המכון לבניין החדש ברחוב הרצל?", "2019"),
        ("באיזו שנה עבר המכון לבניין החדש ברחוב הרצל?", "2019"),
        ("כמה פיזיותרפיסטים עובדים במכון?", "ארבעה"),
        ("מתי מועבר ההחזר על כרטיסייה שלא נוצלה?", "14 ימים"),
    ],
)
def test_the_sentence_that_says_it_is_quoted(question: str, said: str) -> None:
    reply = ask(question, DATED)
    assert reply.status == "answered" and said in reply.text, reply.text
