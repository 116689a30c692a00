"""The scoring of bench/archive_ask.py on hand-written ask outputs (no tenant, no model)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.bench_scoring._bench import load_bench

bench = load_bench("archive_ask")

SAAS = "הסכם שירותי תוכנה SaaS — דאטה-פלו מערכות ענן וגלובוס לוגיסטיקה"
SUPPLIER = "הסכם אספקת ציוד רפואי — אורן מערכות רפואיות ורשת מרפאות שקד"


def _cite(title: str, section: str, quote: str) -> dict[str, Any]:
    return {"n": 1, "title": title, "section": section, "page": None, "quote": quote}


def _ask(answer: str, *citations: dict[str, Any], status: str = "ok") -> dict[str, Any]:
    return {"answer": answer, "status": status, "handoff": False, "citations": list(citations)}


CREDIT = _cite(SAAS, "4. זמינות ותמיכה › 4.3", "4.3 אם הזמינות החודשית נמוכה מהיעד... 98.0% ועד פחות מ-99.0% | 10%")
DEADLINE = _cite(SAAS, "4. זמינות ותמיכה › 4.4", "4.4 הזיכוי יינתן ... תוך 30 ימים מתום החודש")
LOOKUP = {
    "id": "x",
    "kind": "lookup",
    "question": "מה הזיכוי אם הזמינות הייתה 98.5%?",
    "documents": ["שירותי תוכנה"],
    "clauses": ["4.3"],
    "answer": "10%",
}


def test_lookup_needs_the_answer_and_the_gold_clause() -> None:
    assert bench.score(LOOKUP, _ask("זיכוי של 10% [1]", CREDIT))["right"]
    wrong_clause = bench.score(LOOKUP, _ask("זיכוי של 10%", DEADLINE))
    assert not wrong_clause["right"] and wrong_clause["answer_matches"] and not wrong_clause["gold_clause_cited"]
    assert not bench.score(LOOKUP, _ask("זיכוי של 5%", CREDIT))["right"]


def test_clause_of_a_citation_is_its_last_path_segment_or_the_quotes_number() -> None:
    assert bench.citation_clauses(CREDIT) == {"4.3"}
    assert bench.citation_clauses(_cite(SAAS, "", "(א) הפרת סעיף 5")) == set()
    assert bench.citation_clauses(_cite(SAAS, "7. אחריות", "7.2 ההגבלה לפי סעיף 7.1")) == {"7", "7.2"}
    assert "7.1" not in bench.citation_clauses(_cite(SAAS, "7. אחריות › 7.2", "7.2 ההגבלה לפי סעיף 7.1"))


def test_two_clause_needs_every_gold_clause() -> None:
    q = {**LOOKUP, "kind": "two_clause", "clauses": ["4.3", "4.4"], "answer": "(?s)(?=.*10%)(?=.*30 ימים)"}
    assert bench.score(q, _ask("10%, לבקש תוך 30 ימים", CREDIT, DEADLINE))["right"]
    assert not bench.score(q, _ask("10%, לבקש תוך 30 ימים", CREDIT))["right"]


def test_comparison_needs_both_documents_and_both_facts() -> None:
    q = {
        "id": "c",
        "kind": "comparison",
        "question": "הודעה לסיום ב-SaaS לעומת הסכם האספקה?",
        "sides": [
            {"document": "שירותי תוכנה", "clause": "6.1", "answer": "90 ימים"},
            {"document": "אספקת ציוד רפואי", "clause": "6.2", "answer": "60 ימים"},
        ],
    }
    saas = _cite(SAAS, "6. סיום ההסכם › 6.1", "6.1 ... בהודעה בכתב של 90 ימים ... 12 החודשים")
    supplier = _cite(SUPPLIER, "6. סיום ההסכם › 6.2", "6.2 ... בהודעה בכתב של 60 ימים")
    both = bench.score(q, _ask("ב-SaaS 90 ימים; בהסכם האספקה 60 ימים", saas, supplier))
    assert both["right"] and both["both_cited_with_clause"]
    assert not bench.score(q, _ask("ב-SaaS 90 ימים; בהסכם האספקה 60 ימים", saas))["right"]
    assert not bench.score(q, _ask("ב-SaaS 90 ימים", saas, supplier))["right"]


def test_computation_result_and_cited_facts_and_derived_numbers_are_not_invented() -> None:
    q = {
        "id": "k",
        "kind": "computation",
        "question": 'כמה כולל מע"מ של 17%?',
        "documents": ["שירותי תוכנה"],
        "facts": ["3.1"],
        "answer": "21,?645",
    }
    fee = _cite(SAAS, "3. דמי שירות › 3.1", '3.1 הלקוח ישלם לספק דמי שירות חודשיים בסך ₪18,500, בתוספת מע"מ.')
    shown = bench.score(q, _ask("18,500 × 1.17 = 21,645 ₪", fee))
    assert shown["right"] and shown["invented_numbers"] == []
    assert not bench.score(q, _ask("21,645 ₪"))["right"]
    invented = bench.score(q, _ask("21,645 ₪, ובנוסף דמי הקמה של 3,999 ₪", fee))
    assert invented["invented_numbers"] == [3999.0]


@pytest.mark.parametrize(
    ("answer", "citations", "right"),
    [
        ("לא מצאתי תשובה לכך במסמכים שברשותי.", [], True),
        ("קיבלנו את פנייתך ונציג יחזור אליך בהקדם.", [], False),
        ("הקנס הוא 50,000 ₪", [], False),
        ("לא מצאתי סעיף קנס; סעיף 10.2 קובע תמורה", [CREDIT], False),
    ],
)
def test_unanswerable_is_right_only_when_refused(answer: str, citations: list[dict[str, Any]], right: bool) -> None:
    q = {"id": "u", "kind": "unanswerable", "question": "מה הקנס על הפרת אי-התחרות?", "documents": [], "clauses": []}
    assert bench.score(q, _ask(answer, *citations))["right"] is right


def test_numbers_read_thousands_commas_and_skip_citation_markers() -> None:
    assert bench.numbers("₪18,500 [2] ו-99.9% ו-4") == [18500.0, 99.9, 4.0]
    assert bench.parse_json('{\n  "answer": "x"\n}\n') == {"answer": "x"}
    assert bench.parse_json('noise\n{\n  "answer": "y"\n}\n') == {"answer": "y"}


def test_a_calculation_shown_step_by_step_may_step_on_its_own_results() -> None:
    q = {"id": "c", "kind": "computation", "question": 'כמה יעלו 5 שעות של שותף כולל מע"מ?', "documents": [SAAS]}
    q |= {"facts": ["3.2"], "answer": "7,080"}
    rate = _cite(SAAS, "3. דמי שירות › 3.2", "3.2 שותף — ₪1,200 לשעה.")
    vat = _cite(SAAS, "3. דמי שירות › 3.5", 'כל הסכומים אינם כוללים מע"מ (18%).')
    shown = bench.score(q, _ask("5 × ₪1,200 = ₪6,000; ₪6,000 × 1.18 = ₪7,080", rate, vat))
    assert shown["right"] and shown["invented_numbers"] == []
    # A total with no step shown from its facts is still invented.
    assert bench.score(q, _ask("₪7,080", rate, vat))["invented_numbers"] == [7080.0]


def test_a_table_row_lookup_asks_for_its_document_and_english_refusals_count() -> None:
    q = {"id": "r", "kind": "lookup", "question": "כמה עולה הדרכה?", "documents": ["שירותי תוכנה"]}
    q |= {"clauses": [], "table_row": True, "answer": "1,800"}
    row = _cite(SAAS, "מחירון › שירותים נוספים", "שירות: הדרכה · מחיר: ₪1,800")
    assert bench.score(q, _ask("שירות: הדרכה · מחיר: ₪1,800", row))["right"]
    assert not bench.score(q | {"table_row": False}, _ask("שירות: הדרכה · מחיר: ₪1,800", row))["right"]
    u = {"id": "u", "kind": "unanswerable", "question": "What is the parking fee?", "documents": [], "clauses": []}
    assert bench.score(u, _ask("I could not find this in our documents."))["right"]


def test_a_date_step_the_calendar_confirms_is_derived_and_a_wrong_one_is_invented() -> None:
    q = {
        "id": "d",
        "kind": "computation",
        "question": "הלקוח מסר הודעת סיום ביום 01/09/2026. מתי יסתיים ההסכם?",
        "documents": ["שירותי תוכנה"],
        "facts": ["2.3"],
        "answer": "30/11/2026",
    }
    notice = _cite(SAAS, "2. תקופה › 2.3", "2.3 הלקוח רשאי לסיים את ההסכם בהודעה מוקדמת בכתב של 90 יום.")
    right = bench.score(q, _ask("חישוב: 01/09/2026 + 90 יום = 30/11/2026", notice))
    assert right["invented_numbers"] == []
    wrong = bench.score(q, _ask("חישוב: 01/09/2026 + 90 יום = 29/11/2026", notice))
    assert 29.0 in wrong["invented_numbers"]
    quarter = _cite(SAAS, "2. תקופה › 2.3", "2.3 הלקוח רשאי לסיים את ההסכם בהודעה מוקדמת בכתב של 3 חודשים.")
    months = bench.score(q, _ask("חישוב: 31/08/2026 + 3 חודשים = 30/11/2026", quarter))
    assert {31.0, 30.0} <= set(months["invented_numbers"])  # the question's date is 01/09, not 31/08
    months = bench.score(
        {**q, "question": "הודעה ביום 31/08/2026: מתי?"}, _ask("31/08/2026 + 3 חודשים = 30/11/2026", quarter)
    )
    assert months["invented_numbers"] == []
