"""`sochen jobs`: list, show (with attempts), retry and cancel, as an operator runs them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import sochen.cli.jobs  # noqa: F401  (registers `jobs` until sochen/cli/__init__.py imports it)
from sochen.cli import app
from sochen.db.session import session_scope
from sochen.workflows import Dispatcher, emit

from ._support import T0, ScriptedExecutor, lead_event, permanent, workflows
from .test_planning import CHAIN

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def jobs(db_url, clock):
    """A lead job that went dead and the task waiting for it."""
    with session_scope(db_url) as s:
        lead_id, task_id = emit(s, lead_event(), workflows(CHAIN), now=T0).job_ids
    Dispatcher(db_url, ScriptedExecutor({"zoho_crm.upsert_lead": [permanent()]}), clock=clock).run_due()
    return lead_id, task_id


def test_list_filters_and_json(jobs):
    lead_id, task_id = jobs
    listed = run("jobs", "list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = {r["id"]: r for r in json.loads(listed.output)}
    assert rows[lead_id]["status"] == "dead" and rows[task_id]["status"] == "pending"
    dead = json.loads(run("jobs", "list", "--status", "dead", "--json").output)
    assert [r["id"] for r in dead] == [lead_id]
    assert json.loads(run("jobs", "list", "--tenant", "nobody", "--json").output) == []
    table = run("jobs", "list")
    assert table.exit_code == 0 and "zoho_crm.upsert_lead" in table.output
    assert run("jobs", "list", "--status", "lost").exit_code == 2


def test_show_has_the_attempts(jobs):
    lead_id, task_id = jobs
    shown = run("jobs", "show", lead_id[:10], "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["id"] == lead_id and data["params"] == {"last_name": "דנה כהן"}
    assert [(a["number"], a["outcome"], a["error_kind"]) for a in data["attempt_log"]] == [
        (1, "dead", "invalid_request")
    ]
    human = run("jobs", "show", lead_id)
    assert human.exit_code == 0 and "MANDATORY_NOT_FOUND" in human.output
    waiting = json.loads(run("jobs", "show", task_id, "--json").output)
    assert waiting["waits_for"] == [{"id": lead_id, "action": "zoho_crm.upsert_lead", "status": "dead"}]
    assert "waits for" in run("jobs", "show", task_id).output
    assert run("jobs", "show", "0000000000").exit_code == 1


def test_retry_then_it_runs_with_attempts_kept(jobs, db_url, clock):
    lead_id, _task_id = jobs
    retried = run("jobs", "retry", lead_id, "--attempts", "2")
    assert retried.exit_code == 0, retried.output
    assert "1 attempts so far, up to 3" in retried.output
    clock.now = clock.now.replace(year=2030)  # the CLI stamps real time; move past it
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [{"module": "Leads", "id": "5"}]})
    outcomes = Dispatcher(db_url, executor, clock=clock).run_due()
    outcomes += Dispatcher(db_url, executor, clock=clock).run_due()
    assert [o.status for o in outcomes] == ["succeeded", "succeeded"]
    data = json.loads(run("jobs", "show", lead_id, "--json").output)
    assert [a["outcome"] for a in data["attempt_log"]] == ["dead", "succeeded"]
    again = run("jobs", "retry", lead_id)
    assert again.exit_code == 1 and "only dead, cancelled or held" in again.output


def test_cancel_takes_the_waiting_steps_along(jobs):
    lead_id, task_id = jobs
    cancelled = run("jobs", "cancel", lead_id)
    assert cancelled.exit_code == 0, cancelled.output
    assert task_id in cancelled.output
    rows = {r["id"]: r["status"] for r in json.loads(run("jobs", "list", "--json").output)}
    assert rows == {lead_id: "cancelled", task_id: "cancelled"}
    assert run("jobs", "cancel", lead_id).exit_code == 1
