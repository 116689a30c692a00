"""Domain events: typed facts the agent produces, each with a stable idempotency key.

The agent never asks for a connector action; it states what happened (``lead.captured`` with the
slots it filled, ``reply`` with the text to send) and the tenant's rules decide what follows.
The key is derived from where the fact came from (tenant, conversation, turn, type), so a turn that
is processed twice (a redelivered webhook, a retried task) yields the same key and is stored once.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..config.sections.workflows import EVENT_TYPES, WORKFLOW_EVENT

__all__ = ["RESERVED_FIELDS", "Event", "event_key"]

RESERVED_FIELDS = ("type", "tenant", "conversation_id", "key", "occurred_at")
"""Names templates and conditions read from the event itself; payload keys may not reuse them."""


def event_key(
    tenant: str, conversation_id: str | None, turn: int | str | None, type: str, discriminator: str = ""
) -> str:
    """The idempotency key of an event: a hash of where it came from (64 hex characters)."""
    parts = [tenant, conversation_id or "", "" if turn is None else str(turn), type, discriminator]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class Event(BaseModel):
    """A domain event; build it with :meth:`Event.create` so its key is derived, not invented."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(description=f"One of {', '.join(EVENT_TYPES)}.")
    tenant: str = Field(min_length=1, max_length=63, description="Tenant slug.")
    conversation_id: str | None = Field(default=None, max_length=64, description="The conversation it came from.")
    payload: dict[str, Any] = Field(default_factory=dict, description="JSON facts: slots, intent, text, ...")
    key: str = Field(min_length=1, max_length=64, description="Idempotency key (see event_key).")
    occurred_at: datetime = Field(description="When it happened (timezone-aware).")

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in EVENT_TYPES and not re.fullmatch(WORKFLOW_EVENT, value):
            raise ValueError(f"unknown event type {value!r}; known: {', '.join(EVENT_TYPES)}, workflow.<name>")
        return value

    @field_validator("payload")
    @classmethod
    def _no_reserved(cls, value: dict[str, Any]) -> dict[str, Any]:
        clash = sorted(set(value) & set(RESERVED_FIELDS))
        if clash:
            raise ValueError(f"payload keys {clash} are reserved for the event itself")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        return value.astimezone(UTC)

    @classmethod
    def create(
        cls,
        type: str,
        *,
        tenant: str,
        conversation_id: str | None,
        turn: int | str | None,
        payload: dict[str, Any] | None = None,
        occurred_at: datetime | None = None,
        discriminator: str = "",
    ) -> Event:
        """An event whose key is derived from tenant, conversation, turn and type.

        ``discriminator`` tells apart two events of the same type from one turn.
        """
        return cls(
            type=type,
            tenant=tenant,
            conversation_id=conversation_id,
            payload=dict(payload or {}),
            key=event_key(tenant, conversation_id, turn, type, discriminator),
            occurred_at=occurred_at or datetime.now(UTC),
        )

    def view(self) -> dict[str, Any]:
        """What templates see as ``event`` and conditions read: the payload plus the reserved fields."""
        return {
            **self.payload,
            "type": self.type,
            "tenant": self.tenant,
            "conversation_id": self.conversation_id,
            "key": self.key,
            "occurred_at": self.occurred_at,
        }
