"""The Celery tasks as plain functions: thin edges that load ids, call the service, map errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from sochen.db.session import session_scope
from sochen.workflows import emit, get_job

from ._support import lead_event, workflows

celery_app = pytest.importorskip("sochen.workflows.celery_app")


@pytest.fixture
def tasks(sqlite_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SOCHEN_JOB_EXECUTOR", "tests.workflows._worker_executor:effect_executor")
    monkeypatch.setenv("SOCHEN_TEST_EFFECTS", str(tmp_path))
    monkeypatch.setenv("SOCHEN_JOB_QUEUE", "q-test")
    sent: list[tuple[str, list[str], dict]] = []
    monkeypatch.setattr(
        celery_app.app, "send_task", lambda name, args=None, **kw: sent.append((name, list(args or []), kw))
    )
    celery_app.reset_runtime()
    yield sent
    celery_app.reset_runtime()


def _job(url, *, ago_s: float = 0, **params):
    rules = workflows([{"on": "lead.captured", "do": [{"action": "test.effect", "params": params}]}])
    with session_scope(url) as s:
        (job_id,) = emit(s, lead_event(), rules, now=datetime.now(UTC) - timedelta(seconds=ago_s)).job_ids
    return job_id


def test_run_job_runs_and_duplicates_are_skipped(tasks, sqlite_url):
    job_id = _job(sqlite_url)
    assert celery_app.run_job.run(job_id) == "succeeded"
    assert celery_app.run_job.run(job_id) == "skipped"  # a redelivered message does nothing
    assert tasks == []


def test_run_job_sends_the_retry_for_its_due_time(tasks, sqlite_url):
    job_id = _job(sqlite_url, fail_first=True)
    assert celery_app.run_job.run(job_id) == "retry"
    ((name, args, options),) = tasks
    with session_scope(sqlite_url) as s:
        due = get_job(s, job_id).next_attempt_at
    assert (name, args, options["queue"]) == (celery_app.RUN_JOB, [job_id], "q-test")
    assert options["eta"].replace(tzinfo=None) == due.replace(tzinfo=None)


class _Retry(Exception):
    pass


def _capture_retry(monkeypatch, task):
    asked: list[dict] = []

    def retry(**kw):
        asked.append(kw)
        return _Retry()

    monkeypatch.setattr(task, "retry", retry)
    return asked


def test_run_job_retries_the_task_when_the_database_is_down(tasks, monkeypatch):
    def down(job_id):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(celery_app._dispatcher(), "run_job", down)
    asked = _capture_retry(monkeypatch, celery_app.run_job)
    with pytest.raises(_Retry):
        celery_app.run_job.run("some-id")
    assert isinstance(asked[0]["exc"], OperationalError) and asked[0]["countdown"] > 0


def test_sweeper_publishes_due_jobs(tasks, sqlite_url, monkeypatch):
    monkeypatch.setenv("SOCHEN_SWEEP_GRACE_S", "30")
    celery_app.reset_runtime()
    job_id = _job(sqlite_url, ago_s=120)  # due for two minutes and nobody took it: its message was lost
    assert celery_app.dispatch_due.run() == 1
    assert tasks == [(celery_app.RUN_JOB, [job_id], {"queue": "q-test"})]
    assert celery_app.dispatch_due.run() == 0  # sent once per grace period


def test_process_inbound_maps_outcomes(tasks, monkeypatch):
    inbound = pytest.importorskip("sochen.workflows.inbound")
    calls: list[str] = []

    def fake(settings, event_id, *, publish=None):
        calls.append(event_id)
        if event_id == "missing":
            raise LookupError(event_id)
        if event_id == "broken":
            raise RuntimeError("model down")
        publish(["job-1"])  # what a turn does after its transaction commits
        return object()

    monkeypatch.setattr(inbound, "process_inbound", fake)
    assert celery_app.process_inbound.run("ok") == "processed"
    assert tasks == [(celery_app.RUN_JOB, ["job-1"], {"queue": "q-test"})]
    assert celery_app.process_inbound.run("missing") == "missing"
    asked = _capture_retry(monkeypatch, celery_app.process_inbound)
    with pytest.raises(_Retry):
        celery_app.process_inbound.run("broken")
    assert str(asked[0]["exc"]) == "model down"
