"""One answer to "which configuration is live": every entry point serves the promoted version, never a newer one.

Version 1 is promoted; version 2 is applied after it and differs where each path would show it (the
WhatsApp number and secret, the persona). Each entry point that serves traffic is walked.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from sochen.config import get_settings, reset_settings
from sochen.db.models import Tenant
from sochen.db.session import session_scope
from sochen.tenancy import TenantNotLiveError, TenantResolver, resolver_for

from ._support import apply_tenant, event_rows, text_message, wa_headers
from .test_v1_auth_jobs import bearer, make_key

pytestmark = pytest.mark.unit

V2 = """connectors:
  whatsapp:
    phone_number_id: "222222222222222"
    access_token_env: WA_ACCESS_TOKEN
    app_secret_env: WA_APP_SECRET_V2
    verify_token_env: WA_VERIFY_TOKEN
persona:
  name: גרסה שנייה שלא קודמה
"""


@pytest.fixture
def two_versions(db_url, monkeypatch):
    monkeypatch.setenv("WA_APP_SECRET_V2", "a-different-secret-of-v2")
    with session_scope(db_url) as session:
        session.execute(update(Tenant).where(Tenant.slug == "clinic").values(live_version=1))
    apply_tenant(db_url, "clinic", connectors=False, extra=V2)
    return db_url


def test_the_resolver_serves_the_promoted_version(two_versions):
    resolver = TenantResolver(two_versions)
    assert resolver.live("clinic").version == 1 and resolver.live("clinic").live
    assert resolver.version("clinic").version == 2 and not resolver.version("clinic").live  # a person's choice


def test_v1_ask_answers_with_the_live_version(two_versions, client):
    _, key = make_key(two_versions, "clinic")
    response = client.post("/v1/clinic/ask", json={"question": "מה שעות הפעילות?"}, headers=bearer(key))
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 1


def test_webhooks_verify_with_the_live_versions_secret(two_versions, client):
    body = text_message("wamid.live1")
    assert client.post("/webhooks/whatsapp/clinic", content=body, headers=wa_headers(body)).status_code == 200
    other = text_message("wamid.live2")
    refused = client.post(
        "/webhooks/whatsapp/clinic", content=other, headers=wa_headers(other, secret="a-different-secret-of-v2")
    )
    assert refused.status_code == 403


def test_turns_and_jobs_use_the_live_version(two_versions, client, monkeypatch):
    from sochen.workflows import inbound as inbound_module
    from sochen.workflows.conversations import TurnResult
    from sochen.workflows.dispatcher import Dispatcher
    from sochen.workflows.executors import tenant_connector_factory
    from sochen.workflows.inbound import inbound_executor

    served: list[int] = []

    def handle(settings, message, *, publish=None, tenant):
        served.append(tenant.version)
        return TurnResult("c", {}, "active")

    monkeypatch.setattr(inbound_module, "handle_message", handle)
    body = text_message("wamid.turn")
    client.post("/webhooks/whatsapp/clinic", content=body, headers=wa_headers(body))
    Dispatcher(two_versions, inbound_executor(get_settings(), lambda *a: {})).run_due(5)
    assert served == [1] and [r.status for r in event_rows(two_versions)] == ["processed"]
    connector = tenant_connector_factory(two_versions)("clinic", "whatsapp")
    assert connector.config.phone_number_id == "277321005464405"  # version 1's number, not version 2's


def test_the_graph_and_retriever_get_the_tenant_they_are_handed(two_versions):
    from sochen.rag.retriever import Retriever

    live = resolver_for(get_settings()).live("clinic")
    retriever = Retriever(get_settings())
    assert retriever.search(live, "שלום") == []  # no documents; it searched with the live version's settings
    assert live.config.persona.name != "גרסה שנייה שלא קודמה"


def test_production_without_a_promoted_version_is_not_live(db_url, client, monkeypatch):
    monkeypatch.setenv("SOCHEN_ENVIRONMENT", "production")
    reset_settings()
    with pytest.raises(TenantNotLiveError):
        resolver_for(get_settings()).live("clinic")
    _, key = make_key(db_url, "clinic")
    app_client = client
    app_client.app.state.sochen.settings = get_settings()
    response = app_client.post("/v1/clinic/ask", json={"question": "מה שעות הפעילות?"}, headers=bearer(key))
    assert response.status_code == 409 and response.json()["error"]["code"] == "tenant_not_live"
    # Its webhooks are still acknowledged and stored (held until promotion, see test_ops_and_queues).
    body = text_message("wamid.prod")
    assert client.post("/webhooks/whatsapp/clinic", content=body, headers=wa_headers(body)).status_code == 200
    assert json.loads(json.dumps([r.status for r in event_rows(db_url)])) == ["pending"]
