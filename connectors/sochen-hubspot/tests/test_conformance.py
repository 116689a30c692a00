"""The connector passes Sochen's conformance kit against the fake HubSpot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sochen_hubspot import HubSpotConnector
from sochen_hubspot.testing import FakeHubSpot, hubspot_error

from sochen.connectors import RecordUpsert
from sochen.connectors.testing import ConnectorConformance

pytestmark = pytest.mark.unit


class TestHubSpotConformance(ConnectorConformance):
    connector_class = HubSpotConnector

    @pytest.fixture
    def fake_api(self) -> Iterator[FakeHubSpot]:
        with FakeHubSpot() as fake:
            yield fake

    def valid_config(self, fake_api: FakeHubSpot) -> dict[str, Any]:
        return {"access_token": fake_api.access_token, "api_url": fake_api.url}

    def script_auth_failure(self, fake_api: FakeHubSpot) -> None:
        fake_api.revoke_token()

    def script_rate_limit(self, fake_api: FakeHubSpot, retry_after: int) -> None:
        fake_api.rate_limit_storm(times=10, retry_after=retry_after)

    def script_server_error(self, fake_api: FakeHubSpot) -> None:
        fake_api.server_errors(times=10, status=502)

    def make_upsert(self) -> RecordUpsert:
        return RecordUpsert(
            module="contacts",
            fields={"firstname": "יעל", "lastname": "בן־חיים", "phone": "+972524567890"},
            key_fields=["phone"],
        )

    def count_records(self, fake_api: FakeHubSpot, module: str) -> int:
        return len(fake_api.objects[module])


def test_error_helper_has_hubspots_shape() -> None:
    body = hubspot_error(400, "VALIDATION_ERROR", "x").body
    assert b'"category": "VALIDATION_ERROR"' in body and b'"correlationId"' in body
