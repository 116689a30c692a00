"""Process one stored inbound event: the worker side of the webhook (``process_inbound(settings, event_id)``).

The webhook stored the event (unique per tenant, channel and the connector's event id) before it
answered 200; this runs it: a WhatsApp message becomes a conversation turn
(:func:`~sochen.workflows.conversations.handle_message`), delivery statuses and n8n calls are recorded.
It is safe to run twice for one event: a processed row is skipped, and a turn is replayed, not redone.
Failures are recorded on the row (without message text) and raised, so the queue retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from ..config import Settings
from ..db.models_api import InboundEventRow
from ..db.session import session_scope
from .conversations import Inbound, TurnResult, handle_message

__all__ = ["inbound_from_payload", "process_inbound"]

log = logging.getLogger("sochen.workflows.inbound")


def inbound_from_payload(tenant: str, channel: str, payload: dict[str, Any]) -> Inbound | None:
    """The agent's view of a stored connector ``InboundMessage`` (None for kinds the agent does not read)."""
    text = payload.get("text")
    if not text:
        interactive = payload.get("provider_details", {}).get("interactive_title")
        text = interactive or None
    if not text:
        return None
    contact = payload.get("contact") or {}
    stamp = payload.get("timestamp")
    try:
        received = datetime.fromtimestamp(int(stamp), tz=UTC) if stamp else datetime.now(UTC)
    except (TypeError, ValueError):
        received = datetime.now(UTC)
    return Inbound(
        tenant=tenant,
        channel=channel,
        contact_id=str(contact.get("id") or contact.get("phone") or ""),
        text=str(text),
        message_id=str(payload.get("message_id") or payload.get("event_id")),
        received_at=received,
        contact_name=contact.get("name"),
        contact_phone=contact.get("phone"),
    )


def process_inbound(
    settings: Settings,
    event_id: str,
    *,
    publish: Callable[[Sequence[str]], None] | None = None,
) -> TurnResult | None:
    """Handle one stored inbound event (see the module docstring)."""
    with session_scope(settings.database_url) as session:
        row = session.scalar(select(InboundEventRow).where(InboundEventRow.id == event_id))
        if row is None:
            raise LookupError(f"no inbound event {event_id}")
        if row.status == "processed":
            return None
        row.attempts += 1
        tenant, channel, kind, payload = row.tenant, row.channel, row.kind, dict(row.payload or {})
    result: TurnResult | None = None
    try:
        if kind == "message":
            inbound = inbound_from_payload(tenant, channel, payload)
            if inbound is not None and inbound.contact_id:
                result = handle_message(settings, inbound, publish=publish, version="live")
    except Exception as exc:
        with session_scope(settings.database_url) as session:
            row = session.get(InboundEventRow, event_id)
            if row is not None:
                row.status, row.error = "failed", f"{type(exc).__name__}"[:200]
        log.exception("inbound event %s failed", event_id)
        raise
    with session_scope(settings.database_url) as session:
        row = session.get(InboundEventRow, event_id)
        if row is not None:
            row.status, row.error, row.processed_at = "processed", None, datetime.now(UTC)
    return result
