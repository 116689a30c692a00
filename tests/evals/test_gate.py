"""The go-live gate and promotion: a broken version is blocked, a fixed one passes and goes live."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import sochen.cli.evals  # noqa: F401  (registers `sochen evals` and `sochen tenant promote`)
from sochen.cli import app
from sochen.config import get_settings
from sochen.config.sections.evals import GateThresholds
from sochen.db.models import Tenant
from sochen.db.session import session_scope
from sochen.evals import PromotionRefused, evaluate_thresholds, gate_status, promote, run_suite
from tests.evals.conftest import tenant_yaml

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


def live_version(url: str) -> int | None:
    with session_scope(url) as s:
        return s.query(Tenant.live_version).filter(Tenant.slug == "clinic").scalar()


def test_a_broken_version_is_blocked_and_a_fixed_one_goes_live(clinic, any_database_url, tmp_path):
    # Nothing was run yet: promotion is refused.
    refused = cli("tenant", "promote", "clinic")
    assert refused.exit_code == 1 and "version 1 has no eval run" in refused.output
    assert live_version(any_database_url) is None

    # Version 1 passes its suite and goes live.
    ran = cli("evals", "run", "--tenant", "clinic", "--report-dir", str(tmp_path / "v1"))
    assert ran.exit_code == 0, ran.output
    assert "gate: passed" in ran.output and "report.html" in ran.output
    assert cli("evals", "gate", "--tenant", "clinic").exit_code == 0
    promoted = cli("tenant", "promote", "clinic")
    assert promoted.exit_code == 0, promoted.output
    assert live_version(any_database_url) == 1

    # Version 2 breaks the agent (it no longer knows the services): lead scenarios fail, the gate blocks it.
    broken = tenant_yaml().replace("  services: [הלבנת שיניים, ניקוי אבנית]\n", "  services: []\n")
    assert clinic.apply(broken) == 2
    gate_before_run = cli("evals", "gate", "--tenant", "clinic")
    assert gate_before_run.exit_code == 1 and "version 2 has no eval run" in gate_before_run.output
    ran = cli("evals", "run", "--tenant", "clinic", "--json", "--report-dir", str(tmp_path / "v2"))
    assert ran.exit_code == 1
    result = json.loads(ran.output)
    assert result["version"] == 2 and result["passed"] is False
    assert any("(min_pass_rate)" in f for f in result["gate_failures"])
    assert any("(min_job_recall)" in f for f in result["gate_failures"])
    gate = cli("evals", "gate", "--tenant", "clinic")
    assert gate.exit_code == 1
    assert "pass rate 60.0% < 90.0% (min_pass_rate)" in gate.output and "(min_job_recall)" in gate.output
    refused = cli("tenant", "promote", "clinic")
    assert refused.exit_code == 1 and "version 2 of 'clinic' cannot go live" in refused.output
    assert live_version(any_database_url) == 1
    # Running the old, passing version again does not make the new one pass; v1 can still be (re)promoted.
    assert cli("tenant", "promote", "clinic", "--version", "1").exit_code == 0

    # Version 3 fixes it: it must pass on its own before it goes live.
    assert clinic.apply(tenant_yaml(name="מרפאת בדיקה (תוקן)")) == 3
    assert cli("tenant", "promote", "clinic").exit_code == 1  # no run of version 3 yet
    ran = cli("evals", "run", "--tenant", "clinic", "--report-dir", str(tmp_path / "v3"))
    assert ran.exit_code == 0, ran.output
    assert cli("evals", "gate", "--tenant", "clinic").exit_code == 0
    assert cli("tenant", "promote", "clinic").exit_code == 0
    assert live_version(any_database_url) == 3

    runs = json.loads(cli("evals", "list", "--tenant", "clinic", "--json").output)
    assert [(r["version"], r["passed"]) for r in runs] == [(3, True), (2, False), (1, True)]


def test_new_documents_need_a_new_run(clinic, any_database_url, tmp_path):
    from sochen.rag.ingest import ingest_paths
    from sochen.rag.retriever import Retriever

    settings = get_settings()
    assert run_suite(settings, "clinic", report_dir=tmp_path / "r1").passed
    with session_scope(any_database_url) as s:
        assert gate_status(s, "clinic").passed
    (clinic.folder / "docs" / "hours.md").write_text(
        "# שעות פעילות\n\nפתוחים גם במוצאי שבת 20:00-23:00.\n", encoding="utf-8"
    )
    ingest_paths(Retriever(settings), "clinic", [clinic.folder / "docs"])
    with session_scope(any_database_url) as s:
        status = gate_status(s, "clinic")
        assert not status.passed and any("the documents changed since the run" in f for f in status.failures)
        with pytest.raises(PromotionRefused):
            promote(s, "clinic")
    assert run_suite(settings, "clinic", report_dir=tmp_path / "r2").passed
    with session_scope(any_database_url) as s:
        assert promote(s, "clinic").passed
    assert live_version(any_database_url) == 1


def test_changed_scenarios_need_a_new_run(clinic, any_database_url, tmp_path):
    from sochen.evals import version_suite_digest
    from sochen.evals.store import resolve_version

    assert run_suite(get_settings(), "clinic", report_dir=tmp_path / "r").passed
    path = clinic.folder / "scenarios" / "basic.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("1,200", "1,200 ₪"), encoding="utf-8")
    with session_scope(any_database_url) as s:
        _, row = resolve_version(s, "clinic")
        status = gate_status(s, "clinic", suite_digest=version_suite_digest(row))
        assert any("the scenarios run are not the tenant's suite as it is now" in f for f in status.failures)
    assert cli("evals", "gate", "--tenant", "clinic").exit_code == 1


@pytest.mark.unit
def test_every_threshold():
    good = {
        "runs": 10,
        "pass_rate": 0.95,
        "intent_accuracy": 0.9,
        "job_recall": 1.0,
        "personal_data_leaks": 0,
        "latency_ms": {"p95": 800.0},
        "cost_per_conversation_usd": 0.002,
    }
    gate = GateThresholds(max_p95_latency_ms=1000, max_cost_per_conversation_usd=0.01)
    assert evaluate_thresholds(good, gate) == []
    bad = {
        **good,
        "pass_rate": 0.5,
        "intent_accuracy": 0.5,
        "job_recall": 0.5,
        "personal_data_leaks": 1,
        "latency_ms": {"p95": 1500.0},
        "cost_per_conversation_usd": 0.05,
    }
    failures = evaluate_thresholds(bad, gate)
    for key in (
        "min_pass_rate",
        "min_intent_accuracy",
        "min_job_recall",
        "max_personal_data_leaks",
        "max_p95_latency_ms",
        "max_cost_per_conversation_usd",
    ):
        assert any(f"({key})" in f for f in failures), key
    assert all(" | " in f for f in failures)  # Hebrew | English
    # Nothing expected of intents or jobs: those ratios are undefined and do not block.
    assert evaluate_thresholds({**good, "intent_accuracy": None, "job_recall": None}, gate) == []
    assert evaluate_thresholds({"runs": 0}, gate) == ["אין תרחישים שרצו | no scenario ran"]
