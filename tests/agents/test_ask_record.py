"""What `sochen ask --json` records about a question with personal data that no model saw.

Quoted from the tenant's own documents on this machine, a sensitive question is answered, and the route record says
so: sensitive, with the types the privacy assessment found, and why no model was asked.
"""

from __future__ import annotations

import pytest

from sochen.agents.ask import AskResult
from sochen.llm import Answer

pytestmark = pytest.mark.unit


def _result(**kw) -> AskResult:
    return AskResult(
        "שלום, אני אבא של נועם לוי, יש לו ADHD. תשלחו את הסיכום בוואטסאפ?", Answer("answered", "7.1 …"), [], **kw
    )


def test_a_sensitive_question_quoted_locally_is_recorded_as_such():
    route = _result(mode="extractive", sensitive=True, sensitivity_types=frozenset({"health", "name"})).as_dict()[
        "route"
    ]
    assert route["route"] == "none" and route["provider"] is None
    assert route["sensitive"] is True and route["sensitivity_types"] == ["health", "name"]
    assert route["reason"] == "extractive_sensitive_local"


def test_the_answerers_own_reason_is_kept_beside_it():
    route = _result(mode="extractive", sensitive=True, sensitivity_types=frozenset({"health"}), reason="need").as_dict()
    assert route["route"]["reason"] == "extractive_sensitive_local_need"


def test_a_question_without_personal_data_keeps_its_reason():
    route = _result(mode="extractive", reason="price_band").as_dict()["route"]
    assert route["sensitive"] is False and route["sensitivity_types"] == [] and route["reason"] == "price_band"


def test_a_held_sensitive_question_is_not_recorded_as_answered_locally():
    held = AskResult(
        "…", Answer("degraded", "נציג יחזור אליך."), [], mode="none", sensitive=True, reason="sensitive_no_local"
    )
    assert held.as_dict()["route"]["reason"] == "sensitive_no_local"
