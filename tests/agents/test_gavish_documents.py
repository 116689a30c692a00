"""The gavish example clinic's own documents (DOCX price list, PDF policies, Markdown staff, HTML funds), ingested
and asked through ``sochen ask``: kinds that a lexical fake does not reproduce, because they hang on how the
real chunks and their weights fall (a health fund named beside the price asked, an illness among the exceptions
where another document speaks of 'קופות חולים'). No model."""

from __future__ import annotations

import pytest

from sochen.agents.ask import ask
from sochen.config import get_settings
from tests.agents._example_tenants import ingest_examples


@pytest.fixture
def gavish(any_database_url):
    return ingest_examples(any_database_url, "gavish")


CASES = [
    # The fund and its plan say whose price (the members' column), not what is priced. The row's member price does
    # not say which funds it is for, so the row is shown whole (a member of a fund without the arrangement pays the
    # single price: nitzanim's 'לחברי כללית').
    ("כמה עולה עיסוי רפואי של חצי שעה לחברי מאוחדת עוגן?", ["160 ₪", "210 ₪"], ["45 דקות"]),
    # Ill on the day: the exceptions (2.6), not the no-show fee (2.4).
    ("הייתי חולה עם חום ולא הגעתי לדיקור אתמול. אני צריך לשלם דמי אי-הגעה?", ["2.6"], ["2.4 "]),
]


def test_gavish_questions(gavish):
    for question, shown, hidden in CASES:  # one ingestion for all of them
        got = ask(get_settings(), "gavish", question, retriever=gavish, sensitive=False).as_dict()
        assert got["status"] == "answered", (question, got)
        text = got["answer"]
        assert all(s in text for s in shown) and not any(h in text for h in hidden), (question, text)
