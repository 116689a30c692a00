"""The people's inbox: conversations as a person sees them, notes, read marks, closing, the change feed.

Shared by the web console, the CLI (``sochen handoff close|note``) and tests; every function takes the
tenant and filters by it, so a conversation id of another tenant is simply not found (LookupError).

Where a conversation stands for a person (:func:`inbox_state`):
``needs_person`` — the agent handed it off and nobody has taken it; ``person`` — a person has it (taken
over, or answered); ``active`` — the agent answers; ``closed``.

The change feed (:func:`changes_since`) is a cursor over ``conversations.updated_at`` and
``outbox_jobs.updated_at`` of one tenant: any process (the embedded worker, Celery workers elsewhere)
that records a turn, a status change or a job's progress moves it, so a live page polls it cheaply
instead of listening to an in-memory bus that other processes cannot reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..db.models import new_id, utcnow
from ..db.models_console import ConsoleReadMark
from ..db.models_conversations import Conversation, ConversationTurn
from ..db.models_outbox import DomainEvent, Job

__all__ = [
    "FILTERS",
    "ChangeCursor",
    "ConversationDetail",
    "InboxItem",
    "InboxPage",
    "add_note",
    "changes_since",
    "close_conversation",
    "conversation_detail",
    "inbox_state",
    "list_inbox",
    "mark_read",
    "state_counts",
]

FILTERS = ("all", "needs_person", "person", "active", "closed")
MAX_NOTE = 4000


def inbox_state(status: str, handoff_reason: str | None, taken_by: str | None) -> str:
    """needs_person, person, active or closed (see the module docstring)."""
    if status == "handoff":
        return "person" if taken_by or handoff_reason == "taken_over" else "needs_person"
    return "closed" if status == "closed" else "active"


def _state_filter(name: str) -> Any:
    taken = or_(Conversation.taken_by.is_not(None), Conversation.handoff_reason == "taken_over")
    if name == "needs_person":
        return and_(Conversation.status == "handoff", ~taken)
    if name == "person":
        return and_(Conversation.status == "handoff", taken)
    if name == "closed":
        return Conversation.status == "closed"
    if name == "active":
        return Conversation.status.not_in(["handoff", "closed"])
    return None


@dataclass(frozen=True)
class InboxItem:
    """One row of the inbox."""

    id: str
    channel: str
    contact_name: str | None
    contact_id: str
    state: str
    handoff_reason: str | None
    taken_by: str | None
    turns: int
    unread: int
    updated_at: datetime
    preview: str = ""
    preview_role: str = ""


@dataclass(frozen=True)
class InboxPage:
    """A page of the inbox, newest first; ``next_before`` continues it (None at the end)."""

    items: list[InboxItem]
    next_before: datetime | None


def list_inbox(
    session: Session,
    tenant: str,
    *,
    user_id: str | None,
    state: str = "all",
    limit: int = 50,
    before: datetime | None = None,
) -> InboxPage:
    """``tenant``'s conversations in ``state`` (one of :data:`FILTERS`), newest first, with ``user_id``'s unread."""
    if state not in FILTERS:
        raise ValueError(f"unknown inbox filter {state!r}; one of {', '.join(FILTERS)}")
    seen = func.coalesce(ConsoleReadMark.turns_seen, 0)
    query = (
        select(Conversation, seen)
        .outerjoin(
            ConsoleReadMark,
            and_(ConsoleReadMark.conversation_id == Conversation.id, ConsoleReadMark.user_id == (user_id or "")),
        )
        .where(Conversation.tenant == tenant)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(limit + 1)
    )
    condition = _state_filter(state)
    if condition is not None:
        query = query.where(condition)
    if before is not None:
        query = query.where(Conversation.updated_at < before)
    rows = list(session.execute(query))
    more = len(rows) > limit
    rows = rows[:limit]
    previews = _previews(session, [conv.id for conv, _ in rows])
    items = [
        InboxItem(
            id=conv.id,
            channel=conv.channel,
            contact_name=conv.contact_name,
            contact_id=conv.contact_id,
            state=inbox_state(conv.status, conv.handoff_reason, conv.taken_by),
            handoff_reason=conv.handoff_reason,
            taken_by=conv.taken_by,
            turns=conv.turns,
            unread=max(0, conv.turns - int(turns_seen or 0)),
            updated_at=conv.updated_at,
            preview=previews.get(conv.id, ("", ""))[0],
            preview_role=previews.get(conv.id, ("", ""))[1],
        )
        for conv, turns_seen in rows
    ]
    return InboxPage(items, rows[-1][0].updated_at if more and rows else None)


def _previews(session: Session, ids: list[str]) -> dict[str, tuple[str, str]]:
    """The newest message (not a note) of each conversation: (text cut to 140 characters, role)."""
    if not ids:
        return {}
    ranked = (
        select(
            ConversationTurn.id,
            func.row_number()
            .over(
                partition_by=ConversationTurn.conversation_id,
                order_by=(ConversationTurn.turn.desc(), ConversationTurn.created_at.desc()),
            )
            .label("rank"),
        )
        .where(ConversationTurn.conversation_id.in_(ids), ConversationTurn.role != "note")
        .subquery()
    )
    newest = session.scalars(
        select(ConversationTurn).join(ranked, and_(ranked.c.id == ConversationTurn.id, ranked.c.rank == 1))
    )
    return {turn.conversation_id: (turn.text[:140], turn.role) for turn in newest}


def state_counts(session: Session, tenant: str) -> dict[str, int]:
    """How many of ``tenant``'s conversations are in each state (and ``all``)."""
    taken = or_(Conversation.taken_by.is_not(None), Conversation.handoff_reason == "taken_over")
    state = case(
        (and_(Conversation.status == "handoff", taken), "person"),
        (Conversation.status == "handoff", "needs_person"),
        (Conversation.status == "closed", "closed"),
        else_="active",
    )
    counts = {name: 0 for name in FILTERS}
    for name, count in session.execute(
        select(state, func.count()).where(Conversation.tenant == tenant).group_by(state)
    ):
        counts[str(name)] = int(count)
    counts["all"] = sum(counts[name] for name in FILTERS if name != "all")
    return counts


@dataclass(frozen=True)
class TranscriptTurn:
    """One message of the transcript, as a person reads it."""

    id: str
    turn: int
    role: str
    text: str
    intent: str | None
    details: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class JobView:
    """A job an event of the conversation caused."""

    id: str
    action: str
    rule: str | None
    status: str
    attempts: int
    last_error: str | None
    delivery_status: str | None
    delivery_error: str | None


@dataclass(frozen=True)
class EventView:
    """A domain event of the conversation with its jobs."""

    id: str
    type: str
    turn_ref: str
    created_at: datetime
    jobs: list[JobView] = field(default_factory=list)


@dataclass(frozen=True)
class ConversationDetail:
    """A conversation with its transcript, events and jobs."""

    id: str
    tenant: str
    channel: str
    contact_id: str
    contact_name: str | None
    status: str
    state: str
    handoff_reason: str | None
    taken_by: str | None
    turns: int
    updated_at: datetime
    transcript: list[TranscriptTurn]
    events: list[EventView]


def _conversation(session: Session, tenant: str, conversation_id: str, *, lock: bool = False) -> Conversation:
    query = select(Conversation).where(Conversation.id == conversation_id, Conversation.tenant == tenant)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise LookupError(f"no conversation {conversation_id} for tenant {tenant}")
    return row


def conversation_detail(session: Session, tenant: str, conversation_id: str) -> ConversationDetail:
    """The conversation of ``tenant`` (LookupError when it is not one of its), in order, with events and jobs."""
    conv = _conversation(session, tenant, conversation_id)
    turns = [
        TranscriptTurn(t.id, t.turn, t.role, t.text, t.intent, dict(t.details or {}), t.created_at)
        for t in session.scalars(
            select(ConversationTurn)
            .where(ConversationTurn.conversation_id == conversation_id)
            .order_by(ConversationTurn.turn, ConversationTurn.created_at, ConversationTurn.role.desc())
        )
    ]
    events = list(
        session.scalars(
            select(DomainEvent)
            .where(DomainEvent.tenant == tenant, DomainEvent.conversation_id == conversation_id)
            .order_by(DomainEvent.created_at, DomainEvent.id)
        )
    )
    jobs: dict[str, list[JobView]] = {}
    if events:
        for job in session.scalars(
            select(Job)
            .where(Job.tenant == tenant, Job.event_id.in_([e.id for e in events]))
            .order_by(Job.created_at, Job.id)
        ):
            jobs.setdefault(job.event_id or "", []).append(
                JobView(
                    job.id,
                    job.action,
                    job.rule,
                    job.status,
                    job.attempts,
                    job.plan_error or job.last_error,
                    job.delivery_status,
                    job.delivery_error,
                )
            )
    return ConversationDetail(
        id=conv.id,
        tenant=conv.tenant,
        channel=conv.channel,
        contact_id=conv.contact_id,
        contact_name=conv.contact_name,
        status=conv.status,
        state=inbox_state(conv.status, conv.handoff_reason, conv.taken_by),
        handoff_reason=conv.handoff_reason,
        taken_by=conv.taken_by,
        turns=conv.turns,
        updated_at=conv.updated_at,
        transcript=turns,
        events=[
            EventView(e.id, e.type, str((e.payload or {}).get("turn", "")), e.created_at, jobs.get(e.id, []))
            for e in events
        ],
    )


def mark_read(session: Session, tenant: str, conversation_id: str, user_id: str) -> None:
    """``user_id`` has read the conversation up to now (its unread count drops to 0)."""
    conv = _conversation(session, tenant, conversation_id)
    mark = session.get(ConsoleReadMark, (user_id, conversation_id))
    if mark is None:
        session.add(ConsoleReadMark(user_id=user_id, conversation_id=conversation_id, turns_seen=conv.turns))
    else:
        mark.turns_seen, mark.read_at = conv.turns, utcnow()


def add_note(session: Session, tenant: str, conversation_id: str, text: str, *, author: str) -> str:
    """An internal note in the transcript (role ``note``): people read it, the customer never gets it."""
    text = text.strip()
    if not text:
        raise ValueError("ההערה ריקה | the note is empty")
    if len(text) > MAX_NOTE:
        raise ValueError(f"ההערה ארוכה מ-{MAX_NOTE} תווים | the note is longer than {MAX_NOTE} characters")
    conv = _conversation(session, tenant, conversation_id, lock=True)
    turn = ConversationTurn(
        conversation_id=conversation_id,
        turn=conv.turns,
        role="note",
        text=text,
        message_id=f"note.{new_id()}",
        details={"author": author[:100]},
        created_at=datetime.now(UTC),
    )
    session.add(turn)
    conv.updated_at = utcnow()  # the change feed sees it
    session.flush()
    return turn.id


def close_conversation(session: Session, tenant: str, conversation_id: str) -> Conversation:
    """Close the conversation: it leaves the open lists; the customer's next message reopens it for the agent.

    Closing files the conversation for people; the turn that follows a new message sees ``closed`` and
    starts ``active`` again (:func:`sochen.workflows.conversations.handle_message`).
    """
    conv = _conversation(session, tenant, conversation_id, lock=True)
    conv.status, conv.taken_by = "closed", None
    conv.handoff_reason = None
    conv.updated_at = utcnow()
    return conv


@dataclass(frozen=True)
class ChangeCursor:
    """Where a tenant's change feed stands: the newest conversation and job update times."""

    conversations: datetime | None
    jobs: datetime | None


def changes_since(session: Session, tenant: str, cursor: ChangeCursor | None) -> tuple[ChangeCursor, set[str]]:
    """The feed's new position and the ids of conversations that changed after ``cursor`` (None: none yet)."""
    newest_conv = session.scalar(select(func.max(Conversation.updated_at)).where(Conversation.tenant == tenant))
    newest_job = session.scalar(select(func.max(Job.updated_at)).where(Job.tenant == tenant))
    now = ChangeCursor(newest_conv, newest_job)
    if cursor is None or now == cursor:
        return now, set()
    changed: set[str] = set()
    if newest_conv != cursor.conversations:
        query = select(Conversation.id).where(Conversation.tenant == tenant)
        if cursor.conversations is not None:
            query = query.where(Conversation.updated_at > cursor.conversations)
        changed.update(session.scalars(query.limit(500)))
    if newest_job != cursor.jobs:
        by_job = (
            select(DomainEvent.conversation_id)
            .join(Job, Job.event_id == DomainEvent.id)
            .where(Job.tenant == tenant, DomainEvent.conversation_id.is_not(None))
        )
        if cursor.jobs is not None:
            by_job = by_job.where(Job.updated_at > cursor.jobs)
        changed.update(c for c in session.scalars(by_job.distinct().limit(500)) if c)
    return now, changed
