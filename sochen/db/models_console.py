"""The web console's own tables: its users, their login attempts and what each has read.

Passwords are Argon2 hashes (:mod:`sochen.console.security`); a user belongs to one tenant with a role,
or to none as an ``operator`` (the integrator, across tenants). Login attempts are kept to throttle
guessing per login and per address; read marks give each user their own unread counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, new_id, utcnow

__all__ = ["CONSOLE_ROLES", "ConsoleLoginAttempt", "ConsoleReadMark", "ConsoleUser"]

CONSOLE_ROLES = ("owner", "agent", "viewer", "operator")
"""owner: everything in the tenant, promote included; agent: the inbox (reply, take over, close);
viewer: reads only; operator: the integrator, every tenant (``tenant`` is NULL)."""


class ConsoleUser(Base):
    """A person who signs in to the console."""

    __tablename__ = "console_users"
    __table_args__ = (Index("ix_console_users_login", "login", unique=True),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str | None] = mapped_column(String(63), default=None, index=True)
    """The tenant slug; NULL exactly for an operator."""
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    login: Mapped[str] = mapped_column(String(254))
    """E-mail or user name, stored lower-case; unique."""
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    """Raised by a password reset or disabling: every session signed before it is void."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsoleLoginAttempt(Base):
    """One sign-in attempt (kept a day, for throttling)."""

    __tablename__ = "console_login_attempts"
    __table_args__ = (
        Index("ix_console_login_attempts_login_at", "login", "at"),
        Index("ix_console_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    login: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsoleReadMark(Base):
    """How far one user has read one conversation (its turn counter when they last opened it)."""

    __tablename__ = "console_read_marks"

    user_id: Mapped[str] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    turns_seen: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
