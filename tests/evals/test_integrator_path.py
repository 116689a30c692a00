"""The integrator's path through evals: scenario keys and actions checked with suggestions, contains_any /
contains_all, grounded answers, and what ran versus what was only planned when a connector has no fake."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from sochen.config import get_settings
from sochen.evals import run_suite
from sochen.evals.assertions import check_turn
from sochen.evals.loading import SuiteError, installed_actions, load_files
from sochen.evals.metrics import compute_metrics
from sochen.evals.records import Check, ScenarioResult, TurnRecord
from sochen.evals.reports import print_summary
from sochen.evals.schema import Expectations, Scenario

from .conftest import SCENARIOS

NOT_FOUND = "לא מצאתי תשובה לכך במסמכים שברשותי."


def _problems(tmp_path, body: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(
        "scenarios:\n  - id: price-q\n    title: שאלת מחיר\n    category: prices\n    turns:\n"
        f'      - user: "כמה עולה הלבנה?"\n        expect:\n{body}',
        encoding="utf-8",
    )
    with pytest.raises(SuiteError) as err:
        load_files([path], actions=installed_actions())
    return err.value.problems


@pytest.mark.unit
def test_a_misspelt_key_gets_a_suggestion(tmp_path):
    (problem,) = _problems(tmp_path, "          refuse: false\n")
    assert "scenario `price-q` (#1): `turns.0.expect.refuse`: unknown key — did you mean `refuses`?" in problem


@pytest.mark.unit
def test_a_reply_key_outside_reply_says_where_it_belongs(tmp_path):
    (problem,) = _problems(tmp_path, '          contains: ["1,200"]\n')
    assert "`turns.0.expect.contains`: unknown key — `contains` belongs under `reply:`" in problem


@pytest.mark.unit
def test_an_action_without_its_connector_or_that_does_not_exist(tmp_path):
    bare, wrong = _problems(
        tmp_path, "          jobs: [{action: upsert_lead}]\n          jobs_not: [zoho_crm.upsert_leed]\n"
    )
    assert "`turns.0.expect.jobs.0.action`: 'upsert_lead' needs its connector prefix" in bare
    assert "did you mean 'zoho_crm.upsert_lead'?" in bare
    assert "no installed connector offers 'zoho_crm.upsert_leed' — did you mean 'zoho_crm.upsert_lead'?" in wrong


@pytest.mark.unit
def test_contains_any_and_contains_all():
    record = TurnRecord(n=1, user="כמה עולה הלבנה?", reply="הלבנת שיניים עולה 1,200 ₪", reply_mode="extractive")

    def statuses(reply: dict) -> list[str]:
        checks = check_turn(Expectations(reply=reply), record, not_found_reply=NOT_FOUND)
        return [c.status for c in checks if c.kind == "reply"]

    assert statuses({"contains_any": ["1200", "1,200 ₪", "אלף ומאתיים"]}) == ["pass"]
    assert statuses({"contains_any": ["999", "אלף"]}) == ["fail"]
    assert statuses({"contains_all": ["1,200", "הלבנת"]}) == ["pass", "pass"]
    assert statuses({"contains": ["1,200", "999"]}) == ["pass", "fail"]  # contains is all-of, as documented


@pytest.mark.unit
def test_an_answer_quoting_the_wrong_row_is_not_grounded():
    scenario = Scenario.model_validate(
        {"id": "price-q", "title": "שאלת מחיר", "category": "prices", "turns": [{"user": "כמה עולה הלבנה?"}]}
    )
    citation = [{"title": "מחירון", "section": "ניקוי אבנית"}]
    quote = TurnRecord(
        n=1, user="כמה עולה הלבנה?", reply="ניקוי אבנית: 350 ₪", reply_mode="extractive", citations=citation
    )

    def rate(checks: list[Check]) -> float:
        result = ScenarioResult(
            scenario_id="price-q", title="t", category="prices", repetition=1, turns=[quote], checks=checks
        )
        return compute_metrics([scenario], [result], not_found_reply=NOT_FOUND)["grounded_answer_rate"]

    assert rate([]) == 1.0
    assert rate([Check("reply", "fail", 1, "reply should contain '1,200'")]) == 0.0
    assert rate([Check("cites", "fail", 2, "another turn")]) == 1.0


def test_steps_waiting_on_a_connector_without_a_fake_say_so(clinic, tmp_path, monkeypatch):
    from sochen.connectors.zoho_crm import ZohoCrmConnector

    monkeypatch.setattr(ZohoCrmConnector, "sandbox_fake", classmethod(lambda cls, *a, **k: None))  # no fake here
    lead = SCENARIOS[: SCENARIOS.index("  - id: price-whitening")]
    (tmp_path / "lead.yaml").write_text(lead, encoding="utf-8")
    run = run_suite(
        get_settings(), "clinic", scenarios=load_files([tmp_path / "lead.yaml"]), report_dir=tmp_path / "r", store=False
    )
    jobs = {j.action: j for t in run.results[0].turns for j in t.jobs}
    assert "no sandbox fake for connector 'zoho_crm'" in jobs["zoho_crm.upsert_lead"].error
    waiting = jobs["zoho_crm.create_task"]
    assert waiting.status == "pending"
    assert waiting.error.startswith("waits on step 'lead' (zoho_crm.upsert_lead), which did not run: ")
    assert jobs["n8n.trigger_workflow"].status == "succeeded"
    assert not [c for c in run.results[0].failures if c.kind == "jobs_ran"], run.results[0].failures
    assert run.metrics["jobs_not_run"] == {"no sandbox fake": 1, "waits on a step without a sandbox fake": 1}
    out = io.StringIO()
    print_summary(run, Console(file=out, width=80))
    text = out.getvalue()
    assert "(planned; ran in the sandbox" in text
    assert "not run: 1 no sandbox fake, 1 waits on a step without a sandbox fake" in " ".join(text.split())


@pytest.mark.unit
def test_the_summary_lists_every_failure_in_full_at_80_columns():
    from sochen.evals.runner import SuiteRun

    reason = (
        "הודעה 1 · התשובה אמורה לכלול 'מעבדות', התקבל 'לפי המסמכים שלנו: מסמך זה מסביר איזה מידע אנו אוספים' "
        "| turn 1 · reply: reply should contain 'מעבדות', got 'לפי המסמכים שלנו: מסמך זה מסביר איזה מידע'"
    )
    result = ScenarioResult(
        scenario_id="privacy-who-gets-my-data",
        title="t",
        category="privacy",
        repetition=1,
        turns=[TurnRecord(n=1, user="למי אתם מעבירים את המידע שלי?")],
        checks=[Check("reply", "fail", 1, reason)],
    )
    run = SuiteRun(
        tenant="clinic",
        version=1,
        digest="d",
        kb_revision=1,
        suite_digest="s",
        repeat=1,
        results=[result],
        metrics={"jobs_planned": 0},
        gate_failures=["pass rate 0% < 90%"],
    )
    out = io.StringIO()
    print_summary(run, Console(file=out, width=80))
    text = out.getvalue()
    assert f"✗ privacy-who-gets-my-data: {reason}" in text  # one line, soft-wrapped by the terminal, not cut
    assert "ran in the sandbox" not in text  # nothing was planned: no claim about jobs
