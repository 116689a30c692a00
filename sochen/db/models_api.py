"""Tables of the HTTP service: API keys, and raw inbound events stored before they are work.

The contract of ``inbound_events`` (the API writes, the worker's ``process_inbound`` reads):

- One row per inbound item: a WhatsApp message, a WhatsApp status (message id + status), a provider
  notice, an n8n call. ``(tenant, channel, event_key)`` is unique: ``event_key`` is the connector's
  ``event_id`` (``parse_webhook`` is deterministic), so a redelivery inserts nothing and enqueues
  nothing. ``payload`` is the normalised event (``InboundEvent`` as JSON), ``delivery_id`` points at
  the raw body it came in (``inbound_deliveries``, stored once per delivery that added anything).
- The row is committed before the webhook is answered 200, together with its outbox job (same id,
  action ``sochen.inbound``): the job is the unit of work — claimed under a lease, retried with
  backoff, held while the tenant has no live version, dead-lettered with every attempt recorded
  (``sochen.workflows.inbound``). A queue message is only a wake-up.
- ``status``: ``pending`` (stored, its job not done) → ``processed`` (its job ran it); ``rejected``
  (an item of a batch that could not be read: kept with the reason in ``error``, never processed).
  Where the work stands (running, retrying, held, dead) is its job's status.
- Rejected requests (bad signature, bad JSON, too deep, ...) store nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .crypto import EncryptedBytes, EncryptedJSON
from .models import Base, new_id, utcnow

__all__ = ["INBOUND_STATUSES", "ApiKey", "InboundDelivery", "InboundEventRow"]

INBOUND_STATUSES = ("pending", "processed", "rejected")
"""See the module docstring."""


class ApiKey(Base):
    """A bearer key for ``/v1``: an admin key (``tenant`` NULL) or one tenant's key. Only its hash is kept."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("key_hash"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str | None] = mapped_column(String(63), default=None, index=True)
    """Tenant slug the key is limited to; NULL for an admin key (every tenant)."""
    key_hash: Mapped[str] = mapped_column(String(64))
    """sha256 hex of the whole key; the key itself is shown once, at creation."""
    prefix: Mapped[str] = mapped_column(String(24))
    """The first characters of the key, to tell keys apart in listings."""
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class InboundDelivery(Base):
    """One webhook request body exactly as received (the bytes its signature covers)."""

    __tablename__ = "inbound_deliveries"
    __table_args__ = (Index("ix_inbound_deliveries_tenant_received", "tenant", "received_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(63))
    channel: Mapped[str] = mapped_column(String(32))
    body: Mapped[bytes] = mapped_column(EncryptedBytes())
    """Encrypted at rest when a data key is configured (:mod:`sochen.db.crypto`)."""
    body_sha256: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    """Items in the body (new and duplicate)."""
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundEventRow(Base):
    """One inbound item, stored once per ``(tenant, channel, event_key)`` (see the module docstring)."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("tenant", "channel", "event_key"),
        Index("ix_inbound_events_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(63))
    channel: Mapped[str] = mapped_column(String(32))
    """Connector name: whatsapp, n8n, ..."""
    kind: Mapped[str] = mapped_column(String(32))
    """message, status, notice, workflow_event."""
    event_key: Mapped[str] = mapped_column(String(255))
    """The connector's event_id (hashed when longer than 200 characters)."""
    delivery_id: Mapped[str | None] = mapped_column(
        ForeignKey("inbound_deliveries.id", ondelete="SET NULL"), default=None, index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(), default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    enqueued_at: Mapped[datetime | None] = mapped_column(default=None)
    """When a queue message was last sent for it (the sweeper waits before resending)."""
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
