"""A request for information in the imperative is a question, and a long letter to the firm is not a lead."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sochen.agents.extract import understand_text

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))


@pytest.mark.parametrize(
    "text",
    [
        "תשלח לי את פרטי חשבון הבנק של המשכיר להוראת הקבע",
        "תשלחו לי את נוסח סעיף הערבות",
        "תני לי את רשימת הציוד שבנספח",
        "send me the details of the bank guarantee",
    ],
)
def test_a_request_for_information_is_a_question(text: str) -> None:
    reading = understand_text(text, now=NOW)
    assert reading.is_question and reading.intent == "document_question"


@pytest.mark.parametrize("text", ["תן לי פגישה מחר ב-10", "תחזרו אליי מחר בבוקר"])
def test_asking_for_a_meeting_or_a_call_is_not_a_request_for_information(text: str) -> None:
    assert understand_text(text, now=NOW).intent != "document_question"


def test_a_colon_after_a_party_inside_a_sentence_does_not_name_the_writer() -> None:
    text = (
        "היו לנו כמה חילוקי דעות עם המשכיר: קודם על התיקון של דוד השמש, אחר כך על ועד הבית. "
        "האם המשכיר יכול לממש את הערבות בלי הודעה בכתב?"
    )
    reading = understand_text(text, now=NOW)
    assert "name" not in reading.slots
