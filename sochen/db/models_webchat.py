"""The web chat channel's own rows: its visitors and the messages of each visitor's stream.

A visitor is anonymous (a random id in a signed token kept in the browser) until they give a phone
number. The transcript proper stays in ``conversation_turns``; ``webchat_messages`` is what the widget
shows and streams: the visitor's own messages (stored with the inbound item, in its transaction) and
what ``webchat.send_message`` stored for them (the agent's and a person's replies). ``seq`` numbers a
visitor's messages in commit order (the visitor row is the counter, updated in the same transaction),
so a stream that resumes after ``seq`` misses nothing and repeats nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .crypto import EncryptedText
from .models import Base, utcnow
from .models_conversations import Conversation

__all__ = ["WebchatMessage", "WebchatVisitor", "drop_visitors_of", "visitors_with_phone"]


class WebchatVisitor(Base):
    """One browser's session with one tenant's web chat."""

    __tablename__ = "webchat_visitors"
    __table_args__ = (Index("ix_webchat_visitors_tenant_seen", "tenant", "last_seen_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    """Random (``wc_`` + 128 bits): the conversation's contact id while the visitor is anonymous."""
    tenant: Mapped[str] = mapped_column(String(63))
    phone: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    """E.164, once the visitor gave it (encrypted at rest; personal data, never logged)."""
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    """The newest message's ``seq`` (the per-visitor counter)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    """The visitor's last message or open stream: the messaging window is measured from it."""


class WebchatMessage(Base):
    """One message of a visitor's stream, in either direction."""

    __tablename__ = "webchat_messages"
    __table_args__ = (UniqueConstraint("visitor_id", "seq"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    """The visitor's message id (``visitor:client id``) or the sent message's id (from the job's key)."""
    tenant: Mapped[str] = mapped_column(String(63))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("webchat_visitors.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    direction: Mapped[str] = mapped_column(String(8))
    """'in' (the visitor wrote it) or 'out' (sent to the visitor)."""
    text: Mapped[str] = mapped_column(EncryptedText())
    """Encrypted at rest when a data key is configured (:mod:`sochen.db.crypto`)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def visitors_with_phone(session: Session, tenant: str, phone: str) -> list[str]:
    """Ids of the tenant's web chat visitors who gave ``phone`` (E.164); phones are encrypted, so read and compare."""
    query = select(WebchatVisitor.id, WebchatVisitor.phone).where(
        WebchatVisitor.tenant == tenant, WebchatVisitor.phone.is_not(None)
    )
    return [vid for vid, value in session.execute(query) if value == phone]


def drop_visitors_of(session: Session, tenant: str, conversation_ids: Collection[str]) -> int:
    """Delete the web chat sessions behind these conversations, with their messages; the messages deleted.

    Called wherever conversations are deleted (a person's erasure, retention), so a visitor's stream never
    outlives their transcript.
    """
    if not conversation_ids:
        return 0
    visitors = list(
        session.scalars(
            select(Conversation.contact_id).where(
                Conversation.tenant == tenant, Conversation.channel == "webchat", Conversation.id.in_(conversation_ids)
            )
        )
    )
    if not visitors:
        return 0
    result: Any = session.execute(
        delete(WebchatMessage).where(WebchatMessage.tenant == tenant, WebchatMessage.visitor_id.in_(visitors))
    )
    gone = result.rowcount
    session.execute(delete(WebchatVisitor).where(WebchatVisitor.tenant == tenant, WebchatVisitor.id.in_(visitors)))
    return int(gone or 0)
