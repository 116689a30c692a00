"""Kinds found in the twelfth build, as general rules.

A clause that opens with 'במקרים אלה' is quoted after the clause before it, which says which cases. A price asked of
a thing whose own clause says no amount ('4.1 מכתב … לביטוח לאומי … נכתב רק לבקשת המטופל') is
answered by that clause and the clause of the same section that prices it ('4.2 מכתב קצר … 250 ₪'); a yes-or-no
'does it cost money?' wants the amount, or the clause that says it is free. A clause of another section, or one that
does not name the thing, completes nothing: the question is still refused. A fake lexical library, no database.
"""

from __future__ import annotations

import pytest

from sochen.agents.answering import Reply, answer
from sochen.config import TenantConfig
from tests.agents._archive_library import FakeLibrary

pytestmark = pytest.mark.unit

POLICIES = "נהלים — מרכז טיפולי לדוגמה"
CHUNKS = [
    (
        POLICIES,
        "נהלים › 4. דוחות ומכתבים לגורם שלישי › 4.1",
        "4. דוחות ומכתבים לגורם שלישי\n4.1 סיכום טיפול, מכתב או דוח לגורם שלישי — ביטוח לאומי, חברת ביטוח, מעסיק, "
        "צבא או רופא — נכתב רק לבקשת המטופל ובהסכמתו בכתב.",
    ),
    (
        POLICIES,
        "נהלים › 4. דוחות ומכתבים לגורם שלישי › 4.2",
        "4.2 מכתב קצר של עד עמוד אחד עולה 250 ₪; דוח מפורט עולה 600 ₪. הדוח נמסר בתוך 14 ימי עבודה.\n"
        "4.3 דוח אבחון ADHD כלול במחיר האבחון; עותק נוסף שלו ללא תשלום.",
    ),
    (
        POLICIES,
        "נהלים › 5. ביטולים › 5.1",
        "5. ביטולים\n5.1 ביטול פגישה פחות מ-24 שעות לפני מועדה מחויב ב-150 ₪.",
    ),
    (
        POLICIES,
        "נהלים › 7. אחריות וביטוח › 7.1",
        "7. אחריות וביטוח\n7.1 המרכז אחראי לנזק שנגרם במבנה לציוד המטופל, עד ₪1,500 לכל אירוע.\n"
        "7.2 המרכז יבטח את המבנה ואת הציוד שבו בביטוח אש ופריצה.\n7.3 המטופל אחראי לחפציו האישיים.",
    ),
    (
        POLICIES,
        "נהלים › 3. סודיות › 3.1",
        "3. סודיות\n3.1 כל מה שנאמר בטיפול חסוי. המרכז אינו מוסר מידע על מטופל בלי הסכמה בכתב של המטופל.\n"
        "3.2 חריגים שקבע החוק: סכנה ממשית לחיי המטופל או לחיי אחר, חשד לפגיעה בקטין, וצו של בית משפט.\n"
        "3.3 במקרים אלה המטפל פועל לפי החוק ומודיע למטופל ככל שהדבר אפשרי.",
    ),
    (
        POLICIES,
        "נהלים › 6. הקלטות › 6.1",
        "6. הקלטות\n6.1 הקלטת פגישה אפשרית רק בהסכמת המטפל ובכתב, לבקשת המטופל.",
    ),
]
CONFIG = TenantConfig.model_validate({"slug": "tipul", "name": "מרכז טיפולי", "agent": {"answer_mode": "extractive"}})


def ask(question: str) -> Reply:
    return answer(question, config=CONFIG, library=FakeLibrary(CHUNKS).library())


@pytest.mark.parametrize(
    "question",
    [
        "כמה עולה מכתב לביטוח לאומי?",
        "אני צריכה מכתב מהמטפלת שלי לביטוח לאומי. זה עולה כסף?",
        "אני צריכה מכתב מהמטפלת שלי לביטוח לאומי. כמה זה עולה?",
    ],
)
def test_the_price_is_taken_from_the_clause_beside_the_one_that_names_the_thing(question: str) -> None:
    reply = ask(question)
    assert reply.status == "answered", reply
    assert "250" in reply.text and "600" in reply.text
    assert "4.1" in reply.text and reply.text.index("4.1") < reply.text.index("4.2")  # in document order
    assert "150" not in reply.text  # the cancellation fee of another section is no part of it


def test_does_it_cost_money_is_answered_by_the_free_clause() -> None:
    reply = ask("עותק נוסף של דוח האבחון עולה משהו?")
    assert reply.status == "answered", reply
    assert "ללא תשלום" in reply.text


def test_a_clause_of_another_section_does_not_price_the_thing() -> None:
    # The recording clause says no amount, and no clause of its section does: the cancellation fee (another
    # section) or the letters' prices (another section, another thing) are not its price.
    reply = ask("כמה עולה הקלטת פגישה?")
    assert reply.status == "not_found", reply.text
    assert "150" not in reply.text and "250" not in reply.text


def test_only_the_next_clause_prices_the_thing() -> None:
    # 7.2 names the fire insurance and says no amount; 7.1 before it has an amount (a liability cap) and names the
    # building too: it is not what the insurance is worth.
    reply = ask("מה סכום ביטוח האש והפריצה של המבנה?")
    assert reply.status == "not_found", reply.text
    assert "1,500" not in reply.text


def test_a_clause_that_opens_with_these_cases_comes_with_the_clause_before_it() -> None:
    # '3.3 במקרים אלה …' says what is done in the cases 3.2 lists: quoted alone it does not say which cases.
    reply = ask("באילו מקרים המטפל מוסר מידע למישהו?")
    assert reply.status == "answered", reply
    if "3.3" in reply.text:
        assert "בית משפט" in reply.text and reply.text.index("3.2") < reply.text.index("3.3")
    assert "בית משפט" in reply.text or "בקטין" in reply.text
