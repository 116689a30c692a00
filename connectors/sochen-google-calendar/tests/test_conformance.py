"""The connector passes Sochen's conformance kit, plus tests of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sochen_google_calendar import GoogleCalendarConnector
from sochen_google_calendar.testing import FakeGoogleCalendar, google_error, push_notification

from sochen.connectors import RecordUpsert, WebhookRequest
from sochen.connectors.testing import ConnectorConformance

pytestmark = pytest.mark.unit

APPOINTMENT = RecordUpsert(
    module="events",
    fields={
        "appointment_id": "appt-2026-0042",
        "summary": "ניקוי אבנית — דנה כהן",
        "start": {"dateTime": "2026-03-03T10:00:00+02:00", "timeZone": "Asia/Jerusalem"},
        "end": {"dateTime": "2026-03-03T10:30:00+02:00", "timeZone": "Asia/Jerusalem"},
    },
    key_fields=["appointment_id"],
)


class TestGoogleCalendarConformance(ConnectorConformance):
    connector_class = GoogleCalendarConnector
    signature_header = "X-Goog-Channel-Token"
    signs_body = False  # Google authenticates push notifications with the channel token only

    @pytest.fixture
    def fake_api(self) -> Iterator[FakeGoogleCalendar]:
        with FakeGoogleCalendar() as fake:
            yield fake

    def valid_config(self, fake_api: FakeGoogleCalendar) -> dict[str, Any]:
        return {"access_token": fake_api.access_token, "channel_token": "channel-token-1234", "api_url": fake_api.url}

    def script_rate_limit(self, fake_api: FakeGoogleCalendar, retry_after: int) -> None:
        limited = google_error(429, "rateLimitExceeded", "Rate Limit Exceeded")
        limited.headers["Retry-After"] = str(retry_after)
        fake_api.script_response(limited, times=10)

    def make_webhook(self, fake_api: FakeGoogleCalendar, config: dict[str, Any]) -> WebhookRequest:
        return WebhookRequest("POST", b"", push_notification("sochen-clinic-1", config["channel_token"], number=7))

    def make_upsert(self) -> RecordUpsert:
        return APPOINTMENT

    def count_records(self, fake_api: FakeGoogleCalendar, module: str) -> int:
        return len(fake_api.events["primary"])


def test_rescheduling_updates_the_same_event() -> None:
    with FakeGoogleCalendar() as fake:
        connector = GoogleCalendarConnector(
            {"access_token": fake.access_token, "channel_token": "channel-token-1234", "api_url": fake.url}
        )
        first = connector.upsert_record(APPOINTMENT)
        later = {
            **APPOINTMENT.fields,
            "start": {"dateTime": "2026-03-04T12:00:00+02:00"},
            "end": {"dateTime": "2026-03-04T12:30:00+02:00"},
        }
        moved = connector.upsert_record(APPOINTMENT.model_copy(update={"fields": later}))
        assert (first.id, first.action, moved.action) == (moved.id, "created", "updated")
        (event,) = fake.events["primary"].values()
        assert event["start"]["dateTime"].startswith("2026-03-04")
