"""Mends after the review of the gavish rules, on other example clinics' own documents (no model).

A price question that mentions an illness is no exception to a cancellation charge; 'הביתה' is a home visit only
when someone comes to the home; the price column is read from the question sentence, a declined one in the plural
is declined, and 'לחברי כללית' does not pick a members' price that does not say it is for Clalit.
"""

from __future__ import annotations

import pytest

from sochen.agents.ask import ask
from sochen.agents.extract import is_emergency
from sochen.config import get_settings
from tests.agents._example_tenants import ingest_examples


@pytest.fixture
def tenants():
    return ingest_examples(get_settings().database_url, "nitzanim", "eyes")  # the test's own SQLite (isolated_home)


CASES = [
    # A price asked beside an illness: the price rows, not the exceptions to a cancellation charge.
    ("nitzanim", "הילד חולה באוטיזם, כמה משלמים על ריפוי בעיסוק?", ["350 ₪"], ["2.5"]),
    # Driving home after drops is no home visit.
    ("eyes", "אחרי בדיקה עם טיפות הרחבה אפשר לנהוג הביתה?", ["אין לנהוג"], []),
    # A series declined in the plural: not the series' column.
    ("nitzanim", "אנחנו לא רוצים סדרה, כמה עולה קלינאות תקשורת 45 דקות במכון?", ["340 ₪"], []),
    # The series is the story; one more session is asked.
    ("nitzanim", "הבן שלי סיים סדרה של 10 מפגשי ריפוי בעיסוק. כמה עולה עוד מפגש?", ["350 ₪"], []),
    # The members' price is for funds with an arrangement, which the row does not name: the private price stays.
    ("nitzanim", "מה המחיר לחברי כללית לאבחון שפה ודיבור?", ["900"], []),
]


def test_review_cases(tenants):
    for slug, question, shown, hidden in CASES:
        got = ask(get_settings(), slug, question, retriever=tenants, sensitive=False).as_dict()
        assert got["status"] == "answered", (question, got)
        text = got["answer"]
        assert all(s in text for s in shown) and not any(h in text for h in hidden), (question, text)


@pytest.mark.parametrize(
    "text",
    [
        "הבן שלי בן 5 ועדיין לא שולט על השתן בלילה. זה משהו שריפוי בעיסוק מטפל בו?",
        "הבת שלי בת 3 ולא מצליחה להתאפק עם השתן בגן, הגננת אמרה לפנות אליכם. יש לכם אבחון?",
        "אמא שלי בת 80 לא שולטת על השתן כבר שנים, האם פיזיותרפיה לרצפת האגן עוזרת?",
    ],
)
def test_bedwetting_and_long_standing_incontinence_are_no_emergency(text):
    assert is_emergency(text) is None


def test_control_lost_with_the_back_is_still_an_emergency():
    assert is_emergency("יש לי כאבי גב חזקים ומהבוקר לא הצלחתי להתאפק עם השתן") == "lost_control"
