"""A minimal channel for the conformance kit: the proof that a channel is a plugin, with no core edit.

:class:`MinimalChannel` speaks a tiny signed JSON protocol and keeps what it "sends" in memory, so a
test (or an integrator starting a web-chat, SMS or Telegram connector) can drive a whole conversation
through Sochen's channel seam (:mod:`sochen.connectors.channel`): the webhook route
``/webhooks/{channel}/{tenant}``, the durable inbound job, the agent's turn, the reply planned as
``{channel}.send_message`` and run by the dispatcher, a person's reply from the inbox, and delivery
statuses. Subclass it under your own name (the registry wants name = entry point = folder)::

    class MychatConnector(MinimalChannel):
        name = "mychat"

Protocol: ``POST`` a JSON body ``{"messages": [{"id", "from", "text", "ts"}], "statuses": [{"id", "status"}]}``
with ``X-Minimal-Signature: sha256=<hex HMAC of the body with the secret>``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any, ClassVar

from pydantic import Field, SecretStr

from ..base import Capability, Connector, ConnectorConfig
from ..errors import ConnectorError, ErrorKind
from ..types import (
    CheckResult,
    CheckStatus,
    Contact,
    DeliveryStatus,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
    SendResult,
    TextMessage,
    WebhookRequest,
)

__all__ = ["SIGNATURE_HEADER", "MinimalChannel", "MinimalChannelConfig", "sign"]

SIGNATURE_HEADER = "X-Minimal-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``."""
    import hmac

    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class MinimalChannelConfig(ConnectorConfig):
    """Settings of the minimal channel."""

    secret: SecretStr = Field(description="Shared secret the deliveries are signed with (`secret_env: VAR`).")


class MinimalChannel(Connector[MinimalChannelConfig]):
    """A channel in ~100 lines: receive signed messages, send replies (kept in :attr:`outbox`)."""

    name: ClassVar[str] = "minimal"
    title: ClassVar[str] = "Minimal test channel"
    config_model = MinimalChannelConfig
    capabilities = frozenset({Capability.RECEIVE_WEBHOOK, Capability.SEND_MESSAGE})

    outbox: ClassVar[list[dict[str, Any]]] = []
    """What every instance sent, in order (a test reads it; a real channel calls its service)."""
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def check(self) -> CheckResult:
        """Nothing to reach: always ok."""
        return CheckResult(status=CheckStatus.OK, detail="in-memory channel")

    def verify_webhook(self, request: WebhookRequest) -> None:
        """HMAC-SHA256 of the raw body, compared in constant time."""
        from ..http import verify_hmac_header

        verify_hmac_header(
            self.config.secret.get_secret_value(),
            request.body,
            request.header(SIGNATURE_HEADER),
            header_name=SIGNATURE_HEADER,
        )

    def parse_webhook(self, request: WebhookRequest) -> list[InboundEvent]:
        """Messages and statuses; the message id is the dedupe key."""
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "body is not UTF-8 JSON") from None
        if not isinstance(body, dict):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, "body is not a JSON object")
        events: list[InboundEvent] = []
        for m in body.get("messages") or []:
            sender = str(m["from"])
            events.append(
                InboundMessage(
                    event_id=str(m["id"]),
                    connector=self.name,
                    message_id=str(m["id"]),
                    timestamp=str(m.get("ts") or ""),
                    contact=Contact(id=sender),
                    kind="text",
                    text=str(m.get("text") or ""),
                )
            )
        for s in body.get("statuses") or []:
            events.append(
                DeliveryStatus(
                    event_id=f"{s['id']}:{s['status']}",
                    connector=self.name,
                    message_id=str(s["id"]),
                    status=str(s["status"]),
                    timestamp="",
                    recipient_id="",
                )
            )
        return events

    def send_message(self, message: OutboundMessage) -> SendResult:
        """Keep the message in :attr:`outbox`; its id is a hash of its content and position."""
        if not isinstance(message, TextMessage):
            raise ConnectorError(ErrorKind.INVALID_REQUEST, f"{self.name} sends text only, not {message.type}")
        with self._lock:
            message_id = f"{self.name}-{hashlib.sha256(f'{len(self.outbox)}{message.text}'.encode()).hexdigest()[:16]}"
            self.outbox.append({"id": message_id, "to": message.to, "text": message.text, "channel": self.name})
        return SendResult(message_id=message_id, to=message.to)
