"""WhatsApp Business Cloud API: webhooks in, messages out, media down (protocols.md §1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel, ConfigDict, Field

from ..base import Capability, Connector, SandboxFake, action, check_result_from_error
from ..errors import ConnectorError, ErrorKind, WebhookRejected
from ..http import parse_retry_after, send, verify_hmac_header
from ..phone import InvalidPhoneNumber, normalize_phone
from ..types import (
    ButtonsMessage,
    CheckResult,
    CheckStatus,
    InboundEvent,
    InboundMessage,
    ListMessage,
    MediaRef,
    OutboundMessage,
    ProviderIssue,
    ProviderNotice,
    SendResult,
    TemplateMessage,
    TextMessage,
    WebhookRequest,
)
from ._config import WhatsAppConfig
from ._errors import ServiceWindowClosed, error_from_graph
from ._parse import parse_delivery
from ._window import SERVICE_WINDOW_S, InMemoryServiceWindows, ServiceWindowStore

__all__ = ["MarkRead", "MediaContent", "ReadReceipt", "WhatsAppConnector"]

_MEDIA_HOSTS = (".fbsbx.com", ".facebook.com", ".fbcdn.net", ".whatsapp.net")


class MarkRead(BaseModel):
    """Parameters of ``mark_read``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    message_id: str = Field(min_length=1, description="The inbound message (wamid) to mark as read.")
    typing_indicator: bool = Field(default=False, description="Also show 'typing…' to the person.")


class ReadReceipt(BaseModel):
    """Result of ``mark_read``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    message_id: str = Field(description="The message marked as read.")
    success: bool = Field(description="What Graph answered.")


class MediaContent(BaseModel):
    """Downloaded media."""

    model_config = ConfigDict(frozen=True)
    media_id: str = Field(description="The media id.")
    mime_type: str = Field(description="MIME type of the bytes.")
    data: bytes = Field(repr=False, description="The bytes.")


class WhatsAppConnector(Connector[WhatsAppConfig]):
    """WhatsApp Business Cloud API for one business phone number."""

    name = "whatsapp"
    title = "WhatsApp Business (Cloud API)"
    config_model = WhatsAppConfig
    capabilities = frozenset({Capability.RECEIVE_WEBHOOK, Capability.SEND_MESSAGE})

    def __init__(
        self,
        config: WhatsAppConfig | dict[str, Any],
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        windows: ServiceWindowStore | None = None,
    ) -> None:
        super().__init__(config, session=session, clock=clock, sleep=sleep)
        self.windows: ServiceWindowStore = windows if windows is not None else InMemoryServiceWindows()

    @classmethod
    def sandbox_fake(
        cls, settings: Mapping[str, Any], *, planned: Sequence[tuple[str, Mapping[str, Any]]] = ()
    ) -> SandboxFake:
        """A fake Graph API for the eval sandbox; the 24-hour window is not enforced (no inbound webhook)."""
        from ..testing.fakes import FakeGraphApi

        token = "sandbox-graph-token"
        fake = FakeGraphApi(
            phone_number_id=str(settings.get("phone_number_id") or "1122334455667"), access_token=token
        ).start()
        return SandboxFake(
            fake=fake,
            overrides={"graph_url": fake.url, "enforce_service_window": False},
            urls=[fake.url],
            stop=fake.stop,
            secrets={"access_token": token},
        )

    # -- HTTP ----------------------------------------------------------------------------------------

    @property
    def _base(self) -> str:
        return f"{self.config.graph_url}/{self.config.api_version}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.access_token.get_secret_value()}"}

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        response = send(self.session, method, url, timeout=self.config.timeout_s, headers=self._headers(), **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or (isinstance(body, dict) and "error" in body):
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock())
            raise error_from_graph(response.status_code, body, retry_after=retry_after)
        if body is None:
            raise ConnectorError(ErrorKind.UNREACHABLE, f"Graph API answered HTTP {response.status_code} without JSON")
        return body

    # -- check ---------------------------------------------------------------------------------------

    def check(self) -> CheckResult:
        """Read the phone number object: proves the token, the id and reachability."""
        try:
            body = self._call("GET", f"{self._base}/{self.config.phone_number_id}")
        except ConnectorError as exc:
            return check_result_from_error(exc)
        name = body.get("verified_name") or body.get("display_phone_number") or self.config.phone_number_id
        return CheckResult(status=CheckStatus.OK, detail=f"phone number {name}")

    # -- webhooks ------------------------------------------------------------------------------------

    def handshake(self, request: WebhookRequest) -> str:
        """Meta's GET verification: the raw ``hub.challenge`` when mode and token match."""
        mode = request.query.get("hub.mode")
        token = request.query.get("hub.verify_token") or ""
        challenge = request.query.get("hub.challenge")
        expected = self.config.verify_token.get_secret_value()
        if mode != "subscribe":
            raise WebhookRejected("hub.mode is not 'subscribe'", code="handshake_mode")
        if not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
            raise WebhookRejected("hub.verify_token does not match", code="handshake_token")
        if challenge is None:
            raise WebhookRejected("hub.challenge is missing", status=400, code="handshake_challenge")
        return challenge

    def verify_webhook(self, request: WebhookRequest) -> None:
        """``X-Hub-Signature-256`` over the raw body with the app secret, compared in constant time."""
        verify_hmac_header(
            self.config.app_secret.get_secret_value(),
            request.body,
            request.header("X-Hub-Signature-256"),
            header_name="X-Hub-Signature-256",
        )

    def parse_webhook(self, request: WebhookRequest) -> list[InboundEvent]:
        """Every message, status and error in the delivery; inbound messages open the service window."""
        events = [self._misrouted(e) or e for e in parse_delivery(request.body, connector=self.name)]
        for event in events:
            if isinstance(event, InboundMessage) and event.timestamp.isdigit():
                self.windows.record_inbound(event.contact.id, float(event.timestamp))
        return events

    def _misrouted(self, event: InboundEvent) -> ProviderNotice | None:
        """A message addressed to another business number (``metadata.phone_number_id``) is kept, not answered.

        One Meta app can serve several numbers; a delivery for a number that is not this tenant's must
        never be answered from this tenant's number.
        """
        if not isinstance(event, InboundMessage):
            return None
        addressed = str(event.provider_details.get("phone_number_id") or "")
        if not addressed or addressed == self.config.phone_number_id:
            return None
        return ProviderNotice(
            event_id=f"misrouted:{event.event_id}",
            connector=self.name,
            field="misrouted",
            errors=[
                ProviderIssue(
                    code="misrouted",
                    title="message for another phone number",
                    message=f"addressed to phone_number_id {addressed}, not this tenant's "
                    f"{self.config.phone_number_id}: stored, not answered",
                    where="metadata.phone_number_id",
                )
            ],
            provider_details={"message": event.model_dump(mode="json")},
        )

    # -- sending -------------------------------------------------------------------------------------

    def window_open(self, to: str) -> bool:
        """Whether free-form messages may be sent to ``to`` now (the person wrote within 24 hours)."""
        last = self.windows.last_inbound(_wa_id(to))
        return last is not None and self.clock() - last < SERVICE_WINDOW_S

    def send_message(self, message: OutboundMessage) -> SendResult:
        """Send text, a template, buttons or a list; outside the window only templates go out."""
        to = _wa_id(message.to)
        if self.config.enforce_service_window and not isinstance(message, TemplateMessage) and not self.window_open(to):
            raise ServiceWindowClosed(
                "more than 24 hours since the person last wrote (or never): send an approved template"
            )
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            **_content(message),
        }
        if message.reply_to:
            payload["context"] = {"message_id": message.reply_to}
        if message.tracking:
            payload["biz_opaque_callback_data"] = message.tracking
        body = self._call("POST", f"{self._base}/{self.config.phone_number_id}/messages", json=payload)
        try:
            sent = body["messages"][0]
            wa_id = (body.get("contacts") or [{}])[0].get("wa_id") or to
        except (KeyError, IndexError, TypeError):
            raise ConnectorError(ErrorKind.UNREACHABLE, "Graph API answered without a message id") from None
        details = {k: v for k, v in sent.items() if k != "id"}
        return SendResult(message_id=str(sent["id"]), to=f"+{wa_id}", provider_details=details)

    @action(idempotent=True)
    def mark_read(self, params: MarkRead) -> ReadReceipt:
        """Mark an inbound message as read (blue ticks), optionally with a typing indicator."""
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": params.message_id,
        }
        if params.typing_indicator:
            payload["typing_indicator"] = {"type": "text"}
        body = self._call("POST", f"{self._base}/{self.config.phone_number_id}/messages", json=payload)
        return ReadReceipt(message_id=params.message_id, success=bool(body.get("success")))

    # -- media ---------------------------------------------------------------------------------------

    def download_media(self, media: MediaRef | str) -> MediaContent:
        """Media id → short-lived URL → bytes (same token), within the size limit and allowed MIME types."""
        media_id = media.media_id if isinstance(media, MediaRef) else media
        info = self._call("GET", f"{self._base}/{media_id}")
        url, mime = info.get("url"), str(info.get("mime_type") or "")
        if not url:
            raise ConnectorError(ErrorKind.PERMANENT, f"media {media_id} has no download URL")
        host = (urlsplit(str(url)).hostname or "").lower()
        if host != urlsplit(self.config.graph_url).hostname and not host.endswith(_MEDIA_HOSTS):
            # The URL gets our access token: only Meta's own hosts (or the configured Graph host) may have it.
            raise ConnectorError(ErrorKind.PERMANENT, f"media {media_id}: refusing to download from {host}")
        limit = self.config.max_media_bytes
        if int(info.get("file_size") or 0) > limit:
            raise ConnectorError(
                ErrorKind.PERMANENT, f"media {media_id} is larger than {limit} bytes", code="too_large"
            )
        self._check_mime(mime, media_id)
        response = send(self.session, "GET", url, timeout=self.config.timeout_s, headers=self._headers(), stream=True)
        with response:
            if response.status_code >= 400:
                retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock())
                raise error_from_graph(response.status_code, None, retry_after=retry_after)
            served = response.headers.get("Content-Type", mime).split(";")[0].strip()
            self._check_mime(served, media_id)
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise ConnectorError(
                            ErrorKind.PERMANENT,
                            f"media {media_id} is larger than {limit} bytes",
                            code="too_large",
                        )
                    chunks.append(chunk)
            except requests.RequestException:
                raise ConnectorError(ErrorKind.UNREACHABLE, f"media {media_id}: download interrupted") from None
        data = b"".join(chunks)
        announced = str(info.get("sha256") or "")
        if announced and not _sha256_matches(data, announced):
            raise ConnectorError(ErrorKind.UNREACHABLE, f"media {media_id}: checksum mismatch", code="sha256")
        return MediaContent(media_id=media_id, mime_type=served or mime, data=data)

    def _check_mime(self, mime: str, media_id: str) -> None:
        base = mime.split(";")[0].strip().lower()
        for allowed in self.config.allowed_media_types:
            allowed = allowed.lower()
            if base == allowed or (allowed.endswith(("/", ".")) and base.startswith(allowed)):
                return
        raise ConnectorError(ErrorKind.PERMANENT, f"media {media_id} has a type not allowed: {base!r}", code="mime")


def _wa_id(to: str) -> str:
    try:
        return normalize_phone(to)[1:]
    except InvalidPhoneNumber as exc:
        raise ConnectorError(ErrorKind.INVALID_REQUEST, str(exc)) from None


def _sha256_matches(data: bytes, announced: str) -> bool:
    digest = hashlib.sha256(data).digest()
    return announced.lower() == digest.hex() or announced == base64.b64encode(digest).decode("ascii")


def _content(message: OutboundMessage) -> dict[str, Any]:
    if isinstance(message, TextMessage):
        return {"type": "text", "text": {"body": message.text, "preview_url": message.preview_url}}
    if isinstance(message, TemplateMessage):
        components: list[dict[str, Any]] = []
        if message.header_parameters:
            params = [{"type": "text", "text": p} for p in message.header_parameters]
            components.append({"type": "header", "parameters": params})
        if message.body_parameters:
            components.append(
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in message.body_parameters]}
            )
        for index, payload in enumerate(message.button_payloads):
            components.append(
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": str(index),
                    "parameters": [{"type": "payload", "payload": payload}],
                }
            )
        template: dict[str, Any] = {"name": message.name, "language": {"code": message.language}}
        if components:
            template["components"] = components
        return {"type": "template", "template": template}
    interactive: dict[str, Any]
    if isinstance(message, ButtonsMessage):
        buttons = [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in message.buttons]
        interactive = {"type": "button", "body": {"text": message.body}, "action": {"buttons": buttons}}
    elif isinstance(message, ListMessage):
        rows = sum(len(s.rows) for s in message.sections)
        if rows > 10:
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"a list message has at most 10 rows, got {rows}")
        sections = [
            {
                **({"title": s.title} if s.title else {}),
                "rows": [r.model_dump(exclude_none=True) for r in s.rows],
            }
            for s in message.sections
        ]
        interactive = {
            "type": "list",
            "body": {"text": message.body},
            "action": {"button": message.button, "sections": sections},
        }
    else:  # pragma: no cover - the union is closed
        raise ConnectorError(ErrorKind.INVALID_REQUEST, f"unsupported message type {type(message).__name__}")
    if message.header:
        interactive["header"] = {"type": "text", "text": message.header}
    if message.footer:
        interactive["footer"] = {"text": message.footer}
    return {"type": "interactive", "interactive": interactive}
