"""End to end: a signed WhatsApp message → the webhook → the agent → the outbox → WhatsApp, Zoho and n8n.

Everything real but the vendors, which are the recording fakes on loopback: the FastAPI app, signature
check on raw bytes, the stored inbound event, the LangGraph turn, the outbox transaction, the dispatcher
and the connectors over HTTP. Meta delivers the message three times and Zoho answers 500 twice first:
one reply is sent, one lead and one task are created, and n8n is triggered once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sochen.cli import app as cli
from sochen.config import get_settings
from sochen.connectors.testing.fakes import FakeGraphApi, FakeN8n, FakeZoho, signed_webhook, text_webhook
from tests.rag.samples import PRICES_MD

APP_SECRET = "e2e-app-secret-not-real"
CONTACT = "972501234567"
MESSAGE = "שלום, שמי דנה כהן ואני רוצה לקבוע תור להלבנת שיניים מחר ב-5"


class SyncQueue:
    """Runs each stored event's job at once, through the dispatcher (the embedded queue does it on a thread)."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def enqueue(self, event_ids):
        from sochen.workflows.dispatcher import Dispatcher
        from sochen.workflows.inbound import INBOUND_ACTION, inbound_executor

        url = get_settings().database_url
        dispatcher = Dispatcher(url, inbound_executor(get_settings(), _no_connector_jobs), actions=[INBOUND_ACTION])
        for event_id in event_ids:
            self.ids.append(event_id)
            assert dispatcher.run_job(event_id).status == "succeeded"


def _no_connector_jobs(tenant, action, params, key):
    raise AssertionError(f"connector jobs run in drain_with_clock, not here ({action})")


@pytest.fixture
def fakes() -> Iterator[tuple[FakeGraphApi, FakeZoho, FakeN8n]]:
    graph, zoho, n8n = FakeGraphApi().start(), FakeZoho().start(), FakeN8n().start()
    n8n.register("new-lead")
    try:
        yield graph, zoho, n8n
    finally:
        for fake in (graph, zoho, n8n):
            fake.stop()


def tenant_yaml(graph: FakeGraphApi, zoho: FakeZoho, n8n: FakeN8n) -> str:
    return f"""slug: clinic
name: מרפאת שיניים
agent:
  services: [הלבנת שיניים, ניקוי אבנית]
connectors:
  whatsapp:
    phone_number_id: "{graph.phone_number_id}"
    graph_url: "{graph.url}"
    access_token_env: E2E_WA_TOKEN
    app_secret_env: E2E_WA_SECRET
    verify_token_env: E2E_WA_VERIFY
  zoho_crm:
    data_centre: eu
    client_id: "{zoho.client_id}"
    client_secret_env: E2E_ZOHO_SECRET
    refresh_token_env: E2E_ZOHO_REFRESH
    accounts_url: "{zoho.accounts_url}"
    api_domain: "{zoho.api_domain}"
    max_attempts: 1
  n8n:
    base_url: "{n8n.url}"
    signing_secret_env: E2E_N8N_SECRET
workflows:
  rules:
    - name: lead
      on: lead.captured
      do:
        - id: lead
          action: zoho_crm.upsert_lead
          params: {{last_name: "{{{{ event.slots.name }}}}", phone: "{{{{ event.slots.phone | e164 }}}}"}}
        - action: zoho_crm.create_task
          params:
            subject: "לחזור ל{{{{ event.slots.name }}}}"
            related: {{module: Leads, id: "{{{{ steps.lead.id }}}}"}}
            due_date: "{{{{ next_business_day() }}}}"
        - action: n8n.trigger_workflow
          params: {{workflow: new-lead, payload: {{service: "{{{{ event.slots.service }}}}"}}}}
"""


@pytest.fixture
def clinic(any_database_url, fakes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    graph, zoho, n8n = fakes
    for name, value in {
        "E2E_WA_TOKEN": graph.access_token,
        "E2E_WA_SECRET": APP_SECRET,
        "E2E_WA_VERIFY": "verify-me",
        "E2E_ZOHO_SECRET": zoho.client_secret,
        "E2E_ZOHO_REFRESH": zoho.refresh_token,
        "E2E_N8N_SECRET": "n8n-secret",
    }.items():
        monkeypatch.setenv(name, value)
    folder = tmp_path / "clinic"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "prices.md").write_text(PRICES_MD, encoding="utf-8")
    (folder / "tenant.yaml").write_text(tenant_yaml(graph, zoho, n8n), encoding="utf-8")
    runner = CliRunner()
    for args in (
        ["db", "upgrade"],
        ["tenant", "apply", str(folder / "tenant.yaml")],
        ["ingest", "--tenant", "clinic", str(folder / "docs")],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    return fakes


def drain_with_clock(minutes: int = 90) -> list[str]:
    """Run due jobs, moving a test clock forward so that retries come due (no real waiting)."""
    from sochen.workflows import connector_executor, tenant_connector_factory
    from sochen.workflows.dispatcher import Dispatcher
    from sochen.workflows.worker import drain

    url = get_settings().database_url
    now = [datetime.now(UTC)]
    dispatcher = Dispatcher(url, connector_executor(tenant_connector_factory(url)), clock=lambda: now[0])
    statuses: list[str] = []
    for _ in range(minutes):  # bounded: one simulated minute per round
        result = drain(dispatcher, max_jobs=50, until_idle=True)
        statuses.extend(o.status for o in result.outcomes)
        now[0] += timedelta(minutes=1)
    return statuses


def test_signed_message_delivered_three_times_ends_in_one_reply_one_lead_one_task(clinic, any_database_url):
    graph, zoho, n8n = clinic
    from sochen.api.app import create_app

    queue = SyncQueue()
    body = text_webhook(
        MESSAGE,
        wa_id=CONTACT,
        name="דנה",
        message_id="wamid.E2E-1",
        timestamp=str(int(time.time()) - 60),
        phone_number_id=graph.phone_number_id,
    )
    zoho.crm.fail_next(500, json_body={"code": "INTERNAL_ERROR", "status": "error"}, times=2)
    with TestClient(create_app(get_settings(), queue=queue)) as client:
        for _ in range(3):  # Meta retries: same bytes, same signature
            response = client.post("/webhooks/whatsapp/clinic", content=body, headers=signed_webhook(body, APP_SECRET))
            assert response.status_code == 200, response.text
        tampered = client.post(
            "/webhooks/whatsapp/clinic",
            content=body.replace(b"\\u05d3", b"\\u05d4"),
            headers=signed_webhook(body, APP_SECRET),
        )
        assert tampered.status_code == 403
    assert len(queue.ids) == 1  # stored once, processed once
    check_conversation_api(create_app(get_settings(), queue=queue))

    statuses = drain_with_clock()
    assert "retry" in statuses  # Zoho's 500s were retried, not dropped

    from sqlalchemy import select

    from sochen.db.models_outbox import Job
    from sochen.db.session import session_scope

    with session_scope(any_database_url) as s:
        jobs = {j.action: j.status for j in s.scalars(select(Job))}

    assert jobs == {
        "sochen.inbound": "succeeded",  # the turn itself ran as a job
        "whatsapp.send_message": "succeeded",
        "zoho_crm.upsert_lead": "succeeded",
        "zoho_crm.create_task": "succeeded",
        "n8n.trigger_workflow": "succeeded",
    }
    assert_effects_once(graph, zoho, n8n)


def assert_effects_once(graph: FakeGraphApi, zoho: FakeZoho, n8n: FakeN8n) -> None:
    assert len(graph.sent) == 1
    reply = graph.sent[0]
    assert reply["to"] == CONTACT and "דנה כהן" in reply["text"]["body"] and "הלבנת שיניים" in reply["text"]["body"]
    leads = zoho.crm.records("Leads")
    assert len(leads) == 1 and leads[0]["Phone"] == "+972501234567" and leads[0]["Last_Name"] == "דנה כהן"
    tasks = zoho.crm.records("Tasks")
    assert len(tasks) == 1 and tasks[0]["What_Id"]["id"] == leads[0]["id"]
    assert len(n8n.executions) == 1 and n8n.executions[0]["body"]["service"] == "הלבנת שיניים"
    assert os.environ["E2E_WA_SECRET"] not in str(graph.requests)


@pytest.mark.integration
def test_production_stack_postgres_redis_and_a_celery_worker(clinic, any_database_url, tmp_path, monkeypatch):
    """The same flow with the webhook handing events to Celery on Redis and a real worker process running
    the turn and the jobs (Zoho's 500s retried with real, short backoff)."""
    if not any_database_url.startswith("postgresql"):
        pytest.skip("the production stack runs on PostgreSQL (the SQLite run of this file covers embedded)")
    graph, zoho, n8n = clinic
    from sochen.api.app import create_app
    from sochen.api.queues import CeleryQueue
    from tests.workflows._celery import celery_rig

    with celery_rig(any_database_url, tmp_path / "rig", executor="", lease_s=30.0) as rig:
        for name in (
            "E2E_WA_TOKEN",
            "E2E_WA_SECRET",
            "E2E_WA_VERIFY",
            "E2E_ZOHO_SECRET",
            "E2E_ZOHO_REFRESH",
            "E2E_N8N_SECRET",
        ):
            monkeypatch.setenv(name, os.environ[name])
        env_extra = {k: os.environ[k] for k in os.environ if k.startswith("E2E_")}
        original_env = rig.env
        rig.env = lambda: {**original_env(), **env_extra}  # type: ignore[method-assign]
        rig.start_worker("e2e")
        queue = CeleryQueue(task_name="sochen.process_inbound", queue_name=rig.queue, celery=rig.app())
        body = text_webhook(
            MESSAGE,
            wa_id=CONTACT,
            name="דנה",
            message_id="wamid.E2E-PG",
            timestamp=str(int(time.time()) - 60),
            phone_number_id=graph.phone_number_id,
        )
        zoho.crm.fail_next(500, json_body={"code": "INTERNAL_ERROR", "status": "error"}, times=2)
        with TestClient(create_app(get_settings(), queue=queue)) as client:
            for _ in range(3):
                response = client.post(
                    "/webhooks/whatsapp/clinic", content=body, headers=signed_webhook(body, APP_SECRET)
                )
                assert response.status_code == 200, response.text

        from sqlalchemy import select

        from sochen.db.models_outbox import Job
        from sochen.db.session import session_scope

        deadline = time.monotonic() + 90
        done: dict[str, str] = {}
        while time.monotonic() < deadline:  # bounded wait for the worker
            with session_scope(any_database_url) as s:
                done = {j.action: j.status for j in s.scalars(select(Job))}
            if len(done) == 5 and set(done.values()) == {"succeeded"}:
                break
            time.sleep(0.5)
        assert done == {
            "sochen.inbound": "succeeded",
            "whatsapp.send_message": "succeeded",
            "zoho_crm.upsert_lead": "succeeded",
            "zoho_crm.create_task": "succeeded",
            "n8n.trigger_workflow": "succeeded",
        }, rig.logs()
        assert_effects_once(graph, zoho, n8n)


def check_conversation_api(app) -> None:
    """The transcript over HTTP, a person taking over and giving back; other tenants see nothing."""
    from sochen.api.keys import create_key
    from sochen.db.session import session_scope

    with session_scope(get_settings().database_url) as session:
        _, mine = create_key(session, tenant="clinic", label="e2e")
        _, other = create_key(session, tenant="someone-else", label="e2e")
    auth = {"Authorization": f"Bearer {mine}"}
    with TestClient(app) as client:
        listed = client.get("/v1/clinic/conversations", headers=auth).json()
        assert len(listed) == 1 and listed[0]["status"] == "active"
        conv = listed[0]["id"]
        transcript = client.get(f"/v1/clinic/conversations/{conv}", headers=auth).json()["transcript"]
        assert [t["role"] for t in transcript] == ["user", "agent"] and "דנה" in transcript[0]["text"]
        assert client.post(f"/v1/clinic/conversations/{conv}/take-over", headers=auth).json()["status"] == "handoff"
        assert client.post(f"/v1/clinic/conversations/{conv}/release", headers=auth).json()["status"] == "active"
        stranger = {"Authorization": f"Bearer {other}"}
        assert client.get(f"/v1/clinic/conversations/{conv}", headers=stranger).status_code == 404
