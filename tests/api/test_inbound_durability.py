"""What the core issue reproduced, each as a test: nothing acknowledged is lost, nothing unreadable is a 500."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from sochen.config import get_settings
from sochen.db.models_outbox import DomainEvent, Job
from sochen.db.session import session_scope
from sochen.workflows.dispatcher import Dispatcher
from sochen.workflows.inbound import INBOUND_ACTION, inbound_executor

from ._support import count_deliveries, count_events, event_rows, n8n_headers, status_body, text_message, wa_headers

pytestmark = pytest.mark.unit

WA = "/webhooks/whatsapp/clinic"


def _unexpected(tenant, action, params, key):
    raise AssertionError(f"no connector job should run here ({action})")


def run_inbound_jobs(db_url: str) -> list[str]:
    dispatcher = Dispatcher(db_url, inbound_executor(get_settings(), _unexpected), actions=[INBOUND_ACTION])
    return [o.status for o in dispatcher.run_due(50)]


def test_one_unreadable_item_does_not_lose_the_valid_message(client, db_url, queue):
    payload = json.loads(text_message("wamid.good", "שלום, אפשר לקבוע תור?"))
    messages = payload["entry"][0]["changes"][0]["value"]["messages"]
    messages.insert(0, "not an object")
    messages.append(
        {"from": "972544401243", "id": "wamid.bad", "timestamp": "1730231903", "type": "text", "text": "str"}
    )
    body = json.dumps(payload, ensure_ascii=False).encode()
    response = client.post(WA, content=body, headers=wa_headers(body))
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "received": 3, "new": 1, "duplicates": 0, "rejected": 2}
    assert "attribute" not in response.text and "Error" not in response.text
    rows = {r.status: r for r in event_rows(db_url)}
    assert set(rows) == {"pending", "rejected"} and count_events(db_url, status="rejected") == 2
    rejected = [r for r in event_rows(db_url) if r.status == "rejected"]
    assert all(r.error and "attribute" not in r.error for r in rejected)
    assert {r.error for r in rejected} == {
        "the message item is a JSON str, not an object",
        "the message item has a field of the wrong shape (AttributeError)",
    }
    assert queue.ids == [rows["pending"].id]  # only the readable message is work
    with session_scope(db_url) as session:
        assert session.scalar(select(Job.action).where(Job.id == rows["pending"].id)) == INBOUND_ACTION
        assert session.scalar(select(Job.id).where(Job.id.in_([r.id for r in rejected]))) is None
    # The same batch again adds nothing.
    again = client.post(WA, content=body, headers=wa_headers(body)).json()
    assert again["new"] == 0 and again["duplicates"] == 3


def _nested(depth: int) -> bytes:
    return b'{"object":"whatsapp_business_account","entry":' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [70, 300, 10_000])
def test_deeply_nested_signed_bodies_are_400_and_store_nothing(client, db_url, depth):
    body = _nested(depth)
    response = client.post(WA, content=body, headers=wa_headers(body))
    assert response.status_code == 400 and response.json()["error"]["code"] == "payload_too_deep"
    n8n = b'{"event":"x","payload":' + b"[" * depth + b"]" * depth + b"}"
    response = client.post("/webhooks/n8n/clinic", content=n8n, headers=n8n_headers(n8n))
    assert response.status_code == 400 and response.json()["error"]["code"] == "payload_too_deep"
    assert count_events(db_url) == 0 and count_deliveries(db_url) == 0


def test_brackets_inside_strings_do_not_count_as_depth(client, db_url):
    text = "[" * 500 + " סוגריים בתוך טקסט " + "{" * 500
    body = text_message("wamid.brackets", text)
    response = client.post(WA, content=body, headers=wa_headers(body))
    assert response.status_code == 200 and response.json()["new"] == 1


def test_a_message_for_another_business_number_is_kept_but_never_answered(client, db_url, monkeypatch):
    from sochen.workflows import inbound as inbound_module

    monkeypatch.setattr(inbound_module, "handle_message", lambda *a, **k: pytest.fail("must not be answered"))
    body = text_message("wamid.other").replace(b"277321005464405", b"999999999999999")
    response = client.post(WA, content=body, headers=wa_headers(body))
    assert response.status_code == 200 and response.json()["new"] == 1
    [row] = event_rows(db_url)
    assert row.kind == "notice" and row.payload["field"] == "misrouted"
    assert run_inbound_jobs(db_url) == ["succeeded"]


def _sent_job(db_url: str, message_id: str) -> str:
    with session_scope(db_url) as session:
        session.add(DomainEvent(key=f"ev-{message_id}", tenant="clinic", type="reply", payload={}))
        session.flush()
        event = session.scalar(select(DomainEvent).where(DomainEvent.key == f"ev-{message_id}"))
        job = Job(
            key=f"job-{message_id}",
            tenant="clinic",
            event_id=event.id,
            action="whatsapp.send_message",
            params={"type": "text", "to": "972544401243", "text": "שלום"},
            status="succeeded",
            result={"message_id": message_id},
            external_id=message_id,
            delivery_status="accepted",
        )
        session.add(job)
        session.flush()
        return job.id


def _delivery(db_url: str, job_id: str) -> tuple[str | None, str | None]:
    with session_scope(db_url) as session:
        job = session.get(Job, job_id)
        return job.delivery_status, job.delivery_error


def test_delivery_statuses_move_the_sent_reply_forward_only(client, db_url):
    job_id = _sent_job(db_url, "wamid.out1")
    for status in ("sent", "read", "delivered"):  # delivered arrives after read: it must not go back
        body = status_body([("wamid.out1", status)])
        assert client.post(WA, content=body, headers=wa_headers(body)).status_code == 200
    assert run_inbound_jobs(db_url) == ["succeeded"] * 3
    assert _delivery(db_url, job_id) == ("read", None)


def test_a_failed_delivery_keeps_metas_code_and_title(client, db_url):
    job_id = _sent_job(db_url, "wamid.out2")
    payload = json.loads(status_body([("wamid.out2", "failed")]))
    payload["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"] = [
        {"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message"}
    ]
    body = json.dumps(payload).encode()
    client.post(WA, content=body, headers=wa_headers(body))
    assert run_inbound_jobs(db_url) == ["succeeded"]
    assert _delivery(db_url, job_id) == ("failed", "131047 Re-engagement message")


def test_a_status_for_an_unknown_message_is_retried_then_recorded_unmatched(client, db_url):
    from datetime import UTC, datetime, timedelta

    from sochen.workflows.inbound import run_inbound

    body = status_body([("wamid.nobody", "delivered")])
    client.post(WA, content=body, headers=wa_headers(body))
    assert run_inbound_jobs(db_url) == ["retry"]  # the send job may not have recorded its id yet
    later = datetime.now(UTC) + timedelta(minutes=5)

    def execute(tenant, action, params, key):
        return run_inbound(get_settings(), params["event_id"], now=lambda: later)

    late = Dispatcher(db_url, execute, actions=[INBOUND_ACTION], clock=lambda: later)
    [outcome] = late.run_due(5)
    assert outcome.status == "succeeded"
    assert [r.status for r in event_rows(db_url)] == ["processed"]


def test_inbound_over_http_and_cli_lists_retries_and_hides_other_tenants(client, db_url, monkeypatch):
    from typer.testing import CliRunner

    from sochen.cli import app as cli
    from sochen.workflows import inbound as inbound_module

    from .test_v1_auth_jobs import bearer, make_key

    def broken(*args, **kwargs):
        raise RuntimeError("the graph crashed")

    monkeypatch.setattr(inbound_module, "handle_message", broken)
    body = text_message("wamid.dead")
    client.post(WA, content=body, headers=wa_headers(body))
    [row] = event_rows(db_url)
    with session_scope(db_url) as session:
        session.get(Job, row.id).max_attempts = 1
    assert run_inbound_jobs(db_url) == ["dead"]
    _, clinic = make_key(db_url, "clinic")
    _, bare = make_key(db_url, "bare")
    listed = client.get("/v1/clinic/inbound?status=dead", headers=bearer(clinic)).json()
    assert [(i["id"], i["work"]["status"]) for i in listed] == [(row.id, "dead")]
    assert "payload" not in listed[0] and "שלום" not in json.dumps(listed)
    assert client.get(f"/v1/inbound/{row.id}", headers=bearer(bare)).status_code == 404
    shown = client.get(f"/v1/inbound/{row.id}", headers=bearer(clinic)).json()
    assert [a["outcome"] for a in shown["attempts"]] == ["dead"]
    assert client.post(f"/v1/inbound/{row.id}/retry", headers=bearer(bare)).status_code == 404
    retried = client.post(f"/v1/inbound/{row.id}/retry", headers=bearer(clinic)).json()
    assert retried["work"]["status"] == "pending"
    result = CliRunner().invoke(cli, ["inbound", "list", "--tenant", "clinic", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["work"]["status"] == "pending"
    from sochen.workflows.conversations import TurnResult

    monkeypatch.setattr(inbound_module, "handle_message", lambda *a, **k: TurnResult("c", {}, "active"))
    assert run_inbound_jobs(db_url) == ["succeeded"]


def test_an_automation_event_becomes_a_workflow_event_for_the_tenants_rules(make_client, db_url, queue):
    from ._support import apply_tenant

    rules = """workflows:
  rules:
    - name: תור נקבע ב-n8n
      on: workflow.appointment.booked
      do:
        - action: n8n.trigger_workflow
          params: {workflow: confirm, payload: {slot: "{{ event.data.slot }}"}}
"""
    apply_tenant(db_url, "clinic", extra=rules)
    client = make_client(queue=queue)
    body = json.dumps({"event": "appointment.booked", "event_id": "exec-41", "slot": "2026-12-01T10:00"}).encode()
    assert client.post("/webhooks/n8n/clinic", content=body, headers=n8n_headers(body)).json()["new"] == 1
    outcomes = run_inbound_jobs(db_url)
    with session_scope(db_url) as session:
        errors = [j.last_error for j in session.scalars(select(Job))]
    assert outcomes == ["succeeded"], errors
    with session_scope(db_url) as session:
        [event] = session.scalars(select(DomainEvent).where(DomainEvent.type == "workflow.appointment.booked")).all()
        [job] = session.scalars(select(Job).where(Job.action == "n8n.trigger_workflow")).all()
    assert event.payload["source"] == "n8n" and job.params["payload"] == {"slot": "2026-12-01T10:00"}


def test_the_window_is_measured_from_the_customers_own_timestamp(client, db_url):
    """A message delivered again a day later must not look new: the transcript keeps the customer's time."""
    import time as clock

    from sochen.workflows.executors import TranscriptServiceWindows

    sent_at = int(clock.time()) - 30 * 3600  # written 30 hours ago, delivered (again) only now
    body = text_message("wamid.old").replace(b'"timestamp":"1730231903"', f'"timestamp":"{sent_at}"'.encode())
    assert client.post(WA, content=body, headers=wa_headers(body)).status_code == 200
    assert run_inbound_jobs(db_url) == ["succeeded"]
    last = TranscriptServiceWindows(db_url, "clinic").last_inbound("972544401243")
    assert last is not None and abs(last - sent_at) < 2


def test_chat_runs_in_a_sandbox_unless_live(db_url, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from sochen.cli import app as cli
    from sochen.db.models_conversations import Conversation

    result = CliRunner().invoke(cli, ["chat", "--tenant", "clinic"], input="שלום, מה שעות הפעילות?\n")
    assert result.exit_code == 0, result.output
    assert "sandbox" in result.output
    with session_scope(db_url) as session:
        assert session.scalar(select(Conversation.id)) is None  # nothing in the live database
        assert session.scalar(select(Job.id).where(Job.action == "whatsapp.send_message")) is None
    live = CliRunner().invoke(cli, ["chat", "--tenant", "clinic", "--live"], input="שלום\n")
    assert live.exit_code == 0, live.output
    with session_scope(db_url) as session:
        assert session.scalar(select(Conversation.id)) is not None
