"""A fake Google Calendar API v3 for tests and sandboxes, built on Sochen's FakeServer.

It keeps real state (calendars, events, busy blocks), validates what it receives the way the API does
(ids in base32hex of 5–1024 characters; ``start``/``end`` with an RFC 3339 ``dateTime`` carrying an
offset, or a ``timeZone`` naming an IANA zone, or an all-day ``date``; an end after the start; freeBusy
``timeMin``/``timeMax`` in RFC 3339 with an offset and ``items`` of ``{"id"}``), and answers in Google's
shapes: the error envelope ``{"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}``,
409 ``duplicate`` for an id that exists (cancelled events keep their id), 410 ``deleted`` for deleting
an event twice, per-calendar ``notFound`` errors inside a freeBusy answer.

Failing on demand: :meth:`FakeServer.fail_next` / ``script_response`` (with :func:`google_error`),
:meth:`FakeGoogleCalendar.rate_limit_next`, and :meth:`FakeGoogleCalendar.lose_next_insert` — the insert
is stored but its answer is a 503, as when a response is lost on the way back.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sochen.connectors.testing.fakes import FakeResponse, FakeServer, RecordedRequest

__all__ = ["FakeGoogleCalendar", "google_error", "push_notification"]

_ID = re.compile(r"^[a-v0-9]{5,1024}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")


def google_error(status: int, reason: str, message: str, *, domain: str = "global") -> FakeResponse:
    """Google's error envelope."""
    error = {"errors": [{"domain": domain, "reason": reason, "message": message}], "code": status, "message": message}
    return FakeResponse.json({"error": error}, status)


class _Invalid(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class FakeGoogleCalendar(FakeServer):
    """Calendars, their events and busy blocks, in memory."""

    service = "google-calendar"

    def __init__(self, *, access_token: str = "ya29.fake-access-token", calendar_id: str = "primary") -> None:
        super().__init__()
        self.access_token = access_token
        self.calendar_id = calendar_id
        self.calendars = {calendar_id: "יומן המרפאה"}
        self.events: dict[str, dict[str, dict[str, Any]]] = {calendar_id: {}}
        self.blocks: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {calendar_id: []}
        self._etag = 0
        self._lose_inserts = 0

    # -- state for tests -----------------------------------------------------------------------------

    def block(self, start: str, end: str, *, calendar_id: str | None = None) -> None:
        """Mark the calendar busy between two RFC 3339 times (an appointment booked by someone else)."""
        self.blocks[calendar_id or self.calendar_id].append((_parse(start), _parse(end)))

    def live_events(self, calendar_id: str | None = None) -> list[dict[str, Any]]:
        """The events not cancelled."""
        return [e for e in self.events[calendar_id or self.calendar_id].values() if e.get("status") != "cancelled"]

    def rate_limit_next(self, retry_after: int, *, times: int = 1, status: int = 429) -> None:
        """Answer the next calls with Google's rate-limit error (429, or 403 ``rateLimitExceeded``)."""
        limited = google_error(status, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
        limited.headers["Retry-After"] = str(retry_after)
        self.script_response(limited, times=times)

    def lose_next_insert(self, times: int = 1) -> None:
        """Store the next inserts but answer 503 ``backendError``, as when the answer is lost."""
        with self._lock:
            self._lose_inserts += times

    # -- the API ---------------------------------------------------------------------------------------

    def route(self, request: RecordedRequest) -> FakeResponse:
        """Answer one Calendar API call."""
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return google_error(401, "authError", "Invalid Credentials")
        try:
            if request.path == "/calendar/v3/freeBusy":
                if request.method != "POST":
                    return google_error(405, "methodNotAllowed", "Method Not Allowed")
                return self._free_busy(request.json())
            return self._calendars(request)
        except _Invalid as exc:
            return google_error(400, exc.reason, exc.message)
        except ValueError:
            return google_error(400, "parseError", "This API does not support parsing form-encoded input.")

    def _calendars(self, request: RecordedRequest) -> FakeResponse:
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
            return self._insert(events, request.json())
        if request.method == "GET" and event_id is None:
            wanted = [v.split("=", 1) for v in request.query.get("privateExtendedProperty", [])]
            deleted = request.param("showDeleted") == "true"
            items = [
                e
                for e in events.values()
                if (deleted or e.get("status") != "cancelled")
                and all(e.get("extendedProperties", {}).get("private", {}).get(k) == v for k, v in wanted)
            ]
            return FakeResponse.json({"kind": "calendar#events", "items": items})
        if event_id not in events:
            return google_error(404, "notFound", "Not Found")
        if request.method == "GET":
            return FakeResponse.json(events[event_id])
        if request.method == "PUT":
            event = request.json()
            _validate_event(event)
            return FakeResponse.json(self._store(events, {**event, "id": event_id}))
        if request.method == "DELETE":
            if events[event_id].get("status") == "cancelled":
                return google_error(410, "deleted", "Resource has been deleted")
            self._store(events, {**events[event_id], "status": "cancelled"})
            return FakeResponse.text("", 204)
        return google_error(405, "methodNotAllowed", "Method Not Allowed")

    def _insert(self, events: dict[str, dict[str, Any]], event: Any) -> FakeResponse:
        if not isinstance(event, dict):
            raise _Invalid("invalid", "The request body must be an Event resource.")
        if "id" in event and not (isinstance(event["id"], str) and _ID.match(event["id"])):
            raise _Invalid("invalid", "Invalid resource id value.")
        if event.get("id") in events:
            return google_error(409, "duplicate", "The requested identifier already exists.")
        _validate_event(event)
        stored = self._store(events, {"id": f"{self._etag + 1:05d}fake", **event})
        with self._lock:
            lose, self._lose_inserts = self._lose_inserts > 0, max(0, self._lose_inserts - 1)
        if lose:
            return google_error(503, "backendError", "Backend Error")
        return FakeResponse.json(stored)

    def _free_busy(self, body: Any) -> FakeResponse:
        if not isinstance(body, dict):
            raise _Invalid("invalid", "The request body must be a FreeBusyRequest.")
        for name in ("timeMin", "timeMax"):
            if name not in body:
                raise _Invalid("required", f"Missing {name}.")
            if not isinstance(body[name], str) or not _RFC3339.match(body[name]):
                raise _Invalid("invalid", f"Invalid value for: {name} must be RFC 3339 with an offset")
        start, end = _parse(body["timeMin"]), _parse(body["timeMax"])
        if end <= start:
            raise _Invalid("timeRangeEmpty", "The specified time range is empty.")
        if (end - start) > dt.timedelta(days=62):
            raise _Invalid("timeRangeTooLong", "The requested time range is too long.")
        zone = _zone(body["timeZone"]) if body.get("timeZone") is not None else dt.UTC
        items = body.get("items")
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) and i.get("id") for i in items):
            raise _Invalid("required", 'Missing items: a list of {"id": calendar id}.')
        calendars: dict[str, Any] = {}
        for item in items:
            cid = str(item["id"])
            if cid not in self.calendars:
                calendars[cid] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                continue
            busy = [(max(s, start), min(e, end)) for s, e in self._busy(cid) if s < end and start < e]
            calendars[cid] = {
                "busy": [
                    {
                        "start": s.astimezone(zone).isoformat().replace("+00:00", "Z"),
                        "end": e.astimezone(zone).isoformat().replace("+00:00", "Z"),
                    }
                    for s, e in sorted(busy)
                ]
            }
        return FakeResponse.json(
            {
                "kind": "calendar#freeBusy",
                "timeMin": body["timeMin"],
                "timeMax": body["timeMax"],
                "calendars": calendars,
            }
        )

    def _busy(self, calendar_id: str) -> list[tuple[dt.datetime, dt.datetime]]:
        out = list(self.blocks[calendar_id])
        for event in self.events[calendar_id].values():
            if event.get("status") == "cancelled" or event.get("transparency") == "transparent":
                continue
            out.append((_when(event["start"]), _when(event["end"])))
        return out

    def _store(self, events: dict[str, dict[str, Any]], event: dict[str, Any]) -> dict[str, Any]:
        self._etag += 1
        stored = {"kind": "calendar#event", "status": "confirmed", **event, "etag": f'"{self._etag}"'}
        events[stored["id"]] = stored
        return stored


def _validate_event(event: dict[str, Any]) -> None:
    for name in ("start", "end"):
        if name not in event:
            raise _Invalid("required", f"Missing {name} time.")
        _when(event[name], name=name)
    if _when(event["end"]) <= _when(event["start"]):
        raise _Invalid("timeRangeEmpty", "The specified time range is empty.")


def _when(value: Any, *, name: str = "start") -> dt.datetime:
    """An EventDateTime as an aware datetime; invalid ones are Google's 400s."""
    if not isinstance(value, dict):
        raise _Invalid("invalid", f"Invalid {name}: an EventDateTime object is required.")
    zone_name = value.get("timeZone")
    zone = _zone(zone_name) if zone_name is not None else None
    if "dateTime" in value:
        text = value["dateTime"]
        if isinstance(text, str) and _RFC3339.match(text):
            return _parse(text)
        if isinstance(text, str) and _LOCAL.match(text):
            if zone is None:
                raise _Invalid("timeZoneRequired", f"Missing time zone definition for {name} time.")
            return dt.datetime.fromisoformat(text).replace(tzinfo=zone)
        raise _Invalid("invalid", f"Invalid {name} time.")
    if "date" in value:
        try:
            day = dt.date.fromisoformat(str(value["date"]))
        except ValueError:
            raise _Invalid("invalid", f"Invalid {name} date.") from None
        return dt.datetime.combine(day, dt.time(0), tzinfo=zone or dt.UTC)
    raise _Invalid("required", f"Missing {name} time.")


def _zone(name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise _Invalid("invalid", f"Invalid time zone definition: {name}") from None


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


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
