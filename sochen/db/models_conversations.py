"""Conversations and their transcripts (the graph's own state lives in LangGraph's checkpoint tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, Integer, String, UniqueConstraint, false, or_
from sqlalchemy.ext.hybrid import Comparator, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from .crypto import EncryptedText, lookup_hash, lookup_hashes
from .models import Base, new_id, utcnow

__all__ = ["ContactComparator", "Conversation", "ConversationTurn"]


class ContactComparator(Comparator[str]):
    """``Conversation.contact_id == x`` and ``.in_(xs)`` in queries compare blind-index hashes.

    The channel address is stored encrypted (``contact_id`` column) and as a keyed hash
    (``contact_key``); equality on the address becomes equality on the hash under every configured
    lookup key. Selecting ``Conversation.contact_id`` reads the (decrypted) address column. Anything
    but equality (LIKE, ordering) cannot work on an encrypted value and is refused.
    """

    def __init__(self, value_column: Any, key_column: Any) -> None:
        super().__init__(value_column)
        self.key_column = key_column

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> ColumnElement[bool]:
        """Equality and IN only (on the hash)."""
        import operator

        from sqlalchemy.sql import operators

        if op is operator.eq:
            return self.key_column.in_(lookup_hashes(str(other[0])))
        if op is operator.ne:
            return self.key_column.not_in(lookup_hashes(str(other[0])))
        if op is operators.in_op:
            values = list(other[0])
            if not values:
                return false()
            return or_(*(self.key_column.in_(lookup_hashes(str(v))) for v in values))
        raise NotImplementedError(
            "a conversation's contact_id is encrypted: only ==, != and in_() work in queries (on its keyed hash)"
        )


class Conversation(Base):
    """One conversation of a tenant with one contact on one channel."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_tenant_updated", "tenant", "updated_at"),
        Index("ix_conversations_tenant_contact_key", "tenant", "contact_key"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Derived from tenant, channel and contact (a hash: no phone number in ids or logs)."""
    tenant: Mapped[str] = mapped_column(String(63))
    channel: Mapped[str] = mapped_column(String(32))
    contact_value: Mapped[str] = mapped_column("contact_id", EncryptedText())
    """The channel's address of the contact (WhatsApp: wa_id), encrypted at rest; use :attr:`contact_id`."""
    contact_key: Mapped[str] = mapped_column(String(64))
    """Keyed hash of the address (:func:`sochen.db.crypto.lookup_hash`): how a conversation is found by it."""
    contact_name: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    status: Mapped[str] = mapped_column(String(16), default="active")
    """'active', 'handoff' (a person answers; the bot is silent) or 'closed'."""
    handoff_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    taken_by: Mapped[str | None] = mapped_column(String(200), default=None)
    """Who took the handoff (a console user's name, or 'cli'); NULL while it waits for a person."""
    turns: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @hybrid_property
    def contact_id(self) -> str:
        """The channel's address of the contact (WhatsApp: wa_id) — personal data, never logged.

        Reads and writes as a plain attribute (setting it sets the keyed hash too); in queries only
        ``==``, ``!=`` and ``in_()`` work (:class:`ContactComparator`).
        """
        return self.contact_value

    @contact_id.inplace.setter
    def _contact_id_setter(self, value: str) -> None:
        self.contact_value = value
        self.contact_key = lookup_hash(value)

    @contact_id.inplace.comparator
    @classmethod
    def _contact_id_comparator(cls) -> ContactComparator:
        return ContactComparator(cls.contact_value, cls.contact_key)


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
