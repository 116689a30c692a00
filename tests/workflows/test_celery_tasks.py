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


def _inbound_event(url: str, message_id: str) -> str:
    """A stored WhatsApp message and its job, as the webhook commits them."""
    from sochen.db.models import new_id
    from sochen.db.models_api import InboundEventRow
    from sochen.db.models_outbox import Job
    from sochen.workflows.inbound import inbound_job

    now = datetime.now(UTC)
    event_id = new_id()
    payload = {
        "type": "message",
        "message_id": message_id,
        "text": "שלום",
        "timestamp": "1730231903",
        "contact": {"id": "972544401243", "phone": "+972544401243"},
    }
    with session_scope(url) as s:
        s.add(
            InboundEventRow(
                id=event_id,
                tenant="clinic",
                channel="whatsapp",
                kind="message",
                event_key=message_id,
                payload=payload,
                status="pending",
            )
        )
        s.flush()
        s.add(Job(**inbound_job(event_id, "clinic", now)))
    return event_id


def test_process_inbound_runs_the_events_job_through_the_dispatcher(tasks, sqlite_url, monkeypatch):
    from sochen.workflows import inbound
    from sochen.workflows.conversations import TurnResult

    calls: list[str] = []

    def fake(settings, message, *, publish=None, tenant):
        calls.append(message.message_id)
        if message.message_id == "broken":
            raise RuntimeError("model down")
        publish(["job-1"])  # what a turn does after its transaction commits
        return TurnResult("conv", {}, "active", jobs=["job-1"])

    monkeypatch.setattr(inbound, "handle_message", fake)
    monkeypatch.setattr(inbound, "_live", lambda settings, tenant: object())
    ok = _inbound_event(sqlite_url, "ok")
    assert celery_app.process_inbound.run(ok) == "succeeded"
    assert tasks == [(celery_app.RUN_JOB, ["job-1"], {"queue": "q-test"})]
    assert celery_app.process_inbound.run(ok) == "skipped"  # a redelivered message does nothing
    broken = _inbound_event(sqlite_url, "broken")
    assert celery_app.process_inbound.run(broken) == "retry"  # recorded, and scheduled for its due time
    assert tasks[-1][0] == celery_app.RUN_JOB and tasks[-1][1] == [broken] and "eta" in tasks[-1][2]
    assert celery_app.process_inbound.run("no-such-event") == "skipped"
    assert calls == ["ok", "broken"]
