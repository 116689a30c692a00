"""What the answering checks read as the question: the writer's own identifiers out, the asked numbers in."""

from __future__ import annotations

from sochen.agents.answering.checks import _asked
from sochen.agents.answering.extractive import Library


def _library() -> Library:
    return Library(search=lambda query, top_k=5: [])


def test_writers_id_phone_and_name_are_not_what_is_asked() -> None:
    asked = _asked('שמי דנה כהן, ת"ז 314159265, טלפון 052-1234567. מה שעות הפתיחה ביום שישי?', _library())
    assert "314159265" not in asked
    assert "1234567" not in asked
    assert "דנה" not in asked
    assert "שעות הפתיחה" in asked


def test_a_long_amount_is_what_is_asked_not_an_identifier() -> None:
    # Eight digits with no ID/phone cue are an amount: the old digit-run pattern took it out of the question.
    asked = _asked('מה הריבית אם סכום ההלוואה הוא 12000000 ש"ח?', _library())
    assert "12000000" in asked
