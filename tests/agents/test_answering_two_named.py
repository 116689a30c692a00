"""A question that names two documents without either holding its answer is looked for as any other question.

'באיזו שנה כוננו יחסים בין ישראל לסודאן?' names two documents by their titles ('ישראל', 'סודאן'), and its 'בין …
ל…' reads like a comparison; but the relation between the two is told in a third document. When neither named
document has a clause for it, the answerer looks for it everywhere instead of saying it found nothing; a
comparison of a thing no document says is still refused.
A fake lexical library, no database, no model.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply
from tests.agents._archive_library import answer_from

pytestmark = pytest.mark.unit

CHUNKS = [
    ("ישראל", "ישראל", "ישראל היא מדינה במזרח התיכון, לחופו המזרחי של הים התיכון. בירתה ירושלים."),
    ("סודאן", "סודאן", "סודאן היא מדינה בצפון מזרח אפריקה. בירתה חרטום, והנילוס עובר בשטחה."),
    ("הסכמי אברהם", "הסכמי אברהם", "בשנת 2020 נחתמו הסכמי נורמליזציה, ובעקבותיהם כוננו יחסים רשמיים בין ישראל לסודאן."),
    ("הסכם שכירות — משפחת כהן", "5. סיום › 5.1", "5.1 כל צד רשאי לסיים את ההסכם בהודעה מוקדמת של 60 ימים."),
    (
        "הסכם ניהול — משפחת לוי",
        "7. סיום › 7.2",
        "7.2 החברה המנהלת או הבעלים רשאים לסיים את ההסכם בהודעה מוקדמת בכתב של 90 ימים.",
    ),
]


def ask(question: str) -> Reply:
    return answer_from(CHUNKS, question)


def test_the_relation_of_two_named_documents_told_in_a_third_is_answered_from_it() -> None:
    reply = ask("באיזו שנה כוננו יחסים בין ישראל לסודאן?")
    assert reply.status == "answered" and "2020" in reply.text, (reply.reason, reply.text)
    assert "הסכמי אברהם" in reply.text


def test_a_comparison_no_document_answers_is_still_refused() -> None:
    # looked for everywhere, the thing asked of both (a cancellation fee) is in no document: nothing is quoted
    reply = ask("מה דמי הביטול בהסכם השכירות של משפחת כהן לעומת הסכם הניהול של משפחת לוי?")
    assert reply.status == "not_found", (reply.reason, reply.text)
