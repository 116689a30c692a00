"""Privacy records: erasure operations (resumable, with their receipt) and the tamper-evident access log.

Neither table holds a person's phone, ID, name or words: a person is named by ``subject_ref``, a
slow salted hash of their normalised identifier (:func:`sochen.workflows.privacy_rights.subject_ref`),
so the tenant can show "this request was handled" and "who looked at this person" without the log
itself becoming a copy of the personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .crypto import EncryptedJSON
from .models import Base, new_id, utcnow

__all__ = ["AccessLogEntry", "PrivacyOperation"]


class PrivacyOperation(Base):
    """One erase (or purge) of a tenant: which steps are done, and the receipt when it is finished."""

    __tablename__ = "privacy_operations"
    __table_args__ = (Index("ix_privacy_operations_tenant_status", "tenant", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(16))
    """'erase' or 'correct' (one person) or 'purge' (retention)."""
    subject_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    """The person (a salted slow hash, never the identifier); NULL for a purge."""
    status: Mapped[str] = mapped_column(String(16), default="running")
    """'running' until every step is done, then 'done' ('refused' for a correction refused with a reason).
    A killed run stays 'running' and is resumed."""
    steps: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Per store: what was removed or anonymised (counts only)."""
    requested_by: Mapped[str] = mapped_column(String(200), default="")
    request: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON(), default=None)
    """What a correction asked for (field, old and new value, a refusal's reason): encrypted at rest."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class AccessLogEntry(Base):
    """One access to personal data. Append-only: each entry's hash covers the previous entry's hash."""

    __tablename__ = "privacy_access_log"
    __table_args__ = (
        UniqueConstraint("tenant", "seq"),
        Index("ix_privacy_access_log_tenant_at", "tenant", "at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(63))
    seq: Mapped[int] = mapped_column(Integer)
    """1, 2, 3… per tenant; a gap or a repeat breaks the chain."""
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))
    """'cli', 'api_key', 'user' or 'system' (the scheduled purge)."""
    actor: Mapped[str] = mapped_column(String(200))
    """Who: the OS user for the CLI, the key's id for /v1."""
    origin: Mapped[str] = mapped_column(String(200), default="")
    """Where from: the client address for /v1, the host for the CLI."""
    action: Mapped[str] = mapped_column(String(16))
    """'read', 'find', 'export', 'erase', 'purge'."""
    target_kind: Mapped[str] = mapped_column(String(16))
    """'person', 'conversation', 'inbound' or 'tenant'."""
    target: Mapped[str] = mapped_column(String(64))
    """A subject_ref, a conversation id, an inbound event id, or the tenant slug."""
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Counts and ids only, never values."""
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, default=None)
