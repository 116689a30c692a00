"""The channel seam: a connector people talk to the business through (WhatsApp, a web chat, ...).

A *channel* is a connector that declares both ``RECEIVE_WEBHOOK`` and ``SEND_MESSAGE`` (the contract
in :mod:`sochen.connectors.base`). What Sochen does with one, with no code of its own per channel:

- **Inbound.** ``parse_webhook`` turns a delivery into events. Each ``InboundMessage`` becomes a
  conversation turn on the conversation ``(tenant, channel, contact id)``; each ``DeliveryStatus``
  moves the delivery state of the message it reports on (matched by the ``message_id`` that
  ``send_message`` returned); an item it cannot read is returned as a rejected ``ProviderNotice``
  (:data:`~sochen.connectors.types.REJECTED_ITEM`) so the rest of the delivery is kept.
  Deliveries reach it at ``POST /webhooks/{channel}/{tenant}``: a plugin channel needs no route.
- **Replies.** The agent's reply, and a person's reply from the inbox, leave as a
  ``{channel}.send_message`` job of the conversation's own channel, planned by Sochen itself
  (:func:`sochen.workflows.channels.reply_job`), never by a tenant rule: tenant rules are for business
  actions. Text, buttons, lists and templates are the ``OutboundMessage`` kinds.
- **Messaging windows.** A channel that limits free-form messages (WhatsApp's 24-hour customer-service
  window) implements :class:`WindowedChannel`: ``window_open(to)``; outside it only a
  ``TemplateMessage`` may be sent, and ``send_message`` refuses anything else with a permanent error.
  A channel may set ``window_closed_reason`` (Hebrew | English) to tell a person why a reply was refused
  (the web chat: the visitor has left the site); a channel without templates refuses them too.
- **Exactly once.** ``send_message`` receives the outbox job's key as ``message.idempotency_key``: a
  channel that stores messages itself (the web chat) stores each once by it, so a retried job adds
  nothing; a provider with no such notion ignores it.
- **Channels whose service is Sochen** (the web chat) declare ``uses_host`` and get the tenant and the
  database (:class:`~sochen.connectors.base.ConnectorHost`) from whoever builds them.

The conformance kit (:mod:`sochen.connectors.testing`) runs a minimal test channel through this seam.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from .base import Capability, Connector, implemented_capabilities
from .types import InboundEvent, OutboundMessage, SendResult, WebhookRequest

__all__ = ["CHANNEL_CAPABILITIES", "Channel", "WindowedChannel", "is_channel"]

CHANNEL_CAPABILITIES = frozenset({Capability.RECEIVE_WEBHOOK, Capability.SEND_MESSAGE})
"""What makes a connector a channel."""


@runtime_checkable
class Channel(Protocol):
    """The methods Sochen calls on a channel (see the module docstring)."""

    name: str

    def verify_webhook(self, request: WebhookRequest) -> None:
        """Raise unless the delivery is authentic."""

    def parse_webhook(self, request: WebhookRequest) -> list[InboundEvent]:
        """The delivery's events (deterministic ids)."""

    def send_message(self, message: OutboundMessage) -> SendResult:
        """Send one message; accepted is not delivered."""


@runtime_checkable
class WindowedChannel(Channel, Protocol):
    """A channel that only lets free-form messages out inside a window the person opened."""

    def window_open(self, to: str) -> bool:
        """Whether a free-form message may be sent to ``to`` now."""


def is_channel(connector: type[Connector[Any]] | Connector[Any]) -> bool:
    """Whether the connector (class or instance) implements both channel capabilities."""
    cls = connector if isinstance(connector, type) else type(connector)
    return set(implemented_capabilities(cls)) >= CHANNEL_CAPABILITIES
