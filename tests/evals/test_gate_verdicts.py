"""The gate's verdict per threshold: what each threshold asked, what the run measured, met or missed."""

from __future__ import annotations

import pytest

from sochen.config.sections.evals import GateThresholds
from sochen.evals import evaluate_thresholds, threshold_verdicts

pytestmark = pytest.mark.unit

METRICS = {
    "runs": 10,
    "pass_rate": 0.6,
    "intent_accuracy": 0.95,
    "job_recall": None,
    "personal_data_leaks": 1,
    "latency_ms": {"p95": 1800.0},
    "cost_per_conversation_usd": 0.004,
}


def test_every_threshold_is_listed_with_its_value_and_verdict() -> None:
    gate = GateThresholds(max_p95_latency_ms=1500, max_cost_per_conversation_usd=0.01)
    verdicts = {v.key: v for v in threshold_verdicts(METRICS, gate)}
    assert list(verdicts) == [
        "min_pass_rate",
        "min_intent_accuracy",
        "min_job_recall",
        "max_personal_data_leaks",
        "max_p95_latency_ms",
        "max_cost_per_conversation_usd",
    ]
    assert not verdicts["min_pass_rate"].passed and verdicts["min_pass_rate"].value == 0.6
    assert verdicts["min_pass_rate"].limit == 0.9 and verdicts["min_pass_rate"].unit == "%"
    assert verdicts["min_intent_accuracy"].passed and verdicts["min_intent_accuracy"].message is None
    assert verdicts["min_job_recall"].passed and verdicts["min_job_recall"].value is None  # not measured: passes
    assert not verdicts["max_personal_data_leaks"].passed and verdicts["max_personal_data_leaks"].value == 1
    assert not verdicts["max_p95_latency_ms"].passed and verdicts["max_p95_latency_ms"].limit == 1500
    assert verdicts["max_cost_per_conversation_usd"].passed
    # The failure messages are exactly the gate's (what `sochen evals gate` prints).
    assert [v.message for v in verdicts.values() if not v.passed] == evaluate_thresholds(METRICS, gate)
    assert "שיעור הצלחה 60.0% < 90.0% | pass rate 60.0% < 90.0% (min_pass_rate)" in evaluate_thresholds(METRICS, gate)


def test_unset_ceilings_cannot_fail_and_no_run_is_a_failure() -> None:
    verdicts = {v.key: v for v in threshold_verdicts(METRICS, GateThresholds())}
    assert verdicts["max_p95_latency_ms"].limit is None and verdicts["max_p95_latency_ms"].passed
    assert verdicts["max_cost_per_conversation_usd"].passed
    assert evaluate_thresholds({}, GateThresholds()) == ["אין תרחישים שרצו | no scenario ran"]
