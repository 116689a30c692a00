"""Google Calendar (API v3): free slots, idempotent appointment events, cancellation, push notifications.

Actions (see :mod:`.models` for their parameters and results):

``propose_slots``  ``POST /freeBusy`` over the next ``horizon_days``, then the nearest ``count`` free
                   slots of the service's length inside the business's hours (:mod:`.slots`).
``create_event``   ``events.insert`` with a client-supplied id derived from the booking's key
                   (base32hex), so a retried job books once: the event is read first, and a 409
                   ``duplicate`` (the first try landed, its answer was lost) is read back and counts as
                   booked. A slot taken meanwhile is not booked: a new offer is returned instead.
``cancel_event``   ``events.delete``; 404/410 (gone already) count as cancelled.
``upsert_record``  and the READ_RECORDS methods: events as records keyed by private extended properties.

Errors (Google's envelope ``{"error": {"code", "message", "errors": [{"domain", "reason"}]}}``):
401 → auth_invalid; 429, and 403 with ``rateLimitExceeded``/``userRateLimitExceeded``/``quotaExceeded``
(domain ``usageLimits``) → rate_limited with the ``Retry-After`` given (else 60 s; ``dailyLimitExceeded``
an hour); other 403 (``forbidden``, ``insufficientPermissions``) and 404 of the calendar → misconfigured;
409 on an insert → read back; 410 on a delete → already cancelled; 5xx → unreachable; other 4xx →
invalid_request. The access token (OAuth, or one minted for a service account) is a ``SecretStr`` and
never appears in a message or a log.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator

from sochen.connectors import (
    Capability,
    CheckResult,
    CheckStatus,
    Connector,
    ConnectorConfig,
    ConnectorError,
    ErrorKind,
    InboundEvent,
    ProviderNotice,
    Record,
    RecordQuery,
    RecordRef,
    RecordUpsert,
    SandboxFake,
    WebhookRejected,
    WebhookRequest,
    check_result_from_error,
    parse_retry_after,
)
from sochen.connectors.base import action
from sochen.connectors.http import send

from .models import BookingRequest, BookingResult, CancelRequest, CancelResult, OfferedSlot, SlotOffer, SlotsQuery
from .slots import Interval, free_slots, label_he, parse_hours, parse_time

_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
_DAILY_REASONS = {"dailyLimitExceeded"}
_MAX_FREEBUSY_DAYS = 60  # Google refuses long free/busy ranges; the horizon is capped well below


class GoogleCalendarConfig(ConnectorConfig):
    """One calendar of one tenant."""

    calendar_id: str = Field(default="primary", description="Calendar id, e.g. clinic@group.calendar.google.com.")
    access_token: SecretStr = Field(
        description="OAuth 2.0 access token (a user's, or one minted for a service account) with the "
        "calendar.events and calendar.freebusy scopes; in the tenant file `access_token_env: VARIABLE`."
    )
    channel_token: SecretStr = Field(description="Token set on the push channel; Google echoes it on each call.")
    api_url: str = Field(
        default="https://www.googleapis.com", pattern=r"^https?://[^\s/]+(:\d+)?$", description="API base URL."
    )

    @field_validator("access_token", "channel_token")
    @classmethod
    def _header_safe(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        if not text or not text.isascii() or not text.isprintable() or " " in text:
            raise ValueError("must be the token itself: printable ASCII without spaces (is the variable set right?)")
        return value


def event_id_for(values: list[str]) -> str:
    """A stable Calendar event id (base32hex, lower case, 32 characters) for the key values of a record."""
    digest = hashlib.sha256("\x1f".join(values).encode("utf-8")).digest()
    return base64.b32hexencode(digest).decode("ascii").lower().rstrip("=")[:32]


def booking_event_id(booking_key: str) -> str:
    """The event id of the booking made under ``booking_key``."""
    return event_id_for(["booking", booking_key])


class GoogleCalendarConnector(Connector[GoogleCalendarConfig]):
    """Events in one Google Calendar."""

    name = "google_calendar"
    title = "Google Calendar"
    config_model = GoogleCalendarConfig
    capabilities = frozenset({Capability.WRITE_RECORDS, Capability.READ_RECORDS, Capability.RECEIVE_WEBHOOK})

    @classmethod
    def sandbox_fake(
        cls, settings: Mapping[str, Any], *, planned: Sequence[tuple[str, Mapping[str, Any]]] = ()
    ) -> SandboxFake:
        """For Sochen's eval sandbox: a fake Google Calendar on loopback holding the tenant's calendar."""
        from .testing import FakeGoogleCalendar

        token = "ya29.sandbox-access-token"
        fake = FakeGoogleCalendar(access_token=token, calendar_id=str(settings.get("calendar_id") or "primary"))
        fake.start()
        return SandboxFake(
            fake=fake,
            overrides={"api_url": fake.url},
            urls=[fake.url],
            stop=fake.stop,
            secrets={"access_token": token},
        )

    # -- HTTP ------------------------------------------------------------------------------------

    def _url(self, suffix: str = "") -> str:
        calendar = quote(self.config.calendar_id, safe="")
        return f"{self.config.api_url}/calendar/v3/calendars/{calendar}{suffix}"

    def _call(self, method: str, url: str, *, passthrough: tuple[int, ...] = (), **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.config.access_token.get_secret_value()}"}
        # `send` maps timeouts and network failures to `unreachable`; the statuses are classified below with
        # Google's own error reasons (a 403 can be a rate limit), which `sochen.connectors.http.request` cannot know.
        response = send(self.session, method, url, headers=headers, timeout=self.config.timeout_s, **kwargs)
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        status = response.status_code
        if status < 400 or status in passthrough:
            return status, body
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):  # proxies and gateways answer in other shapes
            error = {}
        reasons = {e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)}
        reason = next(iter(sorted(r for r in reasons if isinstance(r, str))), None)
        message = f"Google Calendar {method} {url.split('?', 1)[0].removeprefix(self.config.api_url)}: "
        message += str(error.get("message") or f"HTTP {status}")
        wait = parse_retry_after(response.headers.get("Retry-After"), self.clock())
        if status == 429 or reasons & _RATE_REASONS:
            raise ConnectorError(
                ErrorKind.RATE_LIMITED, message, status=status, code=reason, retry_after=60.0 if wait is None else wait
            )
        if reasons & _DAILY_REASONS:
            raise ConnectorError(
                ErrorKind.RATE_LIMITED,
                message,
                status=status,
                code=reason,
                retry_after=3600.0 if wait is None else wait,
            )
        if status == 401:
            raise ConnectorError(ErrorKind.AUTH_INVALID, message, status=status, code=reason)
        if status in (403, 404):
            raise ConnectorError(ErrorKind.MISCONFIGURED, message, status=status, code=reason)
        if status >= 500:
            raise ConnectorError(ErrorKind.UNREACHABLE, message, status=status, code=reason)
        raise ConnectorError(ErrorKind.INVALID_REQUEST, message, status=status, code=reason)

    # -- the contract ----------------------------------------------------------------------------

    def check(self) -> CheckResult:
        """Read the calendar itself."""
        try:
            status, body = self._call("GET", self._url(), passthrough=(404,))
        except ConnectorError as exc:
            return check_result_from_error(exc)
        if status == 404:
            return CheckResult(status=CheckStatus.MISCONFIGURED, detail="calendar not found")
        return CheckResult(status=CheckStatus.OK, detail=f"calendar {body.get('summary', '')}")

    def upsert_record(self, upsert: RecordUpsert) -> RecordRef:
        """Insert with an id derived from the key; if it exists (409), update it instead."""
        values = [str(upsert.fields.get(k, "")) for k in upsert.key_fields]
        if not all(values):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"every key field needs a value: {upsert.key_fields}")
        event_id = event_id_for(values)
        event = {k: v for k, v in upsert.fields.items() if k not in upsert.key_fields}
        keys = {k: str(upsert.fields[k]) for k in upsert.key_fields}
        event.update({"id": event_id, "extendedProperties": {"private": keys}})
        status, _ = self._call("POST", self._url("/events"), json=event, passthrough=(409,))
        if status == 409:
            self._call("PUT", self._url(f"/events/{event_id}"), json=event)
            return RecordRef(module=upsert.module, id=event_id, action="updated")
        return RecordRef(module=upsert.module, id=event_id, action="created")

    def get_record(self, ref: RecordRef) -> Record | None:
        """One event, or None when missing or cancelled."""
        status, body = self._call("GET", self._url(f"/events/{ref.id}"), passthrough=(404, 410))
        if status in (404, 410) or body.get("status") == "cancelled":
            return None
        return _record(ref.module, body)

    def search_records(self, query: RecordQuery) -> list[Record]:
        """Events whose key fields equal the values (keys are private extended properties)."""
        params = [("privateExtendedProperty", f"{k}={v}") for k, v in query.equals.items()]
        params.append(("maxResults", str(query.limit)))
        _, body = self._call("GET", self._url("/events"), params=params)
        return [_record(query.module, item) for item in (body or {}).get("items", [])]

    # -- appointments ------------------------------------------------------------------------------

    def free_busy(self, start: dt.datetime, end: dt.datetime, *, timezone: str) -> list[Interval]:
        """The calendar's busy intervals between ``start`` and ``end`` (``POST /freeBusy``)."""
        request = {
            "timeMin": _rfc3339(start),
            "timeMax": _rfc3339(end),
            "timeZone": timezone,
            "items": [{"id": self.config.calendar_id}],
        }
        _, body = self._call("POST", f"{self.config.api_url}/calendar/v3/freeBusy", json=request)
        calendars = (body or {}).get("calendars") if isinstance(body, dict) else None
        entry = calendars.get(self.config.calendar_id) if isinstance(calendars, dict) else None
        if not isinstance(entry, dict):
            raise ConnectorError(
                ErrorKind.PERMANENT, "Google Calendar freeBusy: the calendar is missing from the answer"
            )
        errors = [e.get("reason") for e in entry.get("errors") or [] if isinstance(e, dict)]
        if errors:
            kind = ErrorKind.MISCONFIGURED if "notFound" in errors else ErrorKind.PERMANENT
            raise ConnectorError(kind, f"Google Calendar freeBusy: {', '.join(map(str, errors))}", code=str(errors[0]))
        try:
            return [(parse_time(b["start"], dt.UTC), parse_time(b["end"], dt.UTC)) for b in entry.get("busy") or []]
        except (KeyError, TypeError, ValueError):
            raise ConnectorError(ErrorKind.PERMANENT, "Google Calendar freeBusy: unreadable busy interval") from None

    @action(idempotent=True)
    def propose_slots(self, query: SlotsQuery) -> SlotOffer:
        """The nearest free slots of the service's length inside the business's hours."""
        zone = ZoneInfo(query.timezone)
        near = _preferred(query.preferred_time, zone)
        offer = self._offer(query, near=near)
        return SlotOffer(
            service=query.service, duration_minutes=query.minutes(), offer=offer, text=_offer_text(query, offer)
        )

    def _offer(self, query: SlotsQuery | BookingRequest, *, near: dt.datetime | None) -> list[OfferedSlot]:
        zone = ZoneInfo(query.timezone)
        # "Now" is the patient's request when it is given: the offer is the same however late the job runs and
        # in an eval replayed on another day; the booking checks free/busy again anyway.
        now = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        if query.requested_at is not None:
            asked = query.requested_at if query.requested_at.tzinfo else query.requested_at.replace(tzinfo=zone)
            now = asked.astimezone(dt.UTC)
        earliest = _round_up(now + dt.timedelta(minutes=query.min_notice_minutes), query.step_minutes)
        if near is not None and near < earliest:
            near = None  # a time already past: the nearest from now
        start_day = (near or earliest).astimezone(zone).date()
        base = max(earliest, dt.datetime.combine(start_day, dt.time(0), tzinfo=zone) - dt.timedelta(days=1))
        until = base + dt.timedelta(days=min(query.horizon_days, _MAX_FREEBUSY_DAYS))
        busy = self.free_busy(earliest, until, timezone=query.timezone)
        slots = free_slots(
            hours=parse_hours(query.hours),
            holidays=query.holidays,
            busy=busy,
            zone=zone,
            earliest=earliest,
            until=until,
            duration=dt.timedelta(minutes=query.minutes()),
            step=dt.timedelta(minutes=query.step_minutes),
            count=query.count,
            near=near,
        )
        return [
            OfferedSlot(number=i, start=_rfc3339(s), end=_rfc3339(e), label=label_he(s))
            for i, (s, e) in enumerate(slots, start=1)
        ]

    @action(idempotent=True)
    def create_event(self, booking: BookingRequest) -> BookingResult:
        """Book the slot in the calendar, once per booking key; a slot taken meanwhile gets a new offer."""
        zone = ZoneInfo(booking.timezone)
        start = parse_time(booking.start, zone).astimezone(zone)
        end = start + dt.timedelta(minutes=booking.minutes())
        event_id = booking_event_id(booking.booking_key)
        common = {
            "booking_key": booking.booking_key,
            "event_id": event_id,
            "service": booking.service,
            "start": _rfc3339(start),
            "end": _rfc3339(end),
        }
        existing = self._event(event_id)
        if existing is not None:  # a retried job after its answer was lost: booked already
            return self._booked(existing, booking, common)
        if self.free_busy(start, end, timezone=booking.timezone):
            existing = self._event(event_id)  # busy with our own event: an earlier try landed meanwhile
            if existing is not None:
                return self._booked(existing, booking, common)
            offer = self._offer(booking, near=start)
            return BookingResult(status="taken", offer=offer, text=_taken_text(start, booking, offer), **common)
        event = {
            "id": event_id,
            "summary": " — ".join(p for p in (booking.service or "תור", booking.name) if p),
            "description": "\n".join(
                p for p in (f"טלפון: {booking.phone}" if booking.phone else "", booking.notes, "נקבע דרך סוכן") if p
            ),
            "start": {"dateTime": _rfc3339(start), "timeZone": booking.timezone},
            "end": {"dateTime": _rfc3339(end), "timeZone": booking.timezone},
            "extendedProperties": {"private": {"sochen_booking": booking.booking_key, "service": booking.service}},
        }
        status, body = self._call("POST", self._url("/events"), json=event, passthrough=(409,))
        if status == 409:  # the id exists: our own earlier insert whose answer was lost, or a cancelled booking
            body = self._event(event_id, include_cancelled=True)
            if body is None:
                raise ConnectorError(ErrorKind.PERMANENT, "Google Calendar: the event id exists but cannot be read")
        return self._booked(body, booking, common)

    def _booked(self, event: dict[str, Any], booking: BookingRequest, common: dict[str, Any]) -> BookingResult:
        private = (event.get("extendedProperties") or {}).get("private") or {}
        if private.get("sochen_booking") != booking.booking_key:
            raise ConnectorError(ErrorKind.PERMANENT, "Google Calendar: the event id belongs to another event")
        if event.get("status") == "cancelled":
            raise ConnectorError(ErrorKind.PERMANENT, "Google Calendar: this booking was cancelled; book a new one")
        start = parse_time(
            str((event.get("start") or {}).get("dateTime") or common["start"]), ZoneInfo(booking.timezone)
        )
        return BookingResult(status="booked", offer=[], text=_booked_text(start, booking), **common)

    @action(idempotent=True)
    def cancel_event(self, cancel: CancelRequest) -> CancelResult:
        """Delete the booking's event; one already gone (404, 410) counts as cancelled."""
        event_id = booking_event_id(cancel.booking_key)
        status, _ = self._call("DELETE", self._url(f"/events/{event_id}"), passthrough=(404, 410))
        done = "cancelled" if status < 400 else "already_cancelled"
        text = "התור בוטל. אם תרצו לקבוע מועד אחר, כתבו לנו כאן."
        return CancelResult(status=done, booking_key=cancel.booking_key, event_id=event_id, text=text)

    def _event(self, event_id: str, *, include_cancelled: bool = False) -> dict[str, Any] | None:
        status, body = self._call("GET", self._url(f"/events/{event_id}"), passthrough=(404, 410))
        if status in (404, 410) or not isinstance(body, dict):
            return None
        if body.get("status") == "cancelled" and not include_cancelled:
            return None
        return body

    # -- push notifications ----------------------------------------------------------------------

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Push notifications carry the channel token we chose; compare it in constant time."""
        given = request.header("X-Goog-Channel-Token")
        if not given:
            raise WebhookRejected("missing X-Goog-Channel-Token", status=401)
        expected = self.config.channel_token.get_secret_value()
        if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
            raise WebhookRejected("X-Goog-Channel-Token does not match")

    def parse_webhook(self, request: WebhookRequest) -> list[InboundEvent]:
        """One notice per notification: the calendar changed (fetch what changed with a sync token)."""
        channel = request.header("X-Goog-Channel-ID") or ""
        number = request.header("X-Goog-Message-Number") or ""
        state = request.header("X-Goog-Resource-State") or ""
        details = {"resource_state": state, "resource_id": request.header("X-Goog-Resource-ID") or ""}
        return [
            ProviderNotice(
                event_id=f"{channel}:{number}", connector=self.name, field=f"calendar.{state}", provider_details=details
            )
        ]


def _rfc3339(at: dt.datetime) -> str:
    return at.isoformat(timespec="seconds")


def _round_up(at: dt.datetime, minutes: int) -> dt.datetime:
    step = minutes * 60
    seconds = at.timestamp()
    rounded = -(-seconds // step) * step
    return dt.datetime.fromtimestamp(rounded, dt.UTC)


def _preferred(value: str | None, zone: ZoneInfo) -> dt.datetime | None:
    if not value:
        return None
    try:
        return parse_time(value, zone)
    except ValueError:
        raise ConnectorError(ErrorKind.INVALID_REQUEST, f"preferred_time is not an ISO 8601 time: {value!r}") from None


def _offer_text(query: SlotsQuery | BookingRequest, offer: list[OfferedSlot]) -> str:
    what = f" ל{query.service}" if query.service else ""
    if not offer:
        return (
            f"לא מצאתי זמן פנוי{what} ב-{query.horizon_days} הימים הקרובים. "
            "העברתי את הבקשה לצוות המרפאה, ונחזור אליך לתיאום."
        )
    lines = "\n".join(f"{slot.number}. {slot.label}" for slot in offer)
    return f"אלה המועדים הפנויים הקרובים{what}:\n{lines}\nאיזה מועד מתאים? אפשר לענות במספר."


def _taken_text(start: dt.datetime, booking: BookingRequest, offer: list[OfferedSlot]) -> str:
    return f"המועד ב{label_he(start)} נתפס בינתיים. " + _offer_text(booking, offer)


def _booked_text(start: dt.datetime, booking: BookingRequest) -> str:
    what = f" ל{booking.service}" if booking.service else ""
    return f"קבענו לך תור{what} ב{label_he(start)}. נתראה! לביטול אפשר לכתוב לנו כאן."


def _record(module: str, event: dict[str, Any]) -> Record:
    fields = {k: v for k, v in event.items() if k not in ("id", "etag", "kind", "htmlLink", "created", "updated")}
    return Record(module=module, id=event.get("id"), fields=fields, provider_details={"etag": event.get("etag")})
