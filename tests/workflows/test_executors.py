"""connector_executor: 'connector.action' to a real connector, over a fake n8n on loopback."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sochen.connectors.errors import ConnectorError, ErrorKind
from sochen.connectors.n8n import N8nConnector
from sochen.connectors.n8n.connector import IDEMPOTENCY_HEADER
from sochen.connectors.testing.fakes import FakeN8n
from sochen.db.models_outbox import Job
from sochen.db.session import session_scope
from sochen.workflows import Dispatcher, connector_executor, emit, load_executor

from ._support import T0, lead_event, workflows

RULES = [
    {
        "on": "lead.captured",
        "do": [{"action": "n8n.trigger_workflow", "params": {"workflow": "new-lead", "payload": "{{ event.slots }}"}}],
    }
]


@pytest.fixture
def n8n():
    with FakeN8n() as fake:
        fake.register("new-lead")
        yield fake


def test_jobs_reach_the_connector_with_the_idempotency_key(sqlite_url, clock, n8n):
    connector = N8nConnector({"base_url": n8n.url, "signing_secret": "s3cret-value-0001"})
    asked: list[tuple[str, str]] = []

    def factory(tenant, name):
        asked.append((tenant, name))
        return connector

    with session_scope(sqlite_url) as s:
        (job_id,) = emit(s, lead_event(), workflows(RULES), now=T0).job_ids
    dispatcher = Dispatcher(sqlite_url, connector_executor(factory), clock=clock)
    assert dispatcher.run_job(job_id).status == "succeeded"
    assert asked == [("clinic", "n8n")]
    (request,) = n8n.requests_to("/webhook/new-lead")
    assert request.json() == {"name": "דנה כהן", "phone": "050-123-4567"}
    with session_scope(sqlite_url) as s:
        job = s.get(Job, job_id)
        assert request.headers[IDEMPOTENCY_HEADER] == job.key
        assert job.result["status"] == "accepted" and job.result["run_id"] == job.key


def test_connector_errors_drive_retry_and_dead(sqlite_url, clock, n8n):
    connector = N8nConnector({"base_url": n8n.url, "signing_secret": "s3cret-value-0001"})
    n8n.fail_next(503, text="busy", headers={"Retry-After": "20"})
    with session_scope(sqlite_url) as s:
        (job_id,) = emit(s, lead_event(), workflows(RULES), now=T0).job_ids
    dispatcher = Dispatcher(sqlite_url, connector_executor(lambda t, n: connector), clock=clock)
    outcome = dispatcher.run_job(job_id)
    assert outcome.status == "retry"
    assert (outcome.next_attempt_at - clock.now).total_seconds() >= 20
    n8n.workflows.clear()  # the workflow was deactivated: 404, misconfigured, a person must act
    clock.advance(3600)
    assert [o.status for o in dispatcher.run_due()] == ["dead"]
    with session_scope(sqlite_url) as s:
        assert "is the workflow active" in s.scalars(select(Job.last_error)).one()


def test_bad_action_names_and_missing_connectors_are_permanent():
    def factory(tenant, name):
        raise ConnectorError(ErrorKind.MISCONFIGURED, f"tenant has no {name}")

    execute = connector_executor(factory)
    with pytest.raises(ConnectorError) as err:
        execute("clinic", "noaction", {}, "k")
    assert err.value.kind is ErrorKind.INVALID_REQUEST
    with pytest.raises(ConnectorError) as err:
        execute("clinic", "zoho_crm.upsert_lead", {}, "k")
    assert err.value.kind is ErrorKind.MISCONFIGURED and not err.value.retryable


def test_tenant_factory_reads_the_live_configuration(sqlite_url, n8n, monkeypatch):
    from sochen.db.tenants import store_version

    with session_scope(sqlite_url) as s:
        store_version(
            s,
            slug="clinic",
            name="מרפאה",
            config={
                "slug": "clinic",
                "name": "מרפאה",
                "connectors": {"n8n": {"base_url": n8n.url, "signing_secret_env": "N8N_SECRET_T"}},
            },
            digest="d",
            source_text="",
            source_path=None,
        )
    monkeypatch.setenv("N8N_SECRET_T", "s3cret-value-0001")
    execute = load_executor("", sqlite_url)
    result = execute("clinic", "n8n.trigger_workflow", {"workflow": "new-lead", "payload": {"a": 1}}, "key-1")
    assert result["run_id"] == "key-1"
    with pytest.raises(ConnectorError, match="no settings for connector 'zoho_crm'"):
        execute("clinic", "zoho_crm.upsert_lead", {"last_name": "x"}, "key-2")
    with pytest.raises(ConnectorError, match="no tenant 'nobody'"):
        execute("nobody", "n8n.trigger_workflow", {}, "key-3")


def test_load_executor_by_dotted_path(sqlite_url):
    execute = load_executor("tests.workflows._worker_executor:noop_executor", sqlite_url)
    assert execute("t", "a.b", {}, "k") == {"ok": True}
    with pytest.raises(ValueError, match="module:callable"):
        load_executor("tests.workflows._worker_executor", sqlite_url)
