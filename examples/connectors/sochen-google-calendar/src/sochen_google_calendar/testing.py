"""A fake Google Calendar API v3 for tests and sandboxes, built on Sochen's FakeServer."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from sochen.connectors.testing.fakes import FakeResponse, FakeServer, RecordedRequest

_ID = re.compile(r"^[a-v0-9]{5,1024}$")


def google_error(status: int, reason: str, message: str) -> FakeResponse:
    """Google's error envelope."""
    error = {"errors": [{"domain": "global", "reason": reason, "message": message}], "code": status, "message": message}
    return FakeResponse.json({"error": error}, status)


class FakeGoogleCalendar(FakeServer):
    """Calendars and their events in memory."""

    service = "google-calendar"

    def __init__(self, *, access_token: str = "ya29.fake-access-token", calendar_id: str = "primary") -> None:
        super().__init__()
        self.access_token = access_token
        self.calendars = {calendar_id: "יומן המרפאה"}
        self.events: dict[str, dict[str, dict[str, Any]]] = {calendar_id: {}}
        self._etag = 0

    def route(self, request: RecordedRequest) -> FakeResponse:
        """Answer one Calendar API call."""
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return google_error(401, "authError", "Invalid Credentials")
        m = re.fullmatch(r"/calendar/v3/calendars/([^/]+)(/events)?(?:/([^/]+))?", request.path)
        if not m or unquote(m.group(1)) not in self.calendars:
            return google_error(404, "notFound", "Not Found")
        calendar = unquote(m.group(1))
        events = self.events[calendar]
        if m.group(2) is None:
            return FakeResponse.json(
                {
                    "kind": "calendar#calendar",
                    "id": calendar,
                    "summary": self.calendars[calendar],
                    "timeZone": "Asia/Jerusalem",
                }
            )
        event_id = m.group(3)
        if request.method == "POST" and event_id is None:
            event = request.json()
            if "id" in event and not _ID.match(event["id"]):
                return google_error(400, "invalid", "Invalid resource id value.")
            if event.get("id") in events:
                return google_error(409, "duplicate", "The requested identifier already exists.")
            if "start" not in event or "end" not in event:
                return google_error(400, "required", "Missing end time." if "start" in event else "Missing start time.")
            return FakeResponse.json(self._store(events, event))
        if request.method == "GET" and event_id is None:
            wanted = [v.split("=", 1) for v in request.query.get("privateExtendedProperty", [])]
            items = [
                e
                for e in events.values()
                if all(e.get("extendedProperties", {}).get("private", {}).get(k) == v for k, v in wanted)
            ]
            return FakeResponse.json({"kind": "calendar#events", "items": items})
        if event_id not in events:
            return google_error(404, "notFound", "Not Found")
        if request.method == "GET":
            return FakeResponse.json(events[event_id])
        if request.method == "PUT":
            return FakeResponse.json(self._store(events, {**request.json(), "id": event_id}))
        return google_error(405, "methodNotAllowed", "Method Not Allowed")

    def _store(self, events: dict[str, dict[str, Any]], event: dict[str, Any]) -> dict[str, Any]:
        self._etag += 1
        stored = {"kind": "calendar#event", "etag": f'"{self._etag}"', "status": "confirmed", **event}
        events[stored["id"]] = stored
        return stored


def push_notification(channel_id: str, token: str, *, number: int = 1, state: str = "exists") -> dict[str, str]:
    """Headers of one Google push notification (its body is empty)."""
    return {
        "X-Goog-Channel-ID": channel_id,
        "X-Goog-Channel-Token": token,
        "X-Goog-Message-Number": str(number),
        "X-Goog-Resource-ID": "ret08u3rv24htgh289g",
        "X-Goog-Resource-State": state,
        "X-Goog-Resource-URI": "https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json",
    }
