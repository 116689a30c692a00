"""Kinds found on the tuning archives in the eleventh build, as general rules.

A question that names a contract's parties by words only that contract uses ('אור הדפוס') asks about that contract,
even when one of its words is a topic word of another contract's title ('מכונות' of a machine-rental agreement)
that the named contract's own clauses use too. An amount asked for by the words beside it ('בעד המכונות') is that
one amount of a clause that lists several ('מתוכה ₪600,000 בעד המוניטין ו-₪300,000 בעד המכונות'). A fake lexical
library, no database, no model.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from tests.agents._archive_library import CONFIG, FakeLibrary, assert_sourced, clauses

pytestmark = pytest.mark.unit

SALE = "הסכם מכר עסק — בית דפוס הגפן, עפולה"
RENT = 'הסכם השכרת מכונות — מכונות צפון בע"מ ומרכז הגליל לבנייה בע"מ'
CARE = "הסכם שירותי ניקיון — זוהר ניקיון ומגדלי העמק"

CHUNKS = [
    (
        SALE,
        "",
        'הסכם מכר עסק שנערך ונחתם בעפולה ביום 3 במרץ 2026\nבין: מר אליהו גפני, ת"ז 000000018, מרחוב הגפן 12, עפולה, '
        'להלן: "המוכר";\nלבין: אור הדפוס בע"מ, ח.פ. 516000001, מרחוב התבור 5, עפולה, להלן: "הקונה";',
    ),
    (
        SALE,
        "2. התמורה › 2.1",
        "2. התמורה\n2.1 התמורה הכוללת בעד העסק היא ₪900,000, מתוכה ₪600,000 בעד המוניטין ו-₪300,000 בעד המכונות.",
    ),
    (SALE, "2. התמורה › 2.2", '2.2 לתמורה בעד המכונות יתווסף מע"מ בשיעור 18%.'),
    (SALE, "3. המסירה › 3.1", "3.1 המוכר ימסור לקונה את בית הדפוס ואת המכונות ביום 1 במאי 2026."),
    (
        RENT,
        "",
        'הסכם השכרת מכונות\nבין: מכונות צפון בע"מ, להלן: "המשכירה";\nלבין: מרכז הגליל לבנייה בע"מ, להלן: "השוכרת";',
    ),
    (RENT, "2. דמי השכירות › 2.1", '2.1 בעד כל מכונה תשלם השוכרת ₪4,500 לחודש ו-₪700 לכל יום עבודה, בתוספת מע"מ.'),
    (RENT, "2. דמי השכירות › 2.2", "2.2 דמי השכירות ישולמו בתוך 30 ימים מקבלת החשבונית."),
    (CARE, "", 'הסכם שירותי ניקיון\nבין: זוהר ניקיון בע"מ, להלן: "הקבלן";\nלבין: מגדלי העמק, להלן: "המזמין";'),
    (CARE, "2. התמורה › 2.1", '2.1 המזמין ישלם לקבלן ₪6,000 לחודש, בתוספת מע"מ.'),
]


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())


def test_parties_named_beat_another_title_s_topic_word() -> None:
    question = 'כמה תשלם אור הדפוס בעד המכונות של בית הדפוס, כולל מע"מ?'
    reply = ask(question)
    assert all(c.passage.title == SALE for c in reply.citations), [c.passage.title for c in reply.citations]
    assert "4,500" not in reply.text and "700" not in reply.text
    assert_sourced(reply, question)


def test_the_amount_named_by_its_own_words_of_several_in_one_clause() -> None:
    question = 'כמה תשלם אור הדפוס בעד המכונות של בית הדפוס, כולל מע"מ?'
    reply = ask(question)
    assert reply.status == "answered", reply.text
    assert "354,000" in reply.text, reply.text  # ₪300,000 + 18%
    assert {"2.1", "2.2"} <= set(clauses(reply)), clauses(reply)
    assert_sourced(reply, question)
