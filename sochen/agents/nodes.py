"""The nodes of the conversation graph. Each takes the state and returns a partial update.

understand → guard → route → retrieve → respond → conclude (see :mod:`sochen.agents.graph`).
Nodes never call a connector and never write to the database: they decide. The reply and the
domain events they produce are written, with the conversation row, in one transaction by
:mod:`sochen.workflows.conversations`, and the tenant's workflow rules turn events into jobs.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationError

from ..config import Settings, TenantConfig
from ..config.sections.agent import OpeningHours, StaffMember
from ..llm import HealthBoard, Provider, RouteRequest, run_routed
from ..llm.providers.base import Message, ProviderError
from ..privacy import BusinessTerms, assess
from ..rag.catalog import Catalog
from ..rag.retriever import Retriever, SearchHit
from ..tenancy import ResolvedTenant
from ..text import normalize, tokenize
from .answering.extractive import without_writer
from .answering.language import search_query
from .booking import asks_to_cancel, booking_key, pick_slot
from .emergency import emergency_reply, has_own_instructions
from .extract import INTENTS, extract_datetime, looks_like_name, split_name, understand_text
from .hours import (
    is_open,
    nearest_open,
    service_hours_from_documents,
    staff_asked,
    staff_from_documents,
    staff_named,
)
from .state import ConversationState
from .wording import conversation_language, show_day_hours, show_schedule, show_when, slot_prompt, template

__all__ = ["Deps", "business_terms", "conclude", "guard", "plan", "respond", "retrieve", "understand"]

log = logging.getLogger("sochen.agents")

QUESTION_INTENTS = {"price_question", "hours_question", "service_question", "document_question"}
_KEEP_PROCESSED = 20


@dataclass
class Deps:
    """What nodes may use: passed as the graph's runtime context, never checkpointed."""

    settings: Settings
    tenant: ResolvedTenant
    """The tenant version this turn serves, resolved once at the edge (:mod:`sochen.tenancy`)."""
    retriever: Retriever
    providers: dict[str, Provider] = field(default_factory=dict)
    health: HealthBoard = field(default_factory=HealthBoard)
    top_k: int = 8

    @property
    def config(self) -> TenantConfig:
        """The configuration of :attr:`tenant`."""
        return self.tenant.config


def _local_now(state: ConversationState, deps: Deps) -> datetime:
    """The message's time in the tenant's zone, not a fixed offset.

    "ביום ראשון ב-10" said before a daylight-saving change is 10:00 on that Sunday's own clock.
    """
    return datetime.fromisoformat(state["now"]).astimezone(ZoneInfo(deps.config.timezone))


# -- understand ---------------------------------------------------------------------------------------
def understand(state: ConversationState, deps: Deps) -> dict[str, Any]:
    """Normalise and read the message: intent, question or not, slots (rules; a model if configured)."""
    if state.get("message_id") in (state.get("processed") or {}):
        return {"outcome": state["processed"][state["message_id"]]}  # a redelivery: replay, do nothing new
    now = _local_now(state, deps)
    agent = deps.config.agent
    reading = understand_text(
        state["text"],
        now=now,
        services=agent.services,
        extra_keywords={str(k): v for k, v in agent.intent_keywords.items()},
        emergency_keywords=agent.emergency.keywords,
        service_aliases=agent.service_aliases,
    )
    intent, confidence = reading.intent, reading.confidence
    found = dict(reading.slots)
    if agent.understanding == "model" and intent != "emergency":
        intent, confidence, model_slots = _model_reading(state, deps, fallback=(intent, confidence))
        found = {**model_slots, **found}  # the rules' values win; the model fills what they left empty
    update: dict[str, Any] = {}
    collecting = bool(state.get("slots")) and not state.get("lead_done")
    if intent in QUESTION_INTENTS and not collecting:
        found.pop("preferred_time", None)  # "מה השעות ביום שישי?" asks, it does not book
        # A service asked about is remembered, not collected: a later booking may be for another one.
        asked = found.pop("service", None)
        if asked:
            update["mentioned_service"] = asked
    awaiting = state.get("awaiting")
    if awaiting and intent not in ("human_request", "complaint", "emergency") and not reading.is_question:
        answer = _bare_answer(state["text"], awaiting, agent)
        if answer is None and awaiting == "preferred_time" and state.get("proposed_time") and _agrees(state["text"]):
            answer = state["proposed_time"]  # "כן, מתאים" to the open time we proposed
        if answer is not None and awaiting not in found:
            found[awaiting] = answer
            if intent in ("out_of_scope", "small_talk"):
                intent, confidence = "provide_details", 0.7
    if found.get("preferred_time"):
        found["preferred_time"] = _on_the_day_said(
            state["text"],
            found["preferred_time"],
            state.get("refused_time") or (state.get("slots") or {}).get("preferred_time"),
        )
    staff = staff_of(deps)
    named = staff_named(state["text"], staff) if staff else None
    if named is not None:
        update["staff"] = named.name  # 'אצל ראמי': the booking is checked against the hours he receives
    update.update(_booking_reading(state, deps, now, intent, reading.is_question, found))
    if update.get("picked_slot") or update.get("cancel_booking"):
        intent, confidence = "provide_details", 0.9
    slots = {**(state.get("slots") or {}), **found}
    mentioned = state.get("mentioned_service")
    if intent in ("appointment_request", "new_lead") and not slots.get("service") and mentioned:
        slots["service"] = mentioned  # "כמה עולה הלבנה?" … "אני רוצה לקבוע"
    not_understood = state.get("not_understood", 0) + 1 if intent == "out_of_scope" else 0
    return {
        **update,
        "turn": state.get("turn", 0) + 1,
        "intent": intent,
        "confidence": confidence,
        "is_question": reading.is_question,
        "return_asked": "document_question:return_asked" in reading.signals and intent == "document_question",
        "slots": slots,
        "not_understood": not_understood,
        "lang": conversation_language(state["text"], state.get("lang")),
        "awaiting": None,
        "hits": [],
        "outcome": {},
    }


# 'אז ב-17:00 באותו יום', 'same day at 5': the day is the one asked about before, not today.
_SAME_DAY = re.compile(
    r"(?<![\u05d0-\u05ea])ב?אותו\s+(?:יום|תאריך)|\b(?:the\s+)?same\s+day\b|\bthat\s+day\b|نفس\s+اليوم|в\s+тот\s+же\s+день",
    re.I,
)


def _on_the_day_said(text: str, iso: str, earlier: str | None) -> str:
    """The time read from `text`, moved to the day of the `earlier` request when the message says 'that same day'."""
    if not earlier or _SAME_DAY.search(normalize(text)) is None:
        return iso
    try:
        at, before = datetime.fromisoformat(iso), datetime.fromisoformat(earlier)
    except ValueError:
        return iso
    return datetime.combine(before.date(), at.timetz()).isoformat(timespec="minutes")


def _booking_reading(
    state: ConversationState, deps: Deps, now: datetime, intent: str, is_question: bool, found: dict[str, str]
) -> dict[str, Any]:
    """With ``agent.booking``: a pick among the offered slots, a cancellation, an appointment asked for."""
    out: dict[str, Any] = {"picked_slot": None, "cancel_booking": False, "new_time": found.get("preferred_time")}
    if not deps.config.agent.booking:
        return out
    if intent == "appointment_request":
        out["booking_wanted"] = True
    if intent in ("human_request", "complaint", "emergency"):
        return out
    offer = state.get("booking_offer") or {}
    slots = list(offer.get("slots") or [])
    if slots and not is_question:
        out["picked_slot"] = pick_slot(state["text"], slots, now=now)
    if not out["picked_slot"] and state.get("booking") and asks_to_cancel(state["text"]) and not is_question:
        out["cancel_booking"] = True
    return out


_AGREE = frozenset(
    {"כן", "מתאים", "מתאימה", "בסדר", "אוקיי", "אוקי", "סגור", "טוב", "מעולה", "יאללה", "ok", "yes", "בטח"}
)


def _agrees(text: str) -> bool:
    words = tokenize(text)
    return 0 < len(words) <= 4 and bool(set(words) & _AGREE) and "לא" not in words


def _bare_answer(text: str, slot_name: str, agent: Any) -> str | None:
    """A reply that is just the value asked for: 'דנה כהן' after 'איך קוראים לך?', 'ייעוץ' after the service.

    An answer to "what is your name?" must look like a name: "מחר אחרי 5" or "בערב עדיף" is not one.
    """
    spec = next((s for s in agent.slots if s.name == slot_name), None)
    value = " ".join(text.strip().strip(".!").split())
    if spec is None or not value or len(value) > 80:
        return None
    if spec.kind == "name":
        return value if looks_like_name(value, services=agent.services) else None
    if spec.kind in ("service", "text"):
        return value
    return None


# Hebrew definitions of the intents, given to a model that classifies (labels stay in English: they are codes).
INTENT_LABELS_HE: dict[str, str] = {
    "emergency": "מצב חירום רפואי או פציעה שדורשים טיפול מיידי (כאב חזק, נפיחות, דימום שלא נפסק, חבלה, קוצר נשימה)",
    "human_request": "הכותב מבקש לדבר עם נציג או עם אדם אמיתי",
    "complaint": "תלונה או חוסר שביעות רצון מהשירות, מהיחס או מחיוב",
    "appointment_request": "בקשה לקבוע, לתאם או להזמין תור או פגישה (גם כשאלה: 'אפשר תור מחר ב-10?')",
    "new_lead": "התעניינות בשירות כדי שיחזרו אליו, בלי בקשה מפורשת לתור",
    "price_question": "שאלה על מחיר, עלות, דמי ביטול או תשלום — שאלה, לא בקשת תור",
    "hours_question": "שאלה על שעות פעילות, ימים פתוחים או מתי מישהו מקבל",
    "service_question": "שאלה על שירות, טיפול, מדיניות (ביטולים, אי-הגעה), כתובת, חניה או נגישות",
    "document_question": "שאלה על תוכן מסמך, הסכם או סעיף",
    "small_talk": "ברכה, תודה או שיחת נימוסים בלבד",
    "provide_details": "מסירת פרטים שהתבקשו: שם, טלפון, מועד או שירות",
    "out_of_scope": "כל דבר אחר שאינו קשור לעסק",
}


class _ModelReading(BaseModel):
    """What a model reads from one message: schema-constrained JSON, validated again by the rules."""

    intent: Literal[INTENTS] = Field(description="One of the known intents.")  # type: ignore[valid-type]
    confidence: float = Field(ge=0, le=1)
    name: str | None = Field(default=None, description="The writer's full name, only when they gave it.")
    service: str | None = Field(default=None, description="The service named, exactly as in the tenant's list.")
    time_phrase: str | None = Field(default=None, description="The words that say when, copied from the message.")


# Policy when the rules and a model disagree (documented in docs/understanding.md):
#  1. An emergency read by either side is an emergency (safety wins); a person asking for a person or a
#     complaint read by the rules stays so (explicit words).
#  2. Otherwise the rules win when they are sure (confidence >= _RULES_SURE); the model wins when it is
#     at least _MODEL_SURE and the rules are not sure; else the rules.
#  3. Slots: the rules' values always win; the model only fills slots the rules left empty, and each is
#     checked: a name must look like a name and appear in the message, a service must be the tenant's,
#     a time phrase must appear in the message and be read by the deterministic date parser.
#  4. A model that fails, times out, is not allowed (a sensitive turn with no local model) or answers
#     invalid JSON twice changes nothing: the rules' reading stands.
_RULES_SURE = 0.8
_MODEL_SURE = 0.6


def _model_reading(
    state: ConversationState, deps: Deps, *, fallback: tuple[str, float]
) -> tuple[str, float, dict[str, str]]:
    """Classify with a routed model and schema-constrained output; one retry with the error, then rules."""
    agent = deps.config.agent
    labels = "\n".join(f"- {k}: {v}" for k, v in INTENT_LABELS_HE.items())
    system = (
        "את/ה מסווג/ת הודעות של לקוחות לעסק. בחר/י כוונה אחת מהרשימה לפי ההגדרות:\n"
        + labels
        + "\nשירותי העסק: "
        + (", ".join(agent.services) or "אין רשימה")
        + "\nהחזר/י JSON בלבד לפי הסכמה: intent, confidence (0 עד 1), name (שם הכותב אם מסר, אחרת null), "
        "service (שם שירות מהרשימה בדיוק, אחרת null), time_phrase (המילים בהודעה שמציינות מועד, אחרת null). "
        "אל תמציא/י פרטים שלא כתובים בהודעה."
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
                schema=_ModelReading,
            )
        except ProviderError:
            return (*fallback, {})
        if result.completion is None:
            return (*fallback, {})
        try:
            parsed = result.completion.parsed or _ModelReading.model_validate_json(result.completion.text)
            assert isinstance(parsed, _ModelReading)
        except (ValidationError, AssertionError) as exc:
            messages = [
                *messages,
                Message(role="assistant", content=result.completion.text),
                Message(role="user", content=f"התשובה לא תקינה: {exc}. החזר/י JSON תקין בלבד."),
            ]
            continue
        return (*_reconcile(fallback, parsed), _model_slots(parsed, state, deps))
    return (*fallback, {})


def _reconcile(rules: tuple[str, float], model: _ModelReading) -> tuple[str, float]:
    """The intent under the disagreement policy above."""
    intent, confidence = rules
    if "emergency" in (intent, model.intent):
        return "emergency", max(confidence, model.confidence)
    if intent in ("human_request", "complaint") or model.intent == intent:
        return intent, max(confidence, model.confidence) if model.intent == intent else confidence
    if confidence < _RULES_SURE and model.confidence >= _MODEL_SURE:
        return model.intent, model.confidence
    return intent, confidence


def _model_slots(model: _ModelReading, state: ConversationState, deps: Deps) -> dict[str, str]:
    """The model's slots that pass the rules' checks (policy point 3)."""
    text = state["text"]
    flat = normalize(text)
    agent = deps.config.agent
    out: dict[str, str] = {}
    if model.name and normalize(model.name) in flat and looks_like_name(model.name, services=agent.services):
        out["name"] = model.name.strip()
    if model.service:
        service = next((s for s in agent.services if normalize(s) == normalize(model.service)), None)
        if service is not None:
            out["service"] = service
    if model.time_phrase and normalize(model.time_phrase) in flat:
        when = extract_datetime(model.time_phrase, now=_local_now(state, deps))
        if when is not None:
            out["preferred_time"] = when.isoformat(timespec="minutes")
    return out


# -- guard --------------------------------------------------------------------------------------------
def guard(state: ConversationState, deps: Deps) -> dict[str, Any]:
    """Personal-data findings (types only) and whether the turn is sensitive.

    Sensitivity is about the person writing: names, addresses and services that the tenant's own
    documents or configuration contain are the business's (see :mod:`sochen.privacy`).
    """
    result = assess(state["text"], business=business_terms(deps))
    return {"sensitive": result.sensitive, "sensitivity_types": sorted(result.counted)}


_TERMS: dict[tuple[str, str, int, str], BusinessTerms] = {}
_TERMS_LOCK = threading.Lock()


_DIGESTS: dict[int, tuple[TenantConfig, str]] = {}


def _digest(config: TenantConfig) -> str:
    """``config.digest()``, computed once per configuration object (frozen; hashing it costs a dump per turn).

    Keyed by identity, holding the object itself, so an id reused by a new object is never mistaken for it.
    """
    with _TERMS_LOCK:
        known = _DIGESTS.get(id(config))
    if known is not None and known[0] is config:
        return known[1]
    digest = config.digest()
    with _TERMS_LOCK:
        if len(_DIGESTS) > 64:
            _DIGESTS.clear()
        _DIGESTS[id(config)] = (config, digest)
    return digest


_T = TypeVar("_T")


def _per_revision(cache: dict[tuple[str, str, int, str], _T], deps: Deps, build: Callable[[Catalog], _T]) -> _T | None:
    """What `build` makes of the tenant's catalog, once per knowledge-base revision and configuration.

    None when the tenant has no knowledge base yet (nothing is cached then: the next turn tries again).
    """
    config, tenant = deps.config, deps.tenant
    key = (config.slug, tenant.id, tenant.kb_revision, _digest(config))
    with _TERMS_LOCK:
        found = cache.get(key)
    if found is None:  # the catalog is read once per revision, not on every turn or question
        try:
            catalog = deps.retriever.catalog(tenant)
        except Exception:  # no knowledge base yet
            return None
        found = build(catalog)
        with _TERMS_LOCK:
            if len(cache) > 64:
                cache.clear()
            cache[key] = found
    return found


def business_terms(deps: Deps) -> BusinessTerms | None:
    """The tenant's own terms (documents, name, persona, services), built once per knowledge-base revision."""
    config = deps.config
    own = [config.name, config.persona.name, config.persona.business, *config.agent.services]
    terms = _per_revision(
        _TERMS,
        deps,
        lambda catalog: BusinessTerms(
            [*own, *(f"{c.title}\n{c.section}\n{c.text}" for c in catalog.chunks)], services=config.agent.services
        ),
    )
    if terms is None:
        log.debug("no knowledge base for %s; business terms from the configuration only", config.slug)
        return BusinessTerms(own, services=config.agent.services)
    return terms


_STAFF: dict[tuple[str, str, int, str], tuple[StaffMember, ...]] = {}


def staff_of(deps: Deps) -> Sequence[StaffMember]:
    """Who receives when: ``agent.staff`` when configured, else the staff list of the documents.

    An owner who onboards from documents leaves ``agent.staff`` empty; the documents' staff lines ('סבטלנה קוגן
    — קלינאית תקשורת ... מקבלת בימים ג' ו-ה' בלבד') say it (:func:`~sochen.agents.hours.staff_from_documents`).
    Read once per knowledge-base revision.
    """
    config = deps.config
    if config.agent.staff or not config.agent.hours.configured():
        return config.agent.staff
    staff = _per_revision(
        _STAFF, deps, lambda catalog: tuple(staff_from_documents((c.text for c in catalog.chunks), config.agent.hours))
    )
    return staff or ()


_SERVICE_HOURS: dict[tuple[str, str, int, str], dict[str, OpeningHours]] = {}


def service_hours_of(deps: Deps) -> dict[str, OpeningHours]:
    """The services the documents give in hours of their own ('ביקור בית ... בין 06:30 ל-10:00 בלבד').

    See :func:`~sochen.agents.hours.service_hours_from_documents`; read once per knowledge-base revision.
    """
    config = deps.config
    if not config.agent.hours.configured() or not config.agent.services:
        return {}
    found = _per_revision(
        _SERVICE_HOURS,
        deps,
        lambda catalog: service_hours_from_documents(
            (c.text for c in catalog.chunks), config.agent.services, config.agent.hours
        ),
    )
    return found or {}


# -- route (plan the turn) ------------------------------------------------------------------------------
def plan(state: ConversationState, deps: Deps) -> str:
    """What this turn does: emergency, silent, handoff, complaint, collect, answer, greet or out_of_scope.

    An emergency comes first, at any hour and even while a person has the conversation.
    """
    intent = state["intent"]
    if intent == "emergency":
        return "emergency"
    if state.get("status") == "handoff":
        return "silent"
    if intent == "human_request":
        return "handoff"
    if intent == "complaint":
        return "complaint"
    if state.get("not_understood", 0) >= deps.config.agent.max_not_understood:
        return "handoff"
    if state.get("picked_slot"):
        return "book"
    if state.get("cancel_booking"):
        return "cancel_booking"
    offered = bool((state.get("booking_offer") or {}).get("slots"))
    if deps.config.agent.booking and state.get("lead_done") and state.get("new_time") and offered:
        return "collect"  # another time instead of the offered ones: look again (outside the hours: said so)
    collecting = bool(state.get("slots")) and not state.get("lead_done") and intent != "small_talk"
    if intent in ("appointment_request", "new_lead") or (collecting and not state.get("is_question")):
        return "collect"
    if intent == "small_talk":
        return "greet"  # "היי מה שלומך?" is a greeting, not a question for the documents
    if intent in QUESTION_INTENTS or state.get("is_question"):
        return "answer"
    return "out_of_scope"


# -- retrieve -----------------------------------------------------------------------------------------
def retrieve(state: ConversationState, deps: Deps) -> dict[str, Any]:
    """Search the tenant's documents for questions (the tenant is fixed by the conversation)."""
    # An English or Arabic question is searched with Hebrew terms for its words, as `sochen ask` searches it.
    # The writer's own name, ID or phone number are no search terms (`answering.extractive.without_writer`).
    # The first hits are read with their neighbours in their section (an answer cut off by a chunk boundary).
    hits = deps.retriever.search(
        deps.tenant, search_query(without_writer(state["text"]), _aliases(deps)), top_k=deps.top_k
    )
    first = deps.config.knowledge.retrieval.neighbours
    return {"hits": [h.as_dict() for h in deps.retriever.with_neighbours(deps.tenant, hits, first=first)]}


def _aliases(deps: Deps) -> dict[str, list[str]] | None:
    """The tenant's English/Arabic/slang names of its services, for the Hebrew search terms (None: none)."""
    config = getattr(deps, "config", None)
    return config.agent.service_aliases if config is not None else None


# -- respond ------------------------------------------------------------------------------------------
def respond(state: ConversationState, deps: Deps, action: str) -> dict[str, Any]:
    """Write the reply for the planned action (WhatsApp style: short, no tables)."""
    t = deps.config.agent.templates
    lang = state.get("lang")
    outcome: dict[str, Any] = {"reply_mode": "template", "route": {}, "citations": [], "events": [], "handoff": False}
    update: dict[str, Any] = {}
    if action == "emergency":
        # The tenant's emergency instructions, never a bare "a representative will call you back"; a tenant
        # without its own gets the general ones with its documents' emergency text (:mod:`.emergency`).
        reply, citations = emergency_reply(state["text"], deps.config, _emergency_chunks(deps))
        outcome.update(reply=reply, handoff=True, citations=citations)
        outcome["events"].append({"type": "handoff.requested", "payload": {"reason": "emergency", "urgent": True}})
        update.update(status="handoff", handoff_reason="emergency")
    elif action == "silent":
        outcome.update(reply=None, reply_mode="none")
    elif action in ("handoff", "complaint"):
        reason = (
            "complaint"
            if action == "complaint"
            else ("human_request" if state["intent"] == "human_request" else "not_understood")
        )
        outcome.update(reply=template(t, "complaint" if action == "complaint" else "handoff", lang), handoff=True)
        outcome["events"].append({"type": "handoff.requested", "payload": {"reason": reason}})
        update.update(status="handoff", handoff_reason=reason)
    elif action == "collect" and not _missing(state, deps) and (closed := _outside_hours(state, deps)):
        # Not booked: the requested time is outside the opening hours; propose the nearest open one.
        reply, proposed = closed
        outcome.update(reply=reply)
        slots = dict(state.get("slots") or {})
        slots.pop("preferred_time", None)
        refused = (state.get("slots") or {}).get("preferred_time")
        update.update(slots=slots, awaiting="preferred_time", proposed_time=proposed or None, refused_time=refused)
    elif action == "book":
        reply, event, booked = _book(state, deps)
        outcome.update(reply=reply)
        outcome["events"].append(event)
        update.update(booking=booked, booking_offer={**(state.get("booking_offer") or {}), "slots": []})
    elif action == "cancel_booking":
        booked = dict(state.get("booking") or {})
        outcome.update(reply=template(t, "booking_cancelling", lang).format(when=show_when(booked["start"], lang)))
        contact = state.get("contact") or {}
        payload = {"booking_key": booked["key"], "start": booked["start"], "service": booked.get("service", "")}
        payload.update(to=contact.get("id", ""), channel=state["channel"])
        outcome["events"].append({"type": "booking.cancelled", "payload": payload})
        update["booking"] = {}
    elif action == "collect":
        reply, events, done, awaiting = _collect(state, deps)
        outcome.update(reply=reply)
        outcome["events"].extend(events)
        update["awaiting"] = awaiting
        if awaiting:
            update["asked"] = sorted({*(state.get("asked") or []), awaiting})
        if done:
            update["lead_done"] = True
    elif action == "answer" and (answer := _answer(state, deps)) and _complaint_unanswered(state, answer):
        # 'לא מרוצה מהתוצאה, אפשר לקבל החזר?' that no return or refund clause answers stays a complaint for a person.
        outcome.update(reply=template(t, "complaint", lang), handoff=True)
        outcome["events"].append({"type": "handoff.requested", "payload": {"reason": "complaint"}})
        update.update(status="handoff", handoff_reason="complaint", intent="complaint")
    elif action == "answer":
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
                outcome["reply"] = f"{outcome['reply']}\n\n{slot_prompt(missing[0], lang)}"
                update["awaiting"] = missing[0].name
    elif action == "greet":
        outcome.update(reply=template(t, "greeting", lang).format(assistant=deps.config.persona.name))
    else:
        key = "not_understood" if state.get("not_understood", 0) < 2 else "out_of_scope"
        outcome.update(reply=template(t, key, lang))
    update["outcome"] = outcome
    return update


def _emergency_chunks(deps: Deps) -> list[Any]:
    """The tenant's chunks, where its documents' emergency text is looked for (none: no knowledge base)."""
    if has_own_instructions(deps.config):
        return []
    try:
        return list(deps.retriever.catalog(deps.tenant).chunks)
    except Exception:  # no knowledge base yet: the instructions alone
        log.debug("no knowledge base for %s; emergency instructions only", deps.config.slug)
        return []


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
    lang = state.get("lang")
    t = deps.config.agent.templates
    missing = _missing(state, deps)
    if missing:
        return slot_prompt(missing[0], lang), [], False, missing[0].name
    optional = _optional_to_ask(state, deps)
    if optional is not None:
        return slot_prompt(optional, lang), [], False, optional.name
    slots = dict(state.get("slots") or {})
    contact = state.get("contact") or {}
    for spec in deps.config.agent.slots:
        if spec.default_from_channel and not slots.get(spec.name) and contact.get("phone"):
            slots[spec.name] = contact["phone"]
    when = slots.get("preferred_time", "")
    if slots.get("name"):
        slots["first_name"], slots["last_name"] = split_name(slots["name"])
    shown_when = show_when(when, lang) if when else "ללא מועד מועדף"
    reply = template(t, "lead_done", lang).format(
        name=slots.get("name", ""), service=slots.get("service", "הפנייה"), when=shown_when
    )
    events: list[dict[str, Any]] = []
    if not (deps.config.agent.booking and state.get("lead_done")):  # a booking's new time is not a new lead
        events.append({"type": "lead.captured", "payload": {"slots": slots, "channel": state["channel"]}})
        if when:
            events.append({"type": "appointment.requested", "payload": {"slots": slots, "preferred_time": when}})
    if deps.config.agent.booking and (when or state.get("booking_wanted")):
        reply = template(t, "booking_checking", lang).format(
            name=slots.get("name", ""), service=slots.get("service", "הטיפול"), when=shown_when
        )
        events.append({"type": "booking.requested", "payload": _booking_request(state, deps, slots, when)})
    return reply, events, True, None


def _booking_request(state: ConversationState, deps: Deps, slots: dict[str, str], when: str) -> dict[str, Any]:
    """The payload of ``booking.requested``: who, what, when preferred, and the business's hours to look in."""
    config = deps.config
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    hours = {day: [f"{a:%H:%M}-{b:%H:%M}" for a, b in config.agent.hours.intervals(i)] for i, day in enumerate(days)}
    return {
        "service": slots.get("service", ""),
        "preferred_time": when,
        "name": slots.get("name", ""),
        "phone": slots.get("phone") or (state.get("contact") or {}).get("phone", ""),
        "to": (state.get("contact") or {}).get("id", ""),
        "channel": state["channel"],
        "requested_at": state["now"],
        "timezone": config.timezone,
        "hours": {day: intervals for day, intervals in hours.items() if intervals},
        "holidays": [d.isoformat() for d in config.workflows.holidays],
    }


def _book(state: ConversationState, deps: Deps) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The reply, the ``booking.confirmed`` event and the remembered booking for the picked slot."""
    picked = dict(state.get("picked_slot") or {})
    slots = state.get("slots") or {}
    start = str(picked["start"])
    key = booking_key(state["conversation_id"], str((state.get("booking_offer") or {}).get("job") or ""), start)
    request = _booking_request(state, deps, dict(slots), str(slots.get("preferred_time") or ""))
    request.pop("preferred_time")
    payload = {**request, "booking_key": key, "start": start, "end": str(picked.get("end") or "")}
    reply = template(deps.config.agent.templates, "booking_confirming", state.get("lang")).format(
        when=show_when(start, state.get("lang"))
    )
    booked = {"key": key, "start": start, "service": str(slots.get("service") or "")}
    return reply, {"type": "booking.confirmed", "payload": payload}, booked


def _optional_to_ask(state: ConversationState, deps: Deps) -> Any:
    """An optional slot still empty and never asked for: asked once before the lead is complete."""
    slots = state.get("slots") or {}
    asked = set(state.get("asked") or [])
    return next(
        (s for s in deps.config.agent.slots if not s.required and not slots.get(s.name) and s.name not in asked),
        None,
    )


def _outside_hours(state: ConversationState, deps: Deps) -> tuple[str, str] | None:
    """(reply, proposed ISO time) when the requested time is outside the tenant's hours, else None."""
    iso = (state.get("slots") or {}).get("preferred_time")
    hours = deps.config.agent.hours
    if not iso or not hours.configured():
        return None
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return None
    holidays = deps.config.workflows.holidays
    lang = state.get("lang")
    t = deps.config.agent.templates
    staff = staff_of(deps)
    named = state.get("staff")
    member = next((m for m in staff if m.name == named), None) or staff_asked(
        "", (state.get("slots") or {}).get("service"), staff
    )
    if member is not None and member.hours.configured():
        # Not when the person asked for receives ('אצל ראמי ביום רביעי'): their nearest time is proposed, and
        # when the business is open then, the reply says whose hours they are.
        if is_open(when, member.hours, holidays) and is_open(when, hours, holidays):
            return None
        at = nearest_open(when, member.hours, holidays, now=_local_now(state, deps))
        if at is None:
            return template(t, "not_understood", lang), ""
        proposed = at.isoformat(timespec="minutes")
        key = "staff_outside_hours" if is_open(when, hours, holidays) else "outside_hours"
        reply = template(t, key, lang).format(
            when=show_when(iso, lang),
            day_hours=show_day_hours(when, hours, when.date() in holidays, lang),
            staff=member.name,
            schedule=show_schedule(member.hours, lang),
            proposal=show_when(proposed, lang),
        )
        return reply, proposed
    own = service_hours_of(deps).get((state.get("slots") or {}).get("service") or "")
    if own is not None and is_open(when, hours, holidays) and not is_open(when, own, holidays):
        # 'ביקור בית ביום חמישי ב-10:30' when the documents give home visits only 06:30–10:00: open, but not for it.
        hours = own
    if is_open(when, hours, holidays):
        return None
    proposal = nearest_open(when, hours, holidays, now=_local_now(state, deps))
    if proposal is None:
        return template(t, "not_understood", lang), ""
    proposed = proposal.isoformat(timespec="minutes")
    day_hours = show_day_hours(when, hours, when.date() in holidays, lang)
    reply = template(t, "outside_hours", lang).format(
        when=show_when(iso, lang), day_hours=day_hours, proposal=show_when(proposed, lang)
    )
    return reply, proposed


def _answer(state: ConversationState, deps: Deps) -> dict[str, Any]:
    """A grounded answer from the answering component (:mod:`sochen.agents.answering`), as `sochen ask` gives it.

    Generative when a model may answer, else the clause that answers quoted with its citation; a sensitive
    question that no local model may answer and the documents do not answer goes to a person.
    """
    from .ask import ask

    hits = [SearchHit(**h) for h in state.get("hits") or []]
    result = ask(
        deps.settings,
        deps.tenant,
        state["text"],
        retriever=deps.retriever,
        providers=deps.providers,
        health=deps.health,
        conversation_id=state["conversation_id"],
        hits=hits,
        config=deps.config,
        sensitive=bool(state.get("sensitive")),
        intent=state.get("intent", ""),
        now=_local_now(state, deps) if state.get("now") else None,
    )
    data = result.as_dict()
    if result.handoff:
        return _holding(deps, data["route"])
    route = data["route"]
    if result.mode != "generative":
        # Quoted without a model; when a model was asked first, what became of its answer stays visible.
        route = {
            "route": "none",
            "reason": f"extractive_{result.reason}",
            "model_answer": route.get("model_answer"),
            "model_rejected": route.get("model_rejected", ""),
        }
        if state.get("sensitive") and result.mode == "extractive" and data["status"] == "answered":
            # The quote was chosen on this machine from the tenant's own documents (a model asked first, if any,
            # was a local one: the router sends a sensitive turn to no API), so a sensitive turn is answered rather
            # than held; a person takes what the documents do not answer.
            route["reason"] = f"extractive_sensitive_local_{result.reason}".rstrip("_")
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


# A clause that returns, refunds, exchanges or credits ('יוחזר … הסכום', 'מי שמחזיר מכשיר', 'זיכוי').
_RETURN_CLAUSE = re.compile(r"חזר|זיכוי|להחליף|החלפ")
# … not a claim to an insurer or a health fund ('תביעה להחזר', 'החזר מהביטוח המשלים').
_FUND_REFUND = re.compile(
    r"תביעה|ביטוח|קופה|קופת|(?<![\u05d0-\u05ea])(?:ב|ל)?הסדר(?![\u05d0-\u05ea])|כללית|מכבי|מאוחדת|לאומית"
)


def _complaint_unanswered(state: ConversationState, answer: dict[str, Any]) -> bool:
    """A return asked after dissatisfaction that the documents do not answer with a return or refund clause.

    Read as a question of the return policy only so that the policy answers it (a series refunded, a trial
    period); a refusal, or a quote that returns nothing of the business's (an insurer's refund), leaves the
    complaint it also is, for a person.
    """
    if not state.get("return_asked") or answer.get("handoff"):
        return False
    if answer.get("refused") or not answer.get("citations"):
        return True
    quoted = "\n".join(line for line in str(answer.get("reply") or "").splitlines() if not line.startswith("(מקור"))
    lines = [line for line in quoted.splitlines() if _RETURN_CLAUSE.search(line) and not _FUND_REFUND.search(line)]
    return not lines


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
