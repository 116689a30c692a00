"""Health, readiness, metrics, OpenAPI, and what happens to stored events: their jobs, held, retried, reclaimed."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from sochen.api import CeleryQueue, EmbeddedQueue, create_app
from sochen.config import Settings, get_settings
from sochen.db.models import LlmCall
from sochen.db.models_outbox import Job, JobAttempt
from sochen.db.session import session_scope

from ._support import event_rows, text_message, wa_headers
from .conftest import api_settings

pytestmark = pytest.mark.unit

WA = "/webhooks/whatsapp/clinic"


class FakeCelery:
    """Records send_task; its broker is unreachable."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[str], str]] = []

    def send_task(self, name, args, queue, **_kwargs):
        self.sent.append((name, list(args), queue))

    def connection_for_write(self):
        raise ConnectionRefusedError("broker at 127.0.0.1:1 refused the connection")


def post(client, message_id: str):
    body = text_message(message_id)
    return client.post(WA, content=body, headers=wa_headers(body))


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert set(checks) == {"database", "migrations", "broker", "vector_index"}
    assert all(c["ok"] for c in checks.values()) and checks["broker"]["detail"] == "not used"


def test_readyz_reports_each_failure(db_url, tmp_path):
    # A database that was never migrated, and a Celery broker that refuses connections.
    settings = Settings(database_url=f"sqlite:///{(tmp_path / 'empty.db').as_posix()}")
    queue = CeleryQueue(task_name="sochen.process_inbound", queue_name="sochen.inbound", celery=FakeCelery())
    with TestClient(create_app(settings, queue=queue)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and not checks["migrations"]["ok"]
    assert "sochen db upgrade" in checks["migrations"]["detail"]
    assert not checks["broker"]["ok"] and "refused" in checks["broker"]["detail"]


def test_celery_queue_sends_the_task_by_name(make_client, db_url):
    celery = FakeCelery()
    client = make_client(queue=CeleryQueue(task_name="sochen.process_inbound", queue_name="q.in", celery=celery))
    assert post(client, "wamid.c1").status_code == 200
    [row] = event_rows(db_url)
    assert celery.sent == [("sochen.process_inbound", [row.id], "q.in")]


def _fake_turns(monkeypatch, fail_first: bool = False) -> list[str]:
    """Replace the conversation graph with a recorder (these tests are about the queue, not the agent)."""
    from sochen.workflows import inbound as inbound_module
    from sochen.workflows.conversations import TurnResult

    seen: list[str] = []
    lock = threading.Lock()

    def handle(settings, message, *, publish=None, tenant):
        with lock:
            seen.append(message.message_id)
            first = len(seen) == 1
        if fail_first and first:
            raise RuntimeError("the graph crashed")
        return TurnResult("conv", {"turn": 1}, "active")

    monkeypatch.setattr(inbound_module, "handle_message", handle)
    return seen


def _jobs(db_url):
    with session_scope(db_url) as session:
        return {j.id: j for j in session.query(Job).all()}


def test_embedded_queue_runs_each_event_through_its_job(make_client, db_url, monkeypatch):
    seen = _fake_turns(monkeypatch)
    client = make_client()
    for i in range(3):
        assert post(client, f"wamid.e{i}").status_code == 200
    queue = client.app.state.sochen.queue
    assert isinstance(queue, EmbeddedQueue) and queue.join(timeout=20)
    rows = event_rows(db_url)
    assert sorted(seen) == ["wamid.e0", "wamid.e1", "wamid.e2"]
    assert [r.status for r in rows] == ["processed"] * 3 and all(r.processed_at for r in rows)
    jobs = _jobs(db_url)
    assert all(jobs[r.id].status == "succeeded" and jobs[r.id].action == "sochen.inbound" for r in rows)
    assert 'sochen_turns_total{outcome="ok"} 3.0' in client.get("/metrics").text


def test_a_failing_turn_is_retried_not_lost(make_client, db_url, monkeypatch):
    """Acknowledged means done eventually: a turn that raises goes back to pending with backoff, then runs."""
    from sochen.workflows.dispatcher import Dispatcher
    from sochen.workflows.inbound import INBOUND_ACTION, inbound_executor

    seen = _fake_turns(monkeypatch, fail_first=True)
    client = make_client()
    for i in range(3):
        post(client, f"wamid.f{i}")
    client.app.state.sochen.queue.join(timeout=20)
    with session_scope(db_url) as session:
        retried = [(a.job_id, a.message) for a in session.query(JobAttempt).filter(JobAttempt.outcome == "retry")]
    assert len(retried) == 1
    [(job_id, attempt_error)] = retried
    failed = _jobs(db_url)[job_id]
    # The failed attempt keeps its error. The job's own last_error holds it only while the retry waits: full
    # jitter can make the retry due at once, and a retry that succeeded before join() returned clears it.
    assert failed.action == INBOUND_ACTION and "RuntimeError" in (attempt_error or "")
    if failed.status == "pending":
        assert "RuntimeError" in (failed.last_error or "")
    else:
        assert failed.status == "succeeded" and failed.last_error is None
    metrics = client.get("/metrics").text
    assert 'sochen_turns_total{outcome="error"} 1.0' in metrics
    if failed.status == "pending":
        # The backoff has full jitter (up to 2 s for a first retry): usually still waiting, so run it as due later.
        later = datetime.now(UTC) + timedelta(minutes=10)
        dispatcher = Dispatcher(db_url, inbound_executor(get_settings(), _no_jobs), clock=lambda: later)
        assert [o.status for o in dispatcher.run_due()] == ["succeeded"]
    assert len(seen) == 4 and all(r.status == "processed" for r in event_rows(db_url))
    with session_scope(db_url) as session:
        outcomes = [a.outcome for a in session.query(JobAttempt).filter(JobAttempt.job_id == failed.id)]
    assert outcomes == ["retry", "succeeded"]


def _no_jobs(tenant, action, params, key):  # connector jobs are not these tests' business
    raise AssertionError(f"unexpected connector job {action}")


def test_a_lost_wake_up_is_picked_up_by_the_worker(client, db_url, queue, monkeypatch):
    """The queue is only a hint: with the message lost, the stored job still runs when a worker looks."""
    from sochen.workflows.dispatcher import Dispatcher
    from sochen.workflows.inbound import inbound_executor
    from sochen.workflows.worker import drain

    seen = _fake_turns(monkeypatch)
    post(client, "wamid.s1")
    [row] = event_rows(db_url)
    assert queue.ids == [row.id] and row.status == "pending"  # the recording queue ran nothing
    done = drain(Dispatcher(db_url, inbound_executor(get_settings(), _no_jobs)))
    assert done.count("succeeded") == 1 and seen == ["wamid.s1"]


def test_a_job_claimed_by_a_dead_process_resumes_at_once(client, db_url, monkeypatch):
    """After a crash, claimed work resumes in seconds: a lease held by a process that no longer exists is void."""
    import socket
    import subprocess
    import sys

    from sochen.workflows.dispatcher import Dispatcher
    from sochen.workflows.inbound import inbound_executor

    seen = _fake_turns(monkeypatch)
    post(client, "wamid.crash")
    [row] = event_rows(db_url)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout.strip())  # that process has exited
    hour = datetime.now(UTC) + timedelta(hours=1)
    with session_scope(db_url) as session:
        session.execute(
            update(Job)
            .where(Job.id == row.id)
            .values(
                status="running",
                attempts=1,
                lease_owner=f"{socket.gethostname()[:60]}:{pid}:tok",
                lease_expires_at=hour,
            )
        )
    outcomes = Dispatcher(db_url, inbound_executor(get_settings(), _no_jobs)).run_due()
    assert [o.status for o in outcomes] == ["succeeded"] and seen == ["wamid.crash"]
    with session_scope(db_url) as session:
        assert [a.outcome for a in session.query(JobAttempt).filter(JobAttempt.job_id == row.id)] == ["succeeded"]


def test_a_tenant_not_live_holds_its_messages_until_promotion(client, db_url, monkeypatch):
    """Production refuses an unpromoted tenant: the message is held (not failed, not lost), then runs."""
    from sochen.config import reset_settings
    from sochen.db.models import Tenant
    from sochen.workflows.dispatcher import Dispatcher
    from sochen.workflows.inbound import inbound_executor, release_held

    seen = _fake_turns(monkeypatch)
    post(client, "wamid.held")
    [row] = event_rows(db_url)
    monkeypatch.setenv("SOCHEN_ENVIRONMENT", "production")
    reset_settings()
    dispatcher = Dispatcher(db_url, inbound_executor(get_settings(), _no_jobs))
    assert [o.status for o in dispatcher.run_due()] == ["held"]
    job = _jobs(db_url)[row.id]
    assert job.status == "held" and job.max_attempts == 11 and "tenant_not_live" in job.last_error and seen == []
    assert dispatcher.run_due() == []  # held work is not claimed again by itself
    with session_scope(db_url) as session:
        session.execute(update(Tenant).where(Tenant.slug == "clinic").values(live_version=1))
        assert release_held(session, tenant="clinic") == [row.id]
    assert [o.status for o in dispatcher.run_due()] == ["succeeded"] and seen == ["wamid.held"]


def test_metrics_families(client, db_url):
    post(client, "wamid.m1")
    post(client, "wamid.m1")
    with session_scope(db_url) as session:
        session.add(
            LlmCall(
                tenant_slug="clinic",
                provider="local",
                route="local",
                reason="פשוט",
                outcome="ok",
                tokens_in=120,
                tokens_out=30,
                cost_usd=0.0,
            )
        )
        session.add(
            LlmCall(
                tenant_slug="clinic",
                provider="cloud",
                route="api",
                reason="מורכב",
                outcome="ok",
                tokens_in=1000,
                tokens_out=200,
                cost_usd=0.0125,
            )
        )
        job = Job(key="k1", tenant="clinic", action="n8n.trigger_workflow", status="dead")
        session.add(job)
        session.flush()
        session.add(JobAttempt(job_id=job.id, number=1, worker="w", outcome="dead"))
    text = client.get("/metrics").text
    expected = [
        'sochen_webhook_requests_total{channel="whatsapp",status="200"} 2.0',
        'sochen_webhook_latency_seconds_bucket{channel="whatsapp",le="0.05"}',
        'sochen_inbound_received_total{channel="whatsapp",kind="message",tenant="clinic"} 1.0',
        'sochen_inbound_duplicates_total{channel="whatsapp",tenant="clinic"} 1.0',
        'sochen_llm_tokens_total{direction="in",provider="cloud",route="api",tenant="clinic"} 1000.0',
        'sochen_llm_cost_usd_total{provider="cloud",route="api",tenant="clinic"} 0.0125',
        'sochen_llm_calls_total{outcome="ok",provider="local",route="local",tenant="clinic"} 1.0',
        'sochen_jobs{status="dead",tenant="clinic"} 1.0',
        'sochen_job_attempts_total{outcome="dead",tenant="clinic"} 1.0',
        'sochen_inbound_events{channel="whatsapp",status="pending",tenant="clinic"} 1.0',
        "sochen_metrics_database_error 0.0",
        "# TYPE sochen_turn_latency_seconds histogram",
        "# TYPE sochen_ask_latency_seconds histogram",
    ]
    missing = [line for line in expected if line not in text]
    assert not missing, missing


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"].startswith("Sochen API")
    assert "/webhooks/whatsapp/{tenant}" in spec["paths"] and "/v1/{tenant}/ask" in spec["paths"]
    assert "api_key" in spec["components"]["securitySchemes"]
    post_wa = spec["paths"]["/webhooks/whatsapp/{tenant}"]["post"]
    assert {"401", "403", "413", "415"} <= set(post_wa["responses"])
    assert "החתימה" in post_wa["description"]
    assert client.get("/docs").status_code == 200


def test_app_factory_is_cheap(db_url):
    # No thread, no Qdrant, no broker until the app runs and is asked.
    app = create_app(get_settings(), api_settings=api_settings())
    state = app.state.sochen
    assert state._retriever is None and getattr(state.queue, "_thread", None) is None


@pytest.mark.integration
def test_celery_queue_on_the_real_redis(make_client, db_url):
    """One sochen.process_inbound message per new event on the local Redis; readyz sees the broker."""
    import uuid

    import redis

    from sochen.workflows.celery_app import make_celery_app
    from sochen.workflows.settings import WorkerSettings

    prefix = f"sochen-test-{uuid.uuid4().hex[:8]}:"
    celery = make_celery_app(WorkerSettings(broker_url="redis://127.0.0.1:6379/0", broker_key_prefix=prefix))
    client = make_client(
        queue=CeleryQueue(task_name="sochen.process_inbound", queue_name="sochen.inbound", celery=celery)
    )
    r = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        for _ in range(2):
            assert post(client, "wamid.redis-1").status_code == 200
        messages = r.lrange(f"{prefix}sochen.inbound", 0, -1)
        assert len(messages) == 1
        [row] = event_rows(db_url)
        envelope = json.loads(messages[0])
        assert envelope["headers"]["task"] == "sochen.process_inbound"
        assert row.id in json.dumps(envelope)  # args travel in the (base64) body or headers
        ready = client.get("/readyz").json()["checks"]["broker"]
        assert ready["ok"] and ready["detail"] == "reachable"
    finally:
        keys = list(r.scan_iter(match=f"{prefix}*"))
        if keys:
            r.delete(*keys)
