"""The runner end to end: the real graph and dispatcher, connectors in the sandbox, results stored and reported."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from sochen.config import get_settings
from sochen.db.models_conversations import Conversation
from sochen.db.models_evals import EvalResult, EvalRun
from sochen.db.models_outbox import Job
from sochen.db.session import session_scope
from sochen.evals import run_suite


def capture(store: dict):
    def inspect(sandbox) -> None:
        store.update(
            sent=list(sandbox.graph.sent),
            leads=sandbox.zoho.crm.records("Leads"),
            tasks=sandbox.zoho.crm.records("Tasks"),
            n8n=[e["body"] for e in sandbox.n8n.executions],
            crm_hosts={r.headers.get("Host") for r in sandbox.zoho.crm.requests},
        )

    return inspect


def test_suite_runs_in_the_sandbox_and_is_stored_against_the_exact_version(clinic, any_database_url, tmp_path):
    seen: dict = {}
    run = run_suite(get_settings(), "clinic", report_dir=tmp_path / "reports", inspect_sandbox=capture(seen))

    assert [r.scenario_id for r in run.results] == [
        "lead-three-turns",
        "price-whitening",
        "human-then-silent",
        "starts-with-person",
        "returning-lead-seeded-crm",
    ]
    assert run.passed, [c.message for r in run.results for c in r.failures]
    m = run.metrics
    assert m["pass_rate"] == 1.0 and m["intent_accuracy"] == 1.0 and m["job_recall"] == 1.0
    assert m["slot_precision"] == 1.0 and m["slot_recall"] == 1.0 and m["job_precision"] == 1.0
    assert m["handoff_rate"] == pytest.approx(2 / 5) and m["grounded_answer_rate"] == 1.0
    assert m["personal_data_leaks"] == 0 and m["cost_per_conversation_usd"] == 0.0
    # No model is configured: the one answer quoted the documents, and the run says so.
    assert m["answer_modes"] == {"extractive": 1, "none": 2, "template": 5} and m["model_answered"] is False
    assert "extractive" in run.info["answer_mode_note"]

    # The sandbox fakes got the WhatsApp sends, the Zoho upserts (one seeded lead updated) and the n8n trigger.
    assert any("דנה כהן" in s["text"]["body"] and s["to"].startswith("97255") for s in seen["sent"])
    leads = {lead["Phone"]: lead for lead in seen["leads"]}
    assert leads["+972501234567"]["Last_Name"] == "דנה כהן"
    assert leads["+972521112222"]["Last_Name"] == "רונית לוי" and leads["+972521112222"]["id"].startswith("9000")
    assert {t["What_Id"]["id"] for t in seen["tasks"]} == {lead["id"] for lead in seen["leads"]}
    assert sorted(e["service"] for e in seen["n8n"]) == ["הלבנת שיניים", "ניקוי אבנית"]
    assert all(host.startswith("127.0.0.1:") for host in seen["crm_hosts"])
    lead = next(r for r in run.results if r.scenario_id == "lead-three-turns")
    assert [j.status for j in lead.turns[-1].jobs] == ["succeeded"] * 4
    assert lead.turns[-1].jobs[-1].params["to"] == "972501234567"  # written back from the synthetic id

    with session_scope(any_database_url) as s:
        # Nothing of the run is in the tenant's own conversations or outbox.
        assert s.scalar(select(func.count()).select_from(Conversation)) == 0
        assert s.scalar(select(func.count()).select_from(Job)) == 0
        row = s.get(EvalRun, run.run_id)
        assert (row.tenant, row.version, row.status, row.passed) == ("clinic", 1, "finished", True)
        assert row.digest == run.digest and len(row.digest) == 64 and row.kb_revision == run.kb_revision >= 1
        assert row.suite_digest == run.suite_digest and row.metrics["pass_rate"] == 1.0
        assert row.report_paths["html"].endswith("report.html")
        stored = list(s.scalars(select(EvalResult).where(EvalResult.run_id == run.run_id)))
        assert len(stored) == 5 and all(r.passed for r in stored)
        assert stored[0].transcript and stored[0].checks

    report = json.loads((tmp_path / "reports" / "run.json").read_text(encoding="utf-8"))
    assert report["passed"] is True and report["version"] == 1 and len(report["results"]) == 5
    suite = ET.parse(tmp_path / "reports" / "junit.xml").getroot()
    cases = suite.findall(".//testcase")
    assert suite.get("tests") == "5" and suite.get("failures") == "0" and len(cases) == 5
    assert cases[0].get("classname") == "clinic.lead_capture" and cases[0].get("name") == "lead-three-turns"
    html = (tmp_path / "reports" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="he" dir="rtl">' in html and "<svg" in html and "<script" not in html
    assert 'dir="auto"' in html and "<bdi>" in html and "http://" not in html.split("<body>")[0]


def test_repeat_gives_each_run_its_own_conversation_and_a_pass_rate(clinic, tmp_path):
    run = run_suite(get_settings(), "clinic", repeat=3, jobs=6, report_dir=tmp_path / "r")
    assert len(run.results) == 15
    assert len({r.conversation_id for r in run.results}) == 15
    per = run.metrics["per_scenario"]
    assert all(entry["runs"] == 3 and entry["pass_rate"] == 1.0 for entry in per.values())
    assert sorted({r.repetition for r in run.results}) == [1, 2, 3]
    cases = ET.parse(tmp_path / "r" / "junit.xml").getroot().findall(".//testcase")
    assert {c.get("name") for c in cases} >= {"price-whitening #1", "price-whitening #3"}


def test_failures_are_reported_with_their_messages(clinic, tmp_path):
    from sochen.evals.loading import load_files

    (tmp_path / "wrong.yaml").write_text(
        """scenarios:
  - id: wrong-price
    title: ציפייה שגויה למחיר
    category: prices
    turns:
      - user: "מה המחיר של ניקוי אבנית?"
        expect: {intent: price_question, reply: {contains: ["999"]}, route: api}
""",
        encoding="utf-8",
    )
    run = run_suite(
        get_settings(),
        "clinic",
        scenarios=load_files([tmp_path / "wrong.yaml"]),
        report_dir=tmp_path / "r",
        store=False,
    )
    assert not run.passed and run.run_id is None
    assert any("pass rate 0.0% < 90.0% (min_pass_rate)" in f for f in run.gate_failures)
    failures = [c.message for c in run.results[0].failures]
    assert any("turn 1 · reply: reply should contain '999'" in f for f in failures)
    assert any("turn 1 · route: expected route api, got none" in f for f in failures)
    case = ET.parse(tmp_path / "r" / "junit.xml").getroot().find(".//testcase")
    failure = case.find("failure")
    assert failure is not None and "999" in (failure.get("message") + failure.text)
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert 'class="scenario failed"' in html and "reply should contain" in html and "נכשל" in html


@pytest.mark.integration
def test_the_sandbox_database_can_be_postgresql(clinic, postgres_admin_url, tmp_path):
    """The conversation path (checkpoints, outbox, ledger) on PostgreSQL, in a database of its own."""
    name = f"sochen_eval_sandbox_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        run = run_suite(get_settings(), "clinic", sandbox_database_url=url, jobs=3, report_dir=tmp_path / "r")
        assert run.passed, [c.message for r in run.results for c in r.failures]
        with session_scope(url) as s:  # the sandbox database holds the eval conversations and their jobs
            assert s.scalar(select(func.count()).select_from(Conversation)) == 5
            assert s.scalar(select(func.count()).select_from(Job).where(Job.status == "succeeded")) >= 9
    finally:
        from sochen.db.session import get_engine

        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
