"""sochen-monday passes Sochen's conformance kit against its own fake monday."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sochen.connectors import RecordUpsert
from sochen.connectors.testing import ConnectorConformance

from sochen_monday import MondayConnector
from sochen_monday.testing import DEMO_BOARD_ID, FakeMonday

pytestmark = pytest.mark.unit

LEAD = RecordUpsert(
    module=DEMO_BOARD_ID,
    fields={
        "name": "דנה כהן — שיפוץ מטבח",
        "text_sochen_key": "lead-2026-0042",
        "phone_mkq1": "050-123-4567",
        "status": "ליד חדש",
        "long_text_mk1": "מטבח ישן בדירת 4 חדרים ברחובות, רוצה הצעת מחיר עד סוף החודש",
    },
    key_fields=["text_sochen_key"],
)


class TestMondayConformance(ConnectorConformance):
    connector_class = MondayConnector

    @pytest.fixture
    def fake_api(self) -> Iterator[FakeMonday]:
        with FakeMonday() as fake:
            yield fake

    def valid_config(self, fake_api: FakeMonday) -> dict[str, Any]:
        return {
            "api_token": fake_api.api_token,
            "board_id": DEMO_BOARD_ID,
            "group_id": "topics",
            "key_column_id": "text_sochen_key",
            "api_url": f"{fake_api.url}/v2",
        }

    def script_auth_failure(self, fake_api: FakeMonday) -> None:
        fake_api.revoke_token()

    def script_rate_limit(self, fake_api: FakeMonday, retry_after: int) -> None:
        # monday's budget errors arrive as HTTP 200 with retry_in_seconds, not as a 429 with Retry-After.
        fake_api.exhaust_complexity(retry_in_seconds=retry_after, times=10)

    def script_lost_write(self, fake_api: FakeMonday) -> None:
        fake_api.hang_next(
            seconds=3 * self.timeout_for_tests_s + 1, match=FakeMonday.operation("create_item"), after_routing=True
        )

    def make_upsert(self) -> RecordUpsert:
        return LEAD

    def count_records(self, fake_api: FakeMonday, module: str) -> int:
        return sum(1 for item in fake_api.items.values() if item["board_id"] == module)
