"""Conversations and their transcripts (the graph's own state lives in LangGraph's checkpoint tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .crypto import EncryptedText
from .models import Base, new_id, utcnow

__all__ = ["Conversation", "ConversationTurn"]


class Conversation(Base):
    """One conversation of a tenant with one contact on one channel."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_tenant_updated", "tenant", "updated_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Derived from tenant, channel and contact (a hash: no phone number in ids or logs)."""
    tenant: Mapped[str] = mapped_column(String(63))
    channel: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[str] = mapped_column(String(128))
    """The channel's address of the contact (WhatsApp: wa_id) — personal data, never logged."""
    contact_name: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    status: Mapped[str] = mapped_column(String(16), default="active")
    """'active', 'handoff' (a person answers; the bot is silent) or 'closed'."""
    handoff_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    taken_by: Mapped[str | None] = mapped_column(String(200), default=None)
    """Who took the handoff (a console user's name, or 'cli'); NULL while it waits for a person."""
    turns: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ConversationTurn(Base):
    """One message in a transcript: the person's, the agent's, or a human agent's."""

    __tablename__ = "conversation_turns"
    # message_id tells apart several replies of a person after one customer message.
    __table_args__ = (UniqueConstraint("conversation_id", "turn", "role", "message_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    """'user' (the customer), 'agent' (Sochen), 'human' (a person of the business, from the inbox) or
    'note' (a person's internal note: never sent to the customer)."""
    text: Mapped[str] = mapped_column(EncryptedText())
    """Encrypted at rest when a data key is configured (:mod:`sochen.db.crypto`)."""
    message_id: Mapped[str | None] = mapped_column(String(200), default=None)
    intent: Mapped[str | None] = mapped_column(String(40), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Route, citations, reply mode, sensitivity types (never values), events."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
