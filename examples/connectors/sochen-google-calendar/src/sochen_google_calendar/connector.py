"""Google Calendar: appointments as records, push notifications as events."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from pydantic import Field, SecretStr

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
from sochen.connectors.http import send

_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}


class GoogleCalendarConfig(ConnectorConfig):
    """One calendar of one tenant."""

    calendar_id: str = Field(default="primary", description="Calendar id, e.g. clinic@group.calendar.google.com.")
    access_token: SecretStr = Field(description="OAuth access token with the calendar.events scope.")
    channel_token: SecretStr = Field(description="Token set on the push channel; Google echoes it on each call.")
    api_url: str = Field(
        default="https://www.googleapis.com", pattern=r"^https?://[^\s/]+(:\d+)?$", description="API base URL."
    )


def event_id_for(values: list[str]) -> str:
    """A stable Calendar event id (base32hex, lower case) for the key values of a record."""
    digest = hashlib.sha256("\x1f".join(values).encode("utf-8")).digest()
    return base64.b32hexencode(digest).decode("ascii").lower().rstrip("=")[:32]


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

    def _call(self, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.config.access_token.get_secret_value()}"}
        # `send` maps timeouts and network failures to `unreachable`; the statuses are classified below with
        # Google's own error reasons (a 403 can be a rate limit), which `sochen.connectors.http.request` cannot know.
        response = send(self.session, method, url, headers=headers, timeout=self.config.timeout_s, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if status < 400 or status in (404, 409):
            return status, body
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):  # proxies and gateways answer in other shapes
            error = {}
        reasons = {e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)}
        message = f"Google Calendar: {error.get('message') or f'HTTP {status}'}"
        wait = parse_retry_after(response.headers.get("Retry-After"), self.clock())
        if status == 429 or reasons & _RATE_REASONS:
            raise ConnectorError(ErrorKind.RATE_LIMITED, message, status=status, retry_after=wait or 60.0)
        if status == 401:
            raise ConnectorError(ErrorKind.AUTH_INVALID, message, status=status)
        if status == 403:
            raise ConnectorError(ErrorKind.MISCONFIGURED, message, status=status)
        if status >= 500:
            raise ConnectorError(ErrorKind.UNREACHABLE, message, status=status)
        raise ConnectorError(ErrorKind.INVALID_REQUEST, message, status=status)

    # -- the contract ----------------------------------------------------------------------------

    def check(self) -> CheckResult:
        """Read the calendar itself."""
        try:
            status, body = self._call("GET", self._url())
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
        status, _ = self._call("POST", self._url("/events"), json=event)
        if status == 409:
            status, _ = self._call("PUT", self._url(f"/events/{event_id}"), json=event)
            return RecordRef(module=upsert.module, id=event_id, action="updated")
        return RecordRef(module=upsert.module, id=event_id, action="created")

    def get_record(self, ref: RecordRef) -> Record | None:
        """One event, or None when missing or cancelled."""
        status, body = self._call("GET", self._url(f"/events/{ref.id}"))
        if status == 404 or body.get("status") == "cancelled":
            return None
        return _record(ref.module, body)

    def search_records(self, query: RecordQuery) -> list[Record]:
        """Events whose key fields equal the values (keys are private extended properties)."""
        params = [("privateExtendedProperty", f"{k}={v}") for k, v in query.equals.items()]
        params.append(("maxResults", str(query.limit)))
        _, body = self._call("GET", self._url("/events"), params=params)
        return [_record(query.module, item) for item in (body or {}).get("items", [])]

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


def _record(module: str, event: dict[str, Any]) -> Record:
    fields = {k: v for k, v in event.items() if k not in ("id", "etag", "kind", "htmlLink", "created", "updated")}
    return Record(module=module, id=event.get("id"), fields=fields, provider_details={"etag": event.get("etag")})
