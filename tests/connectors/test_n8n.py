from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

import pytest
import requests

from sochen.connectors import CheckStatus, ConnectorError, WebhookRejected, WebhookRequest, WorkflowTrigger
from sochen.connectors.n8n import N8nConnector, sign_body

from ._support import N8N_SECRET

pytestmark = pytest.mark.unit

LEAD = {"event": "lead.captured", "name": "דנה כהן", "phone": "+972501234567", "reason": "ניקוי אבנית"}


def test_trigger_respond_immediately(n8n: Any, n8n_fake: Any) -> None:
    n8n_fake.register("lead-captured", header_auth=("X-Agent-Token", "s3cret"))
    run = n8n.trigger_workflow(WorkflowTrigger(workflow="lead-captured", payload=LEAD, idempotency_key="evt-17"))
    assert (run.status, run.run_id, run.workflow) == ("accepted", "evt-17", "lead-captured")
    (request,) = n8n_fake.requests
    assert request.path == "/webhook/lead-captured" and request.method == "POST"
    assert request.json() == LEAD
    expected = "sha256=" + hmac.new(N8N_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Sochen-Signature"] == expected
    assert request.headers["X-Sochen-Idempotency-Key"] == "evt-17"
    assert request.headers["Content-Type"].startswith("application/json")
    assert n8n_fake.executions[0]["body"]["name"] == "דנה כהן"


def test_trigger_respond_with_data(n8n: Any, n8n_fake: Any) -> None:
    n8n_fake.register("agent-in", response_mode="responseNode", response_code=201)
    run = n8n.trigger_workflow(WorkflowTrigger(workflow="agent-in", payload={"text": "שלום", "n": 1}))
    assert run.status == "completed" and run.response == {
        "ok": True,
        "echo": {"text": "שלום", "n": 1},
        "mode": "production",
    }
    assert run.provider_details["http_status"] == 201 and len(run.run_id) == 32


def test_not_registered_and_wrong_auth_are_permanent_misconfiguration(n8n: Any, n8n_fake: Any) -> None:
    with pytest.raises(ConnectorError) as missing:
        n8n.trigger_workflow(WorkflowTrigger(workflow="does-not-exist"))
    assert (missing.value.kind, missing.value.code, missing.value.retryable) == (
        "misconfigured",
        "webhook_not_registered",
        False,
    )
    assert "stacktrace" not in str(missing.value) and "node_modules" not in str(missing.value)
    assert "must be active" in missing.value.details["hint"]
    n8n_fake.register("guarded", header_auth=("X-Agent-Token", "another value"))
    with pytest.raises(ConnectorError) as auth:
        n8n.trigger_workflow(WorkflowTrigger(workflow="guarded"))
    assert (auth.value.kind, auth.value.code, auth.value.status) == ("misconfigured", "webhook_auth", 403)
    n8n_fake.register("get-only", method="GET")
    with pytest.raises(ConnectorError, match="not registered for POST"):
        n8n.trigger_workflow(WorkflowTrigger(workflow="get-only"))


def test_workflow_errors_and_timeouts_are_retryable(n8n: Any, n8n_fake: Any) -> None:
    n8n_fake.register("flaky", response_mode="lastNode", fails=True)
    with pytest.raises(ConnectorError) as failed:
        n8n.trigger_workflow(WorkflowTrigger(workflow="flaky"))
    assert failed.value.kind == "unreachable" and failed.value.retryable
    short = N8nConnector(n8n.config.model_copy(update={"timeout_s": 0.1}), session=n8n.session)
    n8n_fake.register("slow")
    n8n_fake.hang_next(seconds=2)
    with pytest.raises(ConnectorError) as slow:
        short.trigger_workflow(WorkflowTrigger(workflow="slow"))
    assert slow.value.kind == "unreachable"


def test_paths_are_checked(n8n: Any) -> None:
    for bad in ("../admin", "a b", "", "/"):
        with pytest.raises((ConnectorError, ValueError)):
            n8n.trigger_workflow(WorkflowTrigger(workflow=bad))
    allowed = N8nConnector(n8n.config.model_copy(update={"workflows": ["lead-captured"]}))
    with pytest.raises(ConnectorError) as err:
        allowed.trigger_workflow(WorkflowTrigger(workflow="other"))
    assert err.value.kind == "misconfigured"


def test_check(n8n: Any, n8n_fake: Any) -> None:
    assert n8n.check().ok
    n8n_fake.fail_next(503, text="down")
    assert n8n.check().status is CheckStatus.UNREACHABLE
    n8n_fake.fail_next(404, text="Cannot GET /healthz")
    assert n8n.check().status is CheckStatus.MISCONFIGURED


def test_inbound_calls_are_verified_events(n8n: Any) -> None:
    body = json.dumps(
        {"event": "appointment.booked", "event_id": "n8n-exec-881", "slot": "2026-03-03T10:00"},
        ensure_ascii=False,
    ).encode()
    headers = {"X-Sochen-Signature": sign_body(N8N_SECRET, body), "Content-Type": "application/json"}
    (event,) = n8n.receive_webhook(WebhookRequest("POST", body, headers))
    assert (event.type, event.event_id, event.name) == (
        "workflow_event",
        "n8n-exec-881",
        "appointment.booked",
    )
    with pytest.raises(WebhookRejected):
        n8n.verify_webhook(WebhookRequest("POST", body + b" ", headers))
    anonymous = json.dumps({"text": "בלי מזהה"}).encode()
    request = WebhookRequest("POST", anonymous, {"x-sochen-signature": sign_body(N8N_SECRET, anonymous)})
    first, second = n8n.receive_webhook(request)[0], n8n.receive_webhook(request)[0]
    assert first.event_id == second.event_id and first.event_id.startswith("sha256:")
    assert first.name == "unnamed"


# -- against a real n8n (protocols.md §3.6-3.7), only when SOCHEN_N8N_URL says where ---------------

REAL_N8N = os.environ.get("SOCHEN_N8N_URL")


@pytest.mark.skipif(
    not REAL_N8N,
    reason="SOCHEN_N8N_URL is not set: no real n8n to test against "
    "(recipe: protocols.md §3.6; import the agent-webhook-echo workflow and publish it)",
)
def test_against_real_n8n() -> None:
    # Tests reach loopback only: run n8n on this machine (protocols.md §3.5-3.7) and point SOCHEN_N8N_URL at it.
    path = os.environ.get("SOCHEN_N8N_WEBHOOK_PATH", "agent-in")
    config: dict[str, Any] = {"base_url": REAL_N8N, "signing_secret": "real-n8n-test", "timeout_s": 20}
    if os.environ.get("SOCHEN_N8N_HEADER_VALUE"):
        config["auth_header_name"] = os.environ.get("SOCHEN_N8N_HEADER_NAME", "X-Agent-Token")
        config["auth_header_value"] = os.environ["SOCHEN_N8N_HEADER_VALUE"]
    with requests.Session() as session:
        connector = N8nConnector(config, session=session)
        assert connector.check().ok
        run = connector.trigger_workflow(WorkflowTrigger(workflow=path, payload={"text": "שלום", "n": 1}))
        assert run.status in ("accepted", "completed")
        if run.status == "completed" and isinstance(run.response, dict) and "echo" in run.response:
            assert run.response["echo"] == {"text": "שלום", "n": 1}
            assert run.response.get("mode") == "production"
        with pytest.raises(ConnectorError) as err:
            connector.trigger_workflow(WorkflowTrigger(workflow="sochen-does-not-exist"))
        assert (err.value.kind, err.value.code) == ("misconfigured", "webhook_not_registered")


def test_html_404_while_n8n_starts_is_transient_then_the_call_goes_through(n8n: Any, n8n_fake: Any) -> None:
    n8n_fake.register("lead-captured")
    n8n_fake.starting(calls=1)
    with pytest.raises(ConnectorError) as starting:
        n8n.trigger_workflow(WorkflowTrigger(workflow="lead-captured", payload={"שם": "דנה"}))
    assert (starting.value.kind, starting.value.code, starting.value.retryable) == (
        "unreachable",
        "webhooks_not_mounted",
        True,
    )
    assert "<pre>" not in str(starting.value)
    (_, response) = n8n_fake.exchanges[-1]
    assert response is not None and b"Cannot POST /webhook/lead-captured" in response.body
    assert response.headers["Content-Type"].startswith("text/html")
    run = n8n.trigger_workflow(WorkflowTrigger(workflow="lead-captured", payload={"שם": "דנה"}))
    assert run.status == "accepted" and len(n8n_fake.executions) == 1


def test_json_404_not_registered_stays_permanent_while_html_404_is_not(n8n: Any, n8n_fake: Any) -> None:
    with pytest.raises(ConnectorError) as missing:
        n8n.trigger_workflow(WorkflowTrigger(workflow="never-registered"))
    assert (missing.value.code, missing.value.retryable) == ("webhook_not_registered", False)


def test_a_403_from_the_workflows_own_check_does_not_blame_the_auth_header(n8n: Any, n8n_fake: Any) -> None:
    n8n_fake.register(
        "verified", response_mode="responseNode", refuse=(403, {"error": "bad signature", "message": "חתימה שגויה"})
    )
    with pytest.raises(ConnectorError) as refused:
        n8n.trigger_workflow(WorkflowTrigger(workflow="verified"))
    assert (refused.value.kind, refused.value.code) == ("misconfigured", "workflow_refused")
    assert "auth_header" not in str(refused.value) and "X-Sochen-Signature" in str(refused.value)
    assert "חתימה שגויה" in str(refused.value)


def test_execution_id_comes_from_the_body_not_a_header_n8n_never_sends(n8n: Any) -> None:
    body = json.dumps({"event": "x", "event_id": "881-1", "execution_id": "881"}).encode()
    request = WebhookRequest("POST", body, {"X-Sochen-Signature": sign_body(N8N_SECRET, body)})
    (event,) = n8n.receive_webhook(request)
    assert event.provider_details == {"execution_id": "881"}
    plain = b'{"event":"x"}'
    headers = {"X-N8N-Execution-Id": "1", "X-Sochen-Signature": sign_body(N8N_SECRET, plain)}
    (event,) = n8n.receive_webhook(WebhookRequest("POST", plain, headers))
    assert event.provider_details == {}
