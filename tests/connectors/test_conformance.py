"""Our built-ins pass the conformance kit exactly as a third-party connector would."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sochen.connectors import RecordUpsert, TextMessage, WebhookRequest, WorkflowTrigger
from sochen.connectors.n8n import N8nConnector, sign_body
from sochen.connectors.testing import ConnectorConformance
from sochen.connectors.testing.fakes import (
    FakeGraphApi,
    FakeN8n,
    FakeZoho,
    graph_error,
    signed_webhook,
    text_webhook,
    zoho_error,
)
from sochen.connectors.whatsapp import WhatsAppConnector
from sochen.connectors.zoho_crm import TokenCache, ZohoCrmConnector

pytestmark = pytest.mark.unit


class TestWhatsAppConformance(ConnectorConformance):
    connector_class = WhatsAppConnector

    @pytest.fixture
    def fake_api(self) -> Iterator[FakeGraphApi]:
        with FakeGraphApi() as fake:
            yield fake

    def valid_config(self, fake_api: FakeGraphApi) -> dict[str, Any]:
        return {
            "phone_number_id": fake_api.phone_number_id,
            "access_token": fake_api.access_token,
            "app_secret": "conformance-app-secret",
            "verify_token": "conformance-verify-token",
            "graph_url": fake_api.url,
        }

    def script_auth_failure(self, fake_api: FakeGraphApi) -> None:
        fake_api.token_expired = True

    def script_rate_limit(self, fake_api: FakeGraphApi, retry_after: int) -> None:
        limited = graph_error(
            4, "(#4) Application request limit reached", status=429, headers={"Retry-After": str(retry_after)}
        )
        fake_api.script_response(limited, times=10)

    def make_webhook(self, fake_api: FakeGraphApi, config: dict[str, Any]) -> WebhookRequest:
        body = text_webhook("שלום, אפשר לקבוע תור?", timestamp=str(int(time.time())))
        return WebhookRequest("POST", body, signed_webhook(body, config["app_secret"]))

    def before_send(self, connector: Any, fake_api: FakeGraphApi, config: dict[str, Any]) -> None:
        connector.receive_webhook(self.make_webhook(fake_api, config))  # opens the 24-hour window

    def make_message(self) -> TextMessage:
        return TextMessage(to="+972501234567", text="בשמחה, מתי נוח לך?")


class TestZohoCrmConformance(ConnectorConformance):
    connector_class = ZohoCrmConnector

    @pytest.fixture
    def fake_api(self) -> Iterator[FakeZoho]:
        with FakeZoho() as fake:
            yield fake

    def valid_config(self, fake_api: FakeZoho) -> dict[str, Any]:
        return {
            "client_id": fake_api.client_id,
            "client_secret": fake_api.client_secret,
            "refresh_token": fake_api.refresh_token,
            "accounts_url": fake_api.accounts_url,
        }

    def make_connector(self, config: dict[str, Any], session: requests.Session) -> ZohoCrmConnector:
        return ZohoCrmConnector(config, session=session, sleep=lambda s: None, token_cache=TokenCache())

    def script_auth_failure(self, fake_api: FakeZoho) -> None:
        fake_api.accounts.fail_next(200, json_body={"error": "invalid_client"}, times=10)

    def script_rate_limit(self, fake_api: FakeZoho, retry_after: int) -> None:
        limited = zoho_error("TOO_MANY_REQUESTS", "too many requests", status=429)
        limited.headers["Retry-After"] = str(retry_after)
        fake_api.crm.script_response(limited, times=10)

    def script_timeout(self, fake_api: FakeZoho) -> None:
        fake_api.accounts.hang_next(seconds=2, times=10)

    def script_server_error(self, fake_api: FakeZoho) -> None:
        fake_api.crm.fail_next(503, text="Service Unavailable", times=10)

    def make_upsert(self) -> RecordUpsert:
        return RecordUpsert(
            module="Leads",
            fields={"Last_Name": "כהן", "First_Name": "דנה", "Phone": "+972501234567"},
            key_fields=["Phone"],
        )

    def script_lost_write(self, fake_api: FakeZoho) -> None:
        # the CRM server does the write and holds its answer; token requests go to the accounts server
        fake_api.crm.hang_next(
            seconds=3 * self.timeout_for_tests_s + 1, match=lambda r: r.method != "GET", after_routing=True
        )

    def count_records(self, fake_api: FakeZoho, module: str) -> int:
        return len(fake_api.crm.records(module))


class TestN8nConformance(ConnectorConformance):
    connector_class = N8nConnector

    @pytest.fixture
    def fake_api(self) -> Iterator[FakeN8n]:
        with FakeN8n() as fake:
            yield fake

    def valid_config(self, fake_api: FakeN8n) -> dict[str, Any]:
        return {
            "base_url": fake_api.url,
            "signing_secret": "conformance-shared-secret",
            "auth_header_name": "X-Agent-Token",
            "auth_header_value": "conformance-header-value",
        }

    def make_webhook(self, fake_api: FakeN8n, config: dict[str, Any]) -> WebhookRequest:
        body = json.dumps({"event": "appointment.booked", "שם": "דנה"}, ensure_ascii=False).encode()
        return WebhookRequest("POST", body, {"X-Sochen-Signature": sign_body(config["signing_secret"], body)})

    def make_trigger(self, fake_api: FakeN8n) -> WorkflowTrigger:
        fake_api.register("lead-captured", header_auth=("X-Agent-Token", "conformance-header-value"))
        return WorkflowTrigger(workflow="lead-captured", payload={"name": "דנה כהן"}, idempotency_key="evt-1")
