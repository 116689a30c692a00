"""The state of one conversation, as the graph checkpoints it.

Every node takes the state and returns a partial update (LangGraph merges it). Per-turn fields are
reset by ``understand``; ``slots`` and ``status`` persist across turns; ``processed`` remembers the
message ids already handled so a redelivered message replays its recorded outcome instead of
running again.
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["ConversationState", "TurnOutcome"]


class TurnOutcome(TypedDict, total=False):
    """What one turn decided: the reply, the events, how it was routed and what it cited."""

    turn: int
    message_id: str
    intent: str
    confidence: float
    reply: str | None
    reply_mode: str  # "template", "generative", "extractive", "none" (silent: a person has the conversation)
    events: list[dict[str, Any]]
    route: dict[str, Any]
    citations: list[dict[str, Any]]
    sensitive: bool
    sensitivity_types: list[str]
    handoff: bool


class ConversationState(TypedDict, total=False):
    """Everything the graph knows about one conversation."""

    tenant: str
    conversation_id: str
    channel: str
    contact: dict[str, str]  # {"id": wa_id, "name": profile name, "phone": E.164}
    status: str  # "active" | "handoff" | "closed"
    handoff_reason: str | None
    turn: int
    not_understood: int
    slots: dict[str, str]
    lead_done: bool
    processed: dict[str, TurnOutcome]  # message id → outcome, the last few
    awaiting: str | None  # the slot the agent just asked for
    asked: list[str]  # slots already asked for (an optional one is asked once)
    mentioned_service: str | None  # a service asked about in a question (a booking's default, not a slot)
    proposed_time: str | None  # the open time proposed for a requested time outside the opening hours
    # per turn
    message_id: str
    text: str
    now: str  # ISO timestamp of the message
    intent: str
    confidence: float
    is_question: bool
    sensitive: bool
    sensitivity_types: list[str]
    hits: list[dict[str, Any]]
    outcome: TurnOutcome
