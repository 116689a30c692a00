"""Health, readiness, metrics, OpenAPI, and what happens to stored events: queues, processor, sweeper."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from sochen.api import CeleryQueue, EmbeddedQueue, create_app
from sochen.api.inbound import mark_received
from sochen.api.queues import Sweeper
from sochen.config import Settings, get_settings
from sochen.db.models import LlmCall
from sochen.db.models_api import InboundEventRow
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


def test_embedded_queue_runs_the_processor_and_default_marks_received(make_client, db_url):
    client = make_client(processor=mark_received)
    for i in range(3):
        assert post(client, f"wamid.e{i}").status_code == 200
    queue = client.app.state.sochen.queue
    assert isinstance(queue, EmbeddedQueue) and queue.join(timeout=10)
    rows = event_rows(db_url)
    assert [r.status for r in rows] == ["received"] * 3 and all(r.processed_at for r in rows)
    metrics = client.get("/metrics").text
    assert 'sochen_turns_total{outcome="ok"} 3.0' in metrics


def test_a_failing_processor_does_not_stop_the_others(make_client, db_url):
    seen: list[str] = []
    lock = threading.Lock()

    def processor(settings, event_id):
        with lock:
            seen.append(event_id)
        if len(seen) == 1:
            raise RuntimeError("the graph crashed")

    client = make_client(processor=processor)
    for i in range(3):
        post(client, f"wamid.f{i}")
    assert client.app.state.sochen.queue.join(timeout=10)
    assert len(seen) == 3
    metrics = client.get("/metrics").text
    assert 'sochen_turns_total{outcome="error"} 1.0' in metrics and 'sochen_turns_total{outcome="ok"} 2.0' in metrics


def test_default_processor_is_the_agents_entry_point_when_present(monkeypatch):
    from sochen.api import state

    monkeypatch.setattr(state, "PROCESSOR_PATH", "sochen.agents.no_such_module:process_inbound")
    assert state.default_processor() is mark_received
    monkeypatch.setattr(state, "PROCESSOR_PATH", "sochen.api.inbound:mark_received")
    assert state.default_processor() is mark_received
    monkeypatch.setattr(state, "PROCESSOR_PATH", "sochen.api.inbound:not_there")
    assert state.default_processor() is mark_received


def test_sweeper_requeues_events_left_pending(client, db_url, queue):
    post(client, "wamid.s1")
    [row] = event_rows(db_url)
    sweeper = Sweeper(db_url, queue, every_s=60, grace_s=30)
    assert sweeper.sweep_once() == 0  # its own message is recent
    old = datetime.now(UTC) - timedelta(minutes=5)
    with session_scope(db_url) as session:
        session.execute(update(InboundEventRow).values(created_at=old, enqueued_at=old))
    assert sweeper.sweep_once() == 1 and queue.ids == [row.id, row.id]
    assert sweeper.sweep_once() == 0  # sent again just now


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
