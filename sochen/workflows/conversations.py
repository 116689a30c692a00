"""One turn of a conversation, end to end: the graph decides, one transaction records.

:func:`handle_message` is what the webhook worker, ``sochen chat`` and the eval runner call.
The contract:
- **At most one turn per conversation at a time** (an advisory lock on PostgreSQL, a process lock on SQLite).
- **Effects exactly once.** The graph runs first and checkpoints its state, which remembers the
  message id and the turn's outcome; then one database transaction writes the conversation row, the
  transcript and the domain events with their planned jobs (the transactional outbox). A message
  delivered again — by Meta, by a retried task, after a crash between the two steps — replays the
  recorded outcome; every write is keyed (turn, event key) so the replay adds nothing twice.
- The model never calls a connector: the outcome holds events, the tenant's workflow rules plan jobs.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, bindparam, case, func, insert, select, text
from sqlalchemy.orm import Session

from ..agents.graph import graph_for, run_turn, saved_state
from ..agents.nodes import Deps
from ..agents.state import TurnOutcome
from ..config import Settings
from ..db.models import new_id, utcnow
from ..db.models_conversations import Conversation, ConversationTurn
from ..db.session import session_scope
from ..llm import HealthBoard, Provider
from ..rag.retriever import Retriever
from ..tenancy import ResolvedTenant
from .channels import reply_job
from .events import Event

__all__ = [
    "ConversationError",
    "Inbound",
    "TurnResult",
    "conversation_id_for",
    "handle_message",
    "release_handoff",
    "reply_as_person",
    "reply_window",
    "take_over",
]


class ConversationError(ValueError):
    """A person's action on a conversation that cannot be done (with the reason, Hebrew first)."""


log = logging.getLogger("sochen.agents")
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@dataclass(frozen=True)
class Inbound:
    """A message from a person, as the agent needs it (built from a connector's InboundMessage)."""

    tenant: str
    channel: str
    contact_id: str
    text: str
    message_id: str
    received_at: datetime
    contact_name: str | None = None
    contact_phone: str | None = None


@dataclass
class TurnResult:
    """What a turn decided and recorded."""

    conversation_id: str
    outcome: TurnOutcome
    status: str
    replayed: bool = False
    jobs: list[str] = field(default_factory=list)

    @property
    def reply(self) -> str | None:
        """The reply text, if the agent answers this turn."""
        return self.outcome.get("reply")


_HEALTH: dict[str, HealthBoard] = {}


def _health_of(tenant: str) -> HealthBoard:
    """The process's provider health for a tenant: a circuit breaker must remember failures across turns."""
    with _LOCKS_GUARD:
        return _HEALTH.setdefault(tenant, HealthBoard())


def conversation_id_for(tenant: str, channel: str, contact_id: str) -> str:
    """A stable conversation id that carries no personal data."""
    return hashlib.sha256(f"{tenant}\x1f{channel}\x1f{contact_id}".encode()).hexdigest()[:32]


def _lock(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def handle_message(
    settings: Settings,
    inbound: Inbound,
    *,
    retriever: Retriever | None = None,
    providers: dict[str, Provider] | None = None,
    health: HealthBoard | None = None,
    publish: Callable[[Sequence[str]], None] | None = None,
    tenant: ResolvedTenant,
) -> TurnResult:
    """Run one turn for `inbound` and record it (see the module docstring).

    `tenant` is the configuration the turn serves, resolved by the caller's edge
    (:mod:`sochen.tenancy`): live traffic the promoted version, ``sochen chat`` the one a person
    chose, the eval runner the version (or variant) it evaluates.
    """
    from ..agents.ask import build_available_providers
    from . import emit

    if tenant.slug != inbound.tenant:
        raise ValueError(f"the message is for tenant '{inbound.tenant}', not '{tenant.slug}'")
    retriever = retriever or Retriever(settings)
    config = tenant.config
    health = health or _health_of(inbound.tenant)
    if providers is None:
        providers, _ = build_available_providers(config.models, settings, None, health)
    deps = Deps(settings, tenant, retriever, providers, health)
    conv_id = conversation_id_for(inbound.tenant, inbound.channel, inbound.contact_id)
    graph = graph_for(settings)
    run_config = {"configurable": {"thread_id": conv_id}}
    tz = ZoneInfo(config.timezone)
    with _lock(conv_id), _conversation_lock(settings, conv_id):
        with session_scope(settings.database_url) as session:  # one transaction for both reads
            status = _conversation_status(session, inbound, conv_id)
            offer = _newest_offer(session, inbound.tenant, conv_id) if config.agent.booking else None
        if status == "closed":  # people closed it; the customer writes again: the agent answers again
            status = "active"
        saved = saved_state(graph, run_config)
        before = saved.values
        state_in: dict[str, Any] = {
            "tenant": inbound.tenant,
            "conversation_id": conv_id,
            "channel": inbound.channel,
            "contact": {
                "id": inbound.contact_id,
                "name": inbound.contact_name or "",
                "phone": inbound.contact_phone or "",
            },
            "message_id": inbound.message_id,
            "text": inbound.text,
            "now": inbound.received_at.astimezone(tz).isoformat(),
        }
        if not before:
            state_in.update(status=status, slots={}, turn=0, processed={}, not_understood=0)
        if config.agent.booking:
            if offer is not None and offer["job"] != (before.get("booking_offer") or {}).get("job"):
                state_in["booking_offer"] = offer  # what the calendar answered since the last turn
        elif before.get("status") != status:
            state_in["status"] = status  # a person released (or took over) the conversation
        # The graph runs outside any write transaction: its model calls record ledger rows of their own.
        # Checkpoint once, when the turn is done: a turn is one unit (a crash mid-turn replays the whole turn).
        final = run_turn(graph, run_config, saved, state_in, deps)
        outcome: TurnOutcome = final["outcome"]
        replayed = bool(before.get("processed", {}).get(inbound.message_id))
        jobs: list[str] = []
        with session_scope(settings.database_url) as session:
            status = _seal_conversation(
                session, inbound, conv_id, final.get("status"), final.get("handoff_reason"), int(outcome.get("turn", 0))
            )
            _record_turns(session, conv_id, inbound, outcome)
            now = inbound.received_at.astimezone(UTC)
            for index, raw in enumerate(outcome.get("events") or []):
                event = Event.create(
                    raw["type"],
                    tenant=inbound.tenant,
                    conversation_id=conv_id,
                    turn=inbound.message_id,
                    payload=raw.get("payload") or {},
                    occurred_at=now,
                    discriminator=str(index),
                )
                channel_job = reply_job(
                    event,
                    channel=inbound.channel,
                    configured=inbound.channel in config.connectors,
                    now=now,
                    max_attempts=config.workflows.max_attempts,
                )
                recorded = emit(
                    session,
                    event,
                    config.workflows,
                    now=now,
                    timezone=config.timezone,
                    publish=publish,
                    extra=[channel_job] if channel_job else (),
                )
                jobs.extend(getattr(recorded, "job_ids", []) or [])
    log.info(
        "turn conversation=%s turn=%s intent=%s mode=%s events=%s replayed=%s",
        conv_id,
        outcome.get("turn"),
        outcome.get("intent"),
        outcome.get("reply_mode"),
        [e["type"] for e in outcome.get("events") or []],
        replayed,
    )
    return TurnResult(conv_id, outcome, status, replayed, jobs)


_BOOKING_EVENTS = ("booking.requested", "booking.confirmed", "booking.cancelled")
_OFFER_LOOKBACK = 20


def _offers_statement() -> Any:
    from ..db.models_outbox import DomainEvent, Job

    events, jobs = DomainEvent.__table__, Job.__table__
    return (
        select(jobs.c.id, jobs.c.result)
        .join(events, events.c.id == jobs.c.event_id)
        .where(
            events.c.tenant == bindparam("tenant"),
            events.c.conversation_id == bindparam("conversation_id"),
            events.c.type.in_(_BOOKING_EVENTS),
            jobs.c.status == "succeeded",
        )
        .order_by(jobs.c.updated_at.desc(), jobs.c.created_at.desc())
        .limit(_OFFER_LOOKBACK)
    )


def _newest_offer(session: Session, tenant: str, conv_id: str) -> dict[str, Any] | None:
    """The newest finished booking job's answer that carries an ``offer`` (slots, or [] once booked/cancelled).

    This is how the conversation remembers what the calendar proposed: the agent never calls a connector,
    it reads the stored result of the job its event led to (see :mod:`sochen.agents.booking`).
    """
    rows = session.execute(
        _statement("offers", _offers_statement), {"tenant": tenant, "conversation_id": conv_id}
    ).all()
    for job_id, result in rows:
        if isinstance(result, dict) and isinstance(result.get("offer"), list):
            slots = [s for s in result["offer"] if isinstance(s, dict) and s.get("start")]
            return {
                "job": job_id,
                "slots": slots,
                "status": str(result.get("status") or ("offered" if slots else "")),
                "booking_key": str(result.get("booking_key") or ""),
            }
    return None


@contextmanager
def _conversation_lock(settings: Settings, conv_id: str) -> Iterator[None]:
    """Serialise turns of one conversation across processes (PostgreSQL advisory lock; SQLite: the process lock)."""
    if settings.is_sqlite:
        yield
        return
    key = int.from_bytes(hashlib.sha256(conv_id.encode()).digest()[:8], "big", signed=True)
    with session_scope(settings.database_url) as session:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        yield


# The statements of every turn are built once (Core, bound parameters): building and coercing an ORM
# statement per turn cost more than SQLite's execution of it. SQLAlchemy caches their compiled SQL.
_STATEMENTS: dict[str, Any] = {}


def _statement(name: str, build: Callable[[], Any]) -> Any:
    stmt = _STATEMENTS.get(name)
    if stmt is None:
        stmt = _STATEMENTS[name] = build()
    return stmt


def _status_statement() -> Any:
    conversations = Conversation.__table__
    return select(conversations.c.status).where(conversations.c.id == bindparam("conversation_id"))


def _seal_statement() -> Any:
    conversations = Conversation.__table__
    return (
        conversations.update()
        .where(conversations.c.id == bindparam("conversation_id"))
        .values(
            status=func.coalesce(bindparam("new_status", type_=String), conversations.c.status),
            handoff_reason=bindparam("new_reason", type_=String),
            turns=case(
                (conversations.c.turns < bindparam("new_turns", type_=Integer), bindparam("new_turns", type_=Integer)),
                else_=conversations.c.turns,
            ),
        )
        .returning(conversations.c.status)
    )


def _roles_statement() -> Any:
    turns = ConversationTurn.__table__
    return select(turns.c.role).where(
        turns.c.conversation_id == bindparam("conversation_id"), turns.c.turn == bindparam("turn")
    )


def _conversation_status(session: Session, inbound: Inbound, conv_id: str) -> str:
    """The conversation's status as people left it (created, active, on its first message)."""
    status = session.execute(_statement("status", _status_statement), {"conversation_id": conv_id}).scalar()
    return status if status is not None else _conversation_row(session, inbound, conv_id).status


def _seal_conversation(
    session: Session, inbound: Inbound, conv_id: str, status: str | None, reason: str | None, turn: int
) -> str:
    """Write the turn's status, handoff reason and turn count on the conversation row; its status after."""
    params = {"conversation_id": conv_id, "new_status": status or None, "new_reason": reason, "new_turns": turn}
    sealed = session.execute(_statement("seal", _seal_statement), params).scalar()
    if sealed is not None:
        return str(sealed)
    # The row went away during the turn (a person erased the contact's data): this message starts it again.
    row = _conversation_row(session, inbound, conv_id)
    row.status = status or row.status
    row.handoff_reason = reason
    row.turns = max(row.turns, turn)
    session.flush()
    return row.status


def _conversation_row(session: Session, inbound: Inbound, conv_id: str) -> Conversation:
    row = session.scalar(select(Conversation).where(Conversation.id == conv_id))
    if row is None:
        row = Conversation(
            id=conv_id,
            tenant=inbound.tenant,
            channel=inbound.channel,
            contact_id=inbound.contact_id,
            contact_name=inbound.contact_name,
            status="active",
            turns=0,
        )
        session.add(row)
        session.flush()
    return row


def _record_turns(session: Session, conv_id: str, inbound: Inbound, outcome: TurnOutcome) -> None:
    turn = int(outcome.get("turn", 0))
    existing = set(
        session.execute(_statement("roles", _roles_statement), {"conversation_id": conv_id, "turn": turn}).scalars()
    )
    # Core inserts, not ORM objects: this is the hot write transaction of every turn, and nothing in it
    # reads the rows back. Every column is given, as the model's defaults would fill it.
    rows: list[dict[str, Any]] = []
    if "user" not in existing:
        rows.append(
            {
                "id": new_id(),
                "conversation_id": conv_id,
                "turn": turn,
                "role": "user",
                "text": inbound.text,
                "message_id": inbound.message_id,
                "intent": outcome.get("intent"),
                # The customer's own time: the channel's messaging window is measured from it, so a
                # message delivered again later does not reopen the window.
                "created_at": inbound.received_at.astimezone(UTC),
                "details": {"sensitivity_types": outcome.get("sensitivity_types", [])},
            }
        )
    reply = outcome.get("reply")
    if reply and "agent" not in existing:
        rows.append(
            {
                "id": new_id(),
                "conversation_id": conv_id,
                "turn": turn,
                "role": "agent",
                "text": reply,
                "message_id": None,
                "intent": None,
                "created_at": utcnow(),
                "details": {
                    "mode": outcome.get("reply_mode"),
                    "route": outcome.get("route", {}),
                    "citations": outcome.get("citations", []),
                    "events": [e["type"] for e in outcome.get("events") or []],
                },
            }
        )
    if rows:
        session.execute(insert(ConversationTurn.__table__), rows)


def take_over(settings: Settings, tenant: str, conversation_id: str, *, by: str | None = None) -> Conversation:
    """A person (``by``, shown in the inbox) takes the conversation: the agent is silent until released."""
    return _set_status(settings, tenant, conversation_id, "handoff", "taken_over", taken_by=by)


def release_handoff(settings: Settings, tenant: str, conversation_id: str) -> Conversation:
    """Give a handed-off conversation back to the agent (the next message is answered again)."""
    return _set_status(settings, tenant, conversation_id, "active", None)


def _set_status(
    settings: Settings,
    tenant: str,
    conversation_id: str,
    status: str,
    reason: str | None,
    *,
    taken_by: str | None = None,
) -> Conversation:
    graph = graph_for(settings)
    with session_scope(settings.database_url) as session:
        row = session.scalar(
            select(Conversation)
            .where(Conversation.id == conversation_id, Conversation.tenant == tenant)
            .with_for_update()
        )
        if row is None:
            raise LookupError(f"no conversation {conversation_id} for tenant {tenant}")
        row.status, row.handoff_reason = status, reason
        row.taken_by = taken_by[:200] if taken_by else None
        row.updated_at = datetime.now(UTC)  # even when nothing else changed: live pages follow updated_at
        config = {"configurable": {"thread_id": conversation_id}}
        if graph.get_state(config).values:
            graph.update_state(
                config, {"status": status, "handoff_reason": reason, "not_understood": 0}, as_node="conclude"
            )
        return row


def reply_as_person(
    settings: Settings,
    tenant: str,
    conversation_id: str,
    text: str,
    *,
    author: str = "",
    publish: Callable[[Sequence[str]], None] | None = None,
    now: datetime | None = None,
) -> str:
    """A person of the business answers the customer: the reply leaves through the conversation's channel.

    The transcript gets a ``human`` turn and the outbox a ``{channel}.send_message`` job (the same
    path as the agent's replies, :mod:`.channels`), in one transaction. The conversation is taken over
    (the agent stays silent) until released. Outside a channel's messaging window only an approved
    template may be sent: that is refused here with the reason, before anything is stored.
    Returns the job id.
    """
    from ..connectors.channel import WindowedChannel
    from ..tenancy import resolver_for
    from . import emit
    from .executors import tenant_connector_factory

    text = text.strip()
    if not text:
        raise ConversationError("התשובה ריקה | the reply is empty")
    if len(text) > 4096:
        raise ConversationError("התשובה ארוכה מ-4096 תווים | the reply is longer than 4096 characters")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    resolved = resolver_for(settings).live(tenant)
    with session_scope(settings.database_url) as session:
        conv = session.scalar(
            select(Conversation).where(Conversation.id == conversation_id, Conversation.tenant == tenant)
        )
        if conv is None:
            raise LookupError(f"no conversation {conversation_id} for tenant {tenant}")
        channel, contact = conv.channel, conv.contact_id
    if channel not in resolved.config.connectors:
        raise ConversationError(
            f"לדייר אין חיבור לערוץ '{channel}' | tenant '{tenant}' has no '{channel}' connector to reply through"
        )
    connector = tenant_connector_factory(settings.database_url)(tenant, channel)
    if isinstance(connector, WindowedChannel) and not connector.window_open(contact):
        # A channel may say why in its own words (the web chat: the visitor left the site).
        raise ConversationError(
            getattr(connector, "window_closed_reason", None)
            or "חלון השירות של 24 השעות נסגר: אפשר לשלוח רק תבנית מאושרת | the 24-hour customer-service window "
            "is closed: only an approved template message can be sent"
        )
    with _lock(conversation_id), session_scope(settings.database_url) as session:
        conv = session.scalar(select(Conversation).where(Conversation.id == conversation_id).with_for_update())
        assert conv is not None  # checked above; conversations are never deleted under a lock
        message_id = f"human.{new_id()}"
        session.add(
            ConversationTurn(
                conversation_id=conversation_id,
                turn=conv.turns,
                role="human",
                text=text,
                message_id=message_id,
                details={"author": author[:100]},
                created_at=now,
            )
        )
        conv.status, conv.handoff_reason = "handoff", conv.handoff_reason or "taken_over"
        conv.taken_by = conv.taken_by or (author[:200] if author else "—")
        conv.updated_at = now
        event = Event.create(
            "reply",
            tenant=tenant,
            conversation_id=conversation_id,
            turn=message_id,
            payload={"to": contact, "text": text, "channel": channel, "by": "human"},
            occurred_at=now,
        )
        job = reply_job(
            event, channel=channel, configured=True, now=now, max_attempts=resolved.config.workflows.max_attempts
        )
        if job is None:
            raise ConversationError(f"הערוץ '{channel}' אינו ערוץ הודעות | '{channel}' is not a messaging channel")
        # Rules do not see a person's reply (they are for the agent's events): only the channel job is planned.
        recorded = emit(session, event, [], now=now, timezone=resolved.config.timezone, publish=publish, extra=[job])
        job_ids = list(getattr(recorded, "job_ids", []) or [])
    graph = graph_for(settings)
    config = {"configurable": {"thread_id": conversation_id}}
    if graph.get_state(config).values:
        graph.update_state(config, {"status": "handoff", "handoff_reason": "taken_over"}, as_node="conclude")
    return job_ids[0] if job_ids else ""


def reply_window(settings: Settings, tenant: str, channel: str, contact_id: str) -> str:
    """Whether a person may write free text to ``contact_id`` now, as the channel says.

    'open'; 'closed' (only an approved template may go out); 'none' (the channel has no messaging
    window); 'unknown' (no live tenant or connector to ask).
    """
    from ..connectors.channel import WindowedChannel
    from .executors import tenant_connector_factory

    try:
        connector = tenant_connector_factory(settings.database_url)(tenant, channel)
    except Exception:  # not live, not configured, a missing secret: the reply itself will say why
        return "unknown"
    if not isinstance(connector, WindowedChannel):
        return "none"
    return "open" if connector.window_open(contact_id) else "closed"
