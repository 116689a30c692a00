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
    lang: str  # the language the person writes in: he, en, ar or ru (sochen.agents.wording)
    mentioned_service: str | None  # a service asked about in a question (a booking's default, not a slot)
    proposed_time: str | None  # the open time proposed for a requested time outside the opening hours
    refused_time: str | None  # a requested time outside the opening hours ('באותו יום' later means its day)
    staff: str | None  # the person of the staff the appointment is asked with (agent.staff), by name
    booking_wanted: bool  # an appointment (not only a call back) was asked for in this conversation
    # The newest calendar offer, from the job that made it: {"job", "slots": [{number, start, end, label}],
    # "status", "booking_key", "start"} (set by the turn's edge from stored job results; see agents/booking.py)
    booking_offer: dict[str, Any]
    booking: dict[str, str]  # the booked appointment: {"key", "start", "service"}
    picked_slot: dict[str, Any] | None  # per turn: the offered slot this message picks
    cancel_booking: bool  # per turn: the message cancels the booked appointment
    new_time: str | None  # per turn: a preferred time given in this message
    # per turn
    message_id: str
    text: str
    now: str  # ISO timestamp of the message
    intent: str
    confidence: float
    is_question: bool
    return_asked: bool  # per turn: dissatisfaction and whether it can be returned, read as a policy question
    sensitive: bool
    sensitivity_types: list[str]
    hits: list[dict[str, Any]]
    outcome: TurnOutcome
