"""The scoring of bench/heq_answers.py on hand-written answers (no tenant, no model)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sochen.text import normalize
from tests.bench_scoring._bench import load_bench

bench = load_bench("heq_answers")

pytestmark = pytest.mark.unit

PASSAGE = "המרפאה עברה לבניין החדש ברחוב הרצל בשנת 2019, ליד הספרייה העירונית."


def _result(answer: str, status: str = "answered", documents: tuple[str, ...] = ("d1",)) -> dict[str, Any]:
    return {
        "question": "באיזו שנה עברה המרפאה לבניין החדש?",
        "answer": answer,
        "status": status,
        "cited_documents": list(documents),
        "cited_texts": [PASSAGE] if documents else [],
        "cited_titles": ["מרפאת השקמה (0012) "] if documents else [],
    }


ANSWERABLE = {"id": "q1", "paragraph": 12, "answers": ["2019", "בשנת 2019"], "impossible": False}
IMPOSSIBLE = {"id": "q2", "paragraph": 12, "answers": [], "impossible": True}


def test_an_answer_with_the_gold_string_from_the_gold_paragraph_is_right() -> None:
    row = bench.score(ANSWERABLE, _result(f"לפי המסמכים שלנו: {PASSAGE} (מקור: מרפאת השקמה (0012))"), "d1", normalize)
    assert row["verdict"] == "right" and row["right"] and row["invented"] == []


def test_the_gold_string_from_another_paragraph_is_wrong() -> None:
    row = bench.score(ANSWERABLE, _result(f"לפי המסמכים שלנו: {PASSAGE}", documents=("d7",)), "d1", normalize)
    assert row["verdict"] == "wrong" and not row["right"]


def test_a_refusal_of_an_answerable_question_is_refused_not_right() -> None:
    row = bench.score(ANSWERABLE, _result("לא מצאתי תשובה לכך במסמכים שברשותי.", "not_found", ()), "d1", normalize)
    assert row["verdict"] == "refused" and not row["right"]


def test_an_unanswerable_question_is_right_only_when_refused() -> None:
    refused = bench.score(IMPOSSIBLE, _result("לא מצאתי תשובה לכך.", "not_found", ()), "d1", normalize)
    answered = bench.score(IMPOSSIBLE, _result(f"לפי המסמכים שלנו: {PASSAGE}"), "d1", normalize)
    assert refused["right"] and refused["verdict"] == "refused"
    assert not answered["right"] and answered["verdict"] == "answered"


def test_a_number_in_no_cited_passage_is_invented() -> None:
    row = bench.score(ANSWERABLE, _result("המרפאה עברה בשנת 2017 לבניין שבו 4 קומות."), "d1", normalize)
    assert row["invented"] == [4.0, 2017.0]


def test_every_question_is_loaded_with_its_paragraph(tmp_path: Path) -> None:
    data = {
        "data": [
            {
                "title": "מרפאת השקמה",
                "paragraphs": [
                    {
                        "context": PASSAGE,
                        "qas": [
                            {"id": "a", "question": "מתי?", "answers": [{"text": "2019"}], "is_impossible": False},
                            {"id": "b", "question": "למה?", "answers": [], "is_impossible": True},
                        ],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "heq.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    paragraphs, questions = bench.load(path)
    assert [p["title"] for p in paragraphs] == ["מרפאת השקמה"]
    assert [(q["id"], q["impossible"], q["paragraph"]) for q in questions] == [("a", False, 0), ("b", True, 0)]
