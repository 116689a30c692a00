"""Mends after the review of the archive5 rules, on questions of other archives' kinds.

The count rule ('מכמה חברים' needs a clause that counts them) refused counts said in other ways, and a verb after
'בכמה' read as the noun to count; the party rule refused a fee schedule's price because the question named a client
who is a party to another contract.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import answer
from tests.agents._archive_library import CONFIG, FakeLibrary, clauses

LEASE = "הסכם שכירות — דירה ברחוב הגפן"
LOAN = "הסכם הלוואה — קרן אשראי גליל"
FEES = "תעריף שכר טרחה 2026 — כהן, מזרחי ושות'"
CHUNKS = [
    (LEASE, "מבוא", 'בין: יעל אברהם ("המשכירה")\nלבין: סולאר-טק הנדסה בע"מ ("השוכרת")'),
    (LEASE, "5. שימוש במושכר", "5.2 השוכרת רשאית להחזיק במושכר כלב אחד או חתול אחד, ובלבד שתתקן כל נזק."),
    (LEASE, "6. אופציה", "6.3 בתקופת האופציה יעלו דמי השכירות ב-4%, ל-₪7,072 לחודש."),
    (LOAN, "מבוא", 'בין: קרן אשראי גליל בע"מ ("המלווה")\nלבין: מאפיית הגליל העליון בע"מ ("הלווה")'),
    (LOAN, "3. עמלות", "3.2 דמי ההקמה הם ₪4,500, וישולמו בשני תשלומים שווים: במעמד החתימה ובתום 30 יום."),
    (LOAN, "4. פירעון", "4.1 ההלוואה תיפרע בארבעה תשלומים שנתיים של קרן בסכומים שווים."),
    (LOAN, "6. בטוחות", "6.1 הלווה ימציא ערבות בנקאית ו-3 שטרי חוב חתומים."),
    (FEES, "שירותים בשכר טרחה קבוע", "שירות: פגישת ייעוץ ראשונה (עד 45 דקות) · שכר טרחה: ₪600"),
    (FEES, "שירותים בשכר טרחה קבוע", "שירות: עריכת הסכם סודיות (NDA) · שכר טרחה: ₪1,800"),
]


def _ask(question: str):
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())


@pytest.mark.parametrize(
    ("question", "clause", "fact"),
    [
        ("בכמה תשלומים ישולמו דמי ההקמה?", "3.2", "בשני תשלומים"),  # a number word behind a prefix letter
        ("בכמה תשלומים תיפרע ההלוואה?", "4.1", "בארבעה תשלומים"),
        ("כמה כלבים מותר לשוכרת להחזיק בדירה?", "5.2", "כלב אחד"),  # the count said after its noun
        ("בכמה מתייקרים דמי השכירות בתקופת האופציה?", "6.3", "4%"),  # a verb, not a noun to count
    ],
)
def test_a_count_said_otherwise_is_still_answered(question, clause, fact):
    reply = _ask(question)
    assert reply.status == "answered" and clauses(reply)[0] == clause and fact in reply.text, reply.text


def test_a_count_the_clauses_state_in_digits_still_picks_the_clause_that_counts():
    reply = _ask("כמה שטרי חוב ימציא הלווה?")
    assert reply.status == "answered" and clauses(reply) == ["6.1"]


def test_a_fee_schedule_answers_a_client_named_in_another_contract():
    # 'מאפיית הגליל העליון' is a party of the loan; the fee schedule has no 'בין:' lines and prices every client.
    reply = _ask("כמה עולה פגישת ייעוץ ראשונה לנציגי מאפיית הגליל העליון?")
    assert reply.status == "answered" and "₪600" in reply.text, reply.text


def test_a_question_about_one_contracts_party_is_still_refused_from_another_contract():
    reply = _ask("כמה כלבים מותר למאפיית הגליל העליון להחזיק?")
    assert reply.status == "not_found", reply.text
