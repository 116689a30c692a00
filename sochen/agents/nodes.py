"""The nodes of the conversation graph. Each takes the state and returns a partial update.

understand → guard → route → retrieve → respond → conclude (see :mod:`sochen.agents.graph`).
Nodes never call a connector and never write to the database: they decide. The reply and the
domain events they produce are written, with the conversation row, in one transaction by
:mod:`sochen.agents.conversation`, and the tenant's workflow rules turn events into jobs.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from ..config import Settings, TenantConfig
from ..llm import HealthBoard, Provider, RouteRequest, run_routed
from ..llm.providers.base import Message, ProviderError
from ..privacy import assess
from ..rag.retriever import Retriever, SearchHit
from .extract import INTENTS, understand_text
from .state import ConversationState

__all__ = ["Deps", "conclude", "guard", "plan", "respond", "retrieve", "understand"]

log = logging.getLogger("sochen.agents")

QUESTION_INTENTS = {"price_question", "hours_question", "service_question", "document_question"}
_KEEP_PROCESSED = 20


@dataclass
class Deps:
    """What nodes may use: passed as the graph's runtime context, never checkpointed."""

    settings: Settings
    config: TenantConfig
    retriever: Retriever
    providers: dict[str, Provider] = field(default_factory=dict)
    health: HealthBoard = field(default_factory=HealthBoard)
    version: int | Literal["latest", "live"] = "latest"
    top_k: int = 8


# -- understand ---------------------------------------------------------------------------------------
def understand(state: ConversationState, deps: Deps) -> dict[str, Any]:
    """Normalise and read the message: intent, question or not, slots (rules; a model if configured)."""
    if state.get("message_id") in (state.get("processed") or {}):
        return {"outcome": state["processed"][state["message_id"]]}  # a redelivery: replay, do nothing new
    now = datetime.fromisoformat(state["now"])
    agent = deps.config.agent
    reading = understand_text(
        state["text"],
        now=now,
        services=agent.services,
        extra_keywords={str(k): v for k, v in agent.intent_keywords.items()},
    )
    intent, confidence = reading.intent, reading.confidence
    if agent.understanding == "model":
        intent, confidence = _model_intent(state, deps, fallback=(intent, confidence))
    found = dict(reading.slots)
    collecting = bool(state.get("slots")) and not state.get("lead_done")
    if intent in QUESTION_INTENTS and not collecting:
        found.pop("preferred_time", None)  # "מה השעות ביום שישי?" asks, it does not book
    awaiting = state.get("awaiting")
    if awaiting and intent not in ("human_request", "complaint") and not reading.is_question:
        answer = _bare_answer(state["text"], awaiting, agent)
        if answer is not None and awaiting not in found:
            found[awaiting] = answer
            if intent in ("out_of_scope", "small_talk"):
                intent, confidence = "provide_details", 0.7
    slots = {**(state.get("slots") or {}), **found}
    not_understood = state.get("not_understood", 0) + 1 if intent == "out_of_scope" else 0
    return {
        "turn": state.get("turn", 0) + 1,
        "intent": intent,
        "confidence": confidence,
        "is_question": reading.is_question,
        "slots": slots,
        "not_understood": not_understood,
        "awaiting": None,
        "hits": [],
        "outcome": {},
    }


def _bare_answer(text: str, slot_name: str, agent: Any) -> str | None:
    """A reply that is just the value asked for: 'דנה כהן' after 'איך קוראים לך?', 'ייעוץ' after the service."""
    spec = next((s for s in agent.slots if s.name == slot_name), None)
    value = " ".join(text.strip().strip(".!").split())
    if spec is None or not value or len(value) > 80:
        return None
    if spec.kind == "name":
        words = value.split()
        if 1 <= len(words) <= 4 and all(re.fullmatch(r"[\u05d0-\u05ea'\"-]+|[A-Za-z'-]+", w) for w in words):
            return value
        return None
    if spec.kind in ("service", "text"):
        return value
    return None


class _ModelIntent(BaseModel):
    intent: Literal[INTENTS] = Field(description="One of the known intents.")  # type: ignore[valid-type]
    confidence: float = Field(ge=0, le=1)


def _model_intent(state: ConversationState, deps: Deps, *, fallback: tuple[str, float]) -> tuple[str, float]:
    """Classify with a routed model and validated structured output; one retry with the error, then rules."""
    system = (
        "סווג/י את הודעת הלקוח לאחת הכוונות: "
        + ", ".join(INTENTS)
        + '. החזר/י JSON: {"intent": ..., "confidence": ...}'
    )
    messages = [Message(role="system", content=system), Message(role="user", content=state["text"])]
    request = RouteRequest(state["text"], assess(state["text"]), task="classify")
    for _ in range(2):
        try:
            result = run_routed(
                request,
                messages,
                tenant=deps.config.slug,
                models=deps.config.models,
                providers=deps.providers,
                session=None,
                health=deps.health,
                schema=_ModelIntent,
            )
        except ProviderError:
            return fallback
        if result.completion is None:
            return fallback
        try:
            parsed = result.completion.parsed or _ModelIntent.model_validate_json(result.completion.text)
            assert isinstance(parsed, _ModelIntent)
            return parsed.intent, parsed.confidence
        except (ValidationError, AssertionError) as exc:
            messages = [
                *messages,
                Message(role="assistant", content=result.completion.text),
                Message(role="user", content=f"התשובה לא תקינה: {exc}. החזר/י JSON תקין בלבד."),
            ]
    return fallback


# -- guard --------------------------------------------------------------------------------------------
def guard(state: ConversationState, deps: Deps) -> dict[str, Any]:
    """Personal-data findings (types only) and whether the turn is sensitive."""
    result = assess(state["text"])
    return {"sensitive": result.sensitive, "sensitivity_types": sorted(result.types)}


# -- route (plan the turn) ------------------------------------------------------------------------------
def plan(state: ConversationState, deps: Deps) -> str:
    """What this turn does: silent, handoff, complaint, collect, answer, greet or out_of_scope."""
    if state.get("status") == "handoff":
        return "silent"
    intent = state["intent"]
    if intent == "human_request":
        return "handoff"
    if intent == "complaint":
        return "complaint"
    if state.get("not_understood", 0) >= deps.config.agent.max_not_understood:
        return "handoff"
    collecting = bool(state.get("slots")) and not state.get("lead_done") and intent != "small_talk"
    if intent in ("appointment_request", "new_lead") or (collecting and not state.get("is_question")):
        return "collect"
    if intent in QUESTION_INTENTS or state.get("is_question"):
        return "answer"
    if intent == "small_talk":
        return "greet"
    return "out_of_scope"


# -- retrieve -----------------------------------------------------------------------------------------
def retrieve(state: ConversationState, deps: Deps) -> dict[str, Any]:
    """Search the tenant's documents for questions (the tenant is fixed by the conversation)."""
    hits = deps.retriever.search(deps.config.slug, state["text"], top_k=deps.top_k, version=deps.version)
    return {"hits": [h.as_dict() for h in hits]}


# -- respond ------------------------------------------------------------------------------------------
def respond(state: ConversationState, deps: Deps, action: str) -> dict[str, Any]:
    """Write the reply for the planned action (WhatsApp style: short, no tables)."""
    t = deps.config.agent.templates
    outcome: dict[str, Any] = {"reply_mode": "template", "route": {}, "citations": [], "events": [], "handoff": False}
    update: dict[str, Any] = {}
    if action == "silent":
        outcome.update(reply=None, reply_mode="none")
    elif action in ("handoff", "complaint"):
        reason = (
            "complaint"
            if action == "complaint"
            else ("human_request" if state["intent"] == "human_request" else "not_understood")
        )
        outcome.update(reply=t.complaint if action == "complaint" else t.handoff, handoff=True)
        outcome["events"].append({"type": "handoff.requested", "payload": {"reason": reason}})
        update.update(status="handoff", handoff_reason=reason)
    elif action == "collect":
        reply, events, done, awaiting = _collect(state, deps)
        outcome.update(reply=reply)
        outcome["events"].extend(events)
        update["awaiting"] = awaiting
        if done:
            update["lead_done"] = True
    elif action == "answer":
        answer = _answer(state, deps)
        outcome.update(answer)
        if answer.get("handoff"):
            outcome["events"].append({"type": "handoff.requested", "payload": {"reason": "sensitive_no_local"}})
            update.update(status="handoff", handoff_reason="sensitive_no_local")
        elif answer.get("citations"):
            outcome["events"].append(
                {
                    "type": "question.answered",
                    "payload": {
                        "question_intent": state["intent"],
                        "mode": answer["reply_mode"],
                        "documents": sorted({c["title"] for c in answer["citations"]}),
                    },
                }
            )
        if not answer.get("handoff") and state.get("slots") and not state.get("lead_done"):
            missing = _missing(state, deps)
            if missing and state["intent"] not in QUESTION_INTENTS:
                outcome["reply"] = f"{outcome['reply']}\n\n{missing[0].prompt}"
                update["awaiting"] = missing[0].name
    elif action == "greet":
        outcome.update(reply=t.greeting.format(assistant=deps.config.persona.name))
    else:
        outcome.update(reply=t.not_understood if state.get("not_understood", 0) < 2 else t.out_of_scope)
    update["outcome"] = outcome
    return update


def _missing(state: ConversationState, deps: Deps) -> list[Any]:
    slots = state.get("slots") or {}
    return [
        s
        for s in deps.config.agent.slots
        if s.required
        and not slots.get(s.name)
        and not (s.default_from_channel and (state.get("contact") or {}).get("phone"))
    ]


def _collect(state: ConversationState, deps: Deps) -> tuple[str, list[dict[str, Any]], bool, str | None]:
    missing = _missing(state, deps)
    if missing:
        return missing[0].prompt, [], False, missing[0].name
    slots = dict(state.get("slots") or {})
    contact = state.get("contact") or {}
    for spec in deps.config.agent.slots:
        if spec.default_from_channel and not slots.get(spec.name) and contact.get("phone"):
            slots[spec.name] = contact["phone"]
    when = slots.get("preferred_time", "")
    shown_when = _show_when(when) if when else "ללא מועד מועדף"
    reply = deps.config.agent.templates.lead_done.format(
        name=slots.get("name", ""), service=slots.get("service", "הפנייה"), when=shown_when
    )
    events: list[dict[str, Any]] = [{"type": "lead.captured", "payload": {"slots": slots, "channel": state["channel"]}}]
    if when:
        events.append({"type": "appointment.requested", "payload": {"slots": slots, "preferred_time": when}})
    return reply, events, True, None


_DAYS_HE = ["שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת", "ראשון"]


def _show_when(iso: str) -> str:
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"יום {_DAYS_HE[at.weekday()]} {at:%d.%m} בשעה {at:%H:%M}"


def _answer(state: ConversationState, deps: Deps) -> dict[str, Any]:
    """A grounded answer from the answering component (:mod:`sochen.agents.answering`), as `sochen ask` gives it.

    Generative when a model may answer, else the clause that answers quoted with its citation; a sensitive
    question that no local model may answer and the documents do not answer goes to a person.
    """
    from .ask import ask

    hits = [SearchHit(**h) for h in state.get("hits") or []]
    result = ask(
        deps.settings,
        deps.config.slug,
        state["text"],
        retriever=deps.retriever,
        providers=deps.providers,
        health=deps.health,
        conversation_id=state["conversation_id"],
        hits=hits,
        config=deps.config,
        version=deps.version,
        sensitive=bool(state.get("sensitive")),
        intent=state.get("intent", ""),
    )
    data = result.as_dict()
    if result.handoff:
        return _holding(deps, data["route"])
    route = data["route"] if result.mode == "generative" else {"route": "none", "reason": f"extractive_{result.reason}"}
    out: dict[str, Any] = {
        "reply": data["answer"],
        "reply_mode": result.mode if result.mode in ("generative", "extractive") else "template",
        "citations": data["citations"],
        "route": route,
    }
    if data["status"] != "answered":
        out["refused"] = True
    if result.calculation:
        out["calculation"] = result.calculation
    return out


def _holding(deps: Deps, route: dict[str, Any]) -> dict[str, Any]:
    return {
        "reply": deps.config.persona.holding_reply,
        "reply_mode": "template",
        "handoff": True,
        "route": route,
        "citations": [],
    }


# -- conclude -----------------------------------------------------------------------------------------
def conclude(state: ConversationState, deps: Deps) -> dict[str, Any]:
    """Seal the turn: the reply event, the outcome remembered under the message id."""
    outcome: dict[str, Any] = dict(state.get("outcome") or {})
    events = list(outcome.get("events") or [])
    reply = outcome.get("reply")
    contact = state.get("contact") or {}
    if reply:
        events.append(
            {"type": "reply", "payload": {"to": contact.get("id", ""), "text": reply, "channel": state["channel"]}}
        )
    outcome.update(
        turn=state["turn"],
        message_id=state["message_id"],
        intent=state["intent"],
        confidence=state.get("confidence", 0.0),
        events=events,
        sensitive=bool(state.get("sensitive")),
        sensitivity_types=state.get("sensitivity_types") or [],
    )
    processed: dict[str, Any] = dict(state.get("processed") or {})
    processed[state["message_id"]] = outcome
    if len(processed) > _KEEP_PROCESSED:
        for key in list(processed)[: len(processed) - _KEEP_PROCESSED]:
            del processed[key]
    return {"outcome": outcome, "processed": processed}
