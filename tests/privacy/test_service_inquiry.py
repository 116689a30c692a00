"""A clinic's services asked about by name are not a health detail about anyone — until a person is in the text."""

import pytest

from sochen.privacy import assess

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    ["מה המחיר של הלבנת שיניים?", "כמה עולה ניקוי אבנית?", "אפשר לקבוע תור לסתימה?", "האם יש מחירון ליישור שיניים?"],
)
def test_service_questions_are_not_sensitive(text):
    result = assess(text)
    assert "health" in result.types  # still reported
    assert not result.sensitive


@pytest.mark.parametrize(
    "text",
    [
        "יש לי כאב חזק אחרי טיפול שורש",
        "אני בהריון, מותר לעשות צילום שיניים?",
        "כמה עולה שתל לבעלי?",
        "לבעלי יש סוכרת, אפשר שתל?",
        "המטופלת עברה עקירה אתמול",
    ],
)
def test_services_tied_to_a_person_are_sensitive(text):
    assert assess(text).sensitive


def test_diagnoses_are_sensitive_without_any_personal_cue():
    assert assess("טיפול לחולי סוכרת").sensitive
