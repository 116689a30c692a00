"""Inbound events as durable work: every stored webhook item is an outbox job run by the dispatcher.

The contract (docs/architecture.md, "Inbound event"):

- The webhook stores each new item (``inbound_events``) and, **in the same transaction**, one outbox job
  with the same id, action :data:`INBOUND_ACTION` (:func:`inbound_job`). Acknowledged means both rows
  are committed; the queue message that follows is only a wake-up.
- The job is run by the one dispatcher (:mod:`.dispatcher`) like any connector job: an atomic
  conditional claim under a lease, retries with backoff for transient failures, a dead letter with
  every attempt recorded, ``sochen inbound retry`` (and ``sochen jobs retry``) for a person.
- A tenant that has no live version yet (production) makes the job **held**
  (:class:`~.dispatcher.JobHeld`), not failed: :func:`release_held` puts it back when the tenant is
  promoted.
- :func:`run_inbound` is what the job does, by kind: a message becomes a conversation turn on the
  tenant's live version (:func:`~.conversations.handle_message`, itself replay-safe); a delivery
  status moves the sent reply's delivery state forward (sent → delivered → read, or failed with the
  provider's code and title); a workflow event (n8n calling Sochen) becomes the domain event
  ``workflow.<name>`` for the tenant's rules; a provider notice is recorded. Each is safe to run twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..config import Settings
from ..db.models_api import InboundEventRow
from ..db.models_outbox import Job
from ..db.session import session_scope
from ..tenancy import TenantNotLiveError, resolver_for
from .conversations import Inbound, handle_message
from .dispatcher import Executor, JobHeld
from .events import Event

__all__ = [
    "DELIVERY_RANK",
    "INBOUND_ACTION",
    "inbound_dict",
    "inbound_executor",
    "inbound_from_payload",
    "inbound_job",
    "list_inbound",
    "release_held",
    "retry_inbound",
    "run_inbound",
]

log = logging.getLogger("sochen.workflows.inbound")

INBOUND_ACTION = "sochen.inbound"
"""The action of the outbox job that processes one stored inbound event (its id is the event's id)."""

INBOUND_MAX_ATTEMPTS = 10

DELIVERY_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "played": 3, "failed": 4}
"""Delivery states only move forward: statuses arrive out of order and some are skipped."""

UNMATCHED_AFTER = timedelta(minutes=2)
"""A status for a message no job has sent (yet) is retried this long, then recorded as unmatched:
the send job may not have recorded its message id when the status arrived, or a person sent the
message from the provider's own app."""


def inbound_job(event_id: str, tenant: str, now: datetime) -> dict[str, Any]:
    """The outbox row that processes inbound event ``event_id`` (inserted in the webhook's transaction)."""
    return {
        "id": event_id,
        "key": "inbound:" + hashlib.sha256(event_id.encode()).hexdigest()[:48],
        "tenant": tenant,
        "event_id": None,
        "rule": None,
        "step": None,
        "action": INBOUND_ACTION,
        "params": {"event_id": event_id},
        "deferred": {},
        "status": "pending",
        "attempts": 0,
        "max_attempts": INBOUND_MAX_ATTEMPTS,
        "next_attempt_at": now,
        "enqueued_at": now,
        "created_at": now,
        "updated_at": now,
    }


def inbound_from_payload(tenant: str, channel: str, payload: dict[str, Any]) -> Inbound | None:
    """The agent's view of a stored connector ``InboundMessage`` (None for kinds the agent does not read).

    ``received_at`` is the customer's own timestamp (the provider's), not the time we processed it:
    a message delivered again hours later must not look new (the 24-hour window is measured from it).
    """
    text = payload.get("text")
    if not text:
        interactive = payload.get("provider_details", {}).get("interactive_title")
        text = interactive or None
    if not text:
        return None
    contact = payload.get("contact") or {}
    stamp = payload.get("timestamp")
    try:
        received = datetime.fromtimestamp(int(stamp), tz=UTC) if stamp else datetime.now(UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        received = datetime.now(UTC)
    return Inbound(
        tenant=tenant,
        channel=channel,
        contact_id=str(contact.get("id") or contact.get("phone") or ""),
        text=str(text),
        message_id=str(payload.get("message_id") or payload.get("event_id")),
        received_at=received,
        contact_name=contact.get("name"),
        contact_phone=contact.get("phone"),
    )


def run_inbound(
    settings: Settings,
    event_id: str,
    *,
    publish: Callable[[Sequence[str]], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    """Process one stored inbound event (see the module docstring); a JSON-ready summary of what it did.

    Raises :class:`~.dispatcher.JobHeld` while the tenant has no live version, ``LookupError`` for an
    unknown id, and lets other failures through for the dispatcher to retry.
    """
    with session_scope(settings.database_url) as session:
        row = session.get(InboundEventRow, event_id)
        if row is None:
            raise LookupError(f"no inbound event {event_id}")
        if row.status in ("processed", "rejected"):
            return {"kind": row.kind, "skipped": row.status}
        tenant, channel, kind, payload = row.tenant, row.channel, row.kind, dict(row.payload or {})
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        row.attempts += 1
    summary: dict[str, Any] = {"kind": kind}
    if kind == "message":
        summary.update(_message(settings, tenant, channel, payload, publish))
    elif kind == "status":
        summary.update(_status(settings, tenant, payload, waited=now() - created))
    elif kind == "workflow_event":
        summary.update(_workflow_event(settings, tenant, channel, payload, publish))
    else:
        summary["recorded"] = True
    with session_scope(settings.database_url) as session:
        session.execute(
            update(InboundEventRow)
            .where(InboundEventRow.id == event_id)
            .values(status="processed", error=None, processed_at=now())
        )
    return summary


def _live(settings: Settings, tenant: str) -> Any:
    try:
        return resolver_for(settings).live(tenant)
    except TenantNotLiveError as exc:
        raise JobHeld(str(exc), reason="tenant_not_live") from None


def _message(
    settings: Settings,
    tenant: str,
    channel: str,
    payload: dict[str, Any],
    publish: Callable[[Sequence[str]], None] | None,
) -> dict[str, Any]:
    inbound = inbound_from_payload(tenant, channel, payload)
    if inbound is None or not inbound.contact_id:
        return {"turn": False}
    result = handle_message(settings, inbound, publish=publish, tenant=_live(settings, tenant))
    return {
        "turn": True,
        "conversation_id": result.conversation_id,
        "replayed": result.replayed,
        "jobs": result.jobs,
    }


def _status(settings: Settings, tenant: str, payload: dict[str, Any], *, waited: timedelta) -> dict[str, Any]:
    message_id = str(payload.get("message_id") or "")
    status = str(payload.get("status") or "")
    errors = payload.get("errors") or []
    with session_scope(settings.database_url) as session:
        job = session.scalar(select(Job).where(Job.tenant == tenant, Job.external_id == message_id).limit(1))
        if job is None:
            if waited < UNMATCHED_AFTER:
                raise LookupError(f"no sent message {message_id[:12]}… yet; retrying")
            return {"delivery": "unmatched", "status": status}
        return {"delivery": update_delivery(session, job, status, errors), "job_id": job.id}


def update_delivery(session: Session, job: Job, status: str, errors: list[dict[str, Any]]) -> str:
    """Move ``job``'s delivery state to ``status`` if that is forward; the state it has afterwards."""
    current = DELIVERY_RANK.get(job.delivery_status or "accepted", 0)
    new = DELIVERY_RANK.get(status)
    if new is None:
        return job.delivery_status or "accepted"
    if new > current and not (status == "failed" and current >= DELIVERY_RANK["read"]):
        job.delivery_status = status
        job.delivery_error = _issue(errors[0]) if (status == "failed" and errors) else None
        job.delivery_updated_at = datetime.now(UTC)
    return job.delivery_status or "accepted"


def _issue(error: dict[str, Any]) -> str:
    code, title = str(error.get("code") or ""), str(error.get("title") or error.get("message") or "")
    return f"{code} {title}".strip()[:300]


def _workflow_event(
    settings: Settings,
    tenant: str,
    channel: str,
    payload: dict[str, Any],
    publish: Callable[[Sequence[str]], None] | None,
) -> dict[str, Any]:
    from . import emit

    resolved = _live(settings, tenant)
    name = str(payload.get("name") or "unnamed")
    event = Event.create(
        f"workflow.{name}",
        tenant=tenant,
        conversation_id=None,
        turn=str(payload.get("event_id") or ""),
        payload={"source": channel, "data": payload.get("payload") or {}},
        occurred_at=datetime.now(UTC),
        discriminator="0",
    )
    now = datetime.now(UTC)
    with session_scope(settings.database_url) as session:
        recorded = emit(
            session, event, resolved.config.workflows, now=now, timezone=resolved.config.timezone, publish=publish
        )
    return {"event": event.type, "jobs": list(getattr(recorded, "job_ids", []) or [])}


def inbound_executor(
    settings: Settings,
    inner: Executor,
    *,
    publish: Callable[[Sequence[str]], None] | None = None,
) -> Executor:
    """An executor that runs inbound jobs (:data:`INBOUND_ACTION`) itself and hands the rest to ``inner``."""

    def execute(tenant: str, action: str, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        if action == INBOUND_ACTION:
            return run_inbound(settings, str(params["event_id"]), publish=publish)
        return inner(tenant, action, params, idempotency_key)

    return execute


def release_held(session: Session, *, tenant: str, now: datetime | None = None) -> list[str]:
    """Put the tenant's held jobs back to pending, due now (called when a version is promoted)."""
    now = now or datetime.now(UTC)
    ids = list(session.scalars(select(Job.id).where(Job.tenant == tenant, Job.status == "held")))
    if ids:
        session.execute(
            update(Job)
            .where(Job.id.in_(ids), Job.status == "held")
            .values(status="pending", next_attempt_at=now, enqueued_at=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return ids


def inbound_dict(row: InboundEventRow, job: Job | None, *, payload: bool = False) -> dict[str, Any]:
    """A stored inbound event and where its work stands (its job), JSON-ready; the message text only on request."""
    data: dict[str, Any] = {
        "id": row.id,
        "tenant": row.tenant,
        "channel": row.channel,
        "kind": row.kind,
        "status": row.status,
        "error": row.error,
        "received_at": _iso(row.created_at),
        "processed_at": _iso(row.processed_at),
        "work": None,
    }
    if job is not None:
        data["work"] = {
            "status": job.status,
            "attempts": job.attempts,
            "max_attempts": job.max_attempts,
            "next_attempt_at": _iso(job.next_attempt_at),
            "last_error": job.last_error,
            "result": job.result,
        }
    if payload:
        data["payload"] = row.payload
    return data


def list_inbound(
    session: Session, *, tenant: str | None = None, status: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Inbound events, newest first.

    ``status`` filters by the event's own status (processed, rejected) or its work's (pending,
    running, held, dead, succeeded).
    """
    query = select(InboundEventRow, Job).outerjoin(Job, Job.id == InboundEventRow.id)
    if tenant:
        query = query.where(InboundEventRow.tenant == tenant)
    if status in ("processed", "rejected"):
        query = query.where(InboundEventRow.status == status)
    elif status:
        query = query.where(Job.status == status)
    query = query.order_by(InboundEventRow.created_at.desc(), InboundEventRow.id).limit(limit)
    return [inbound_dict(row, job) for row, job in session.execute(query).all()]


def retry_inbound(session: Session, event_id: str, *, now: datetime, extra_attempts: int = 3) -> Job:
    """Run an inbound event again: its dead, held or cancelled job goes back to pending, due now."""
    from .outbox import JobStateError, retry_job

    row = session.get(InboundEventRow, event_id)
    if row is None:
        raise LookupError(f"no inbound event '{event_id[:64]}'")
    if row.status == "rejected":
        raise JobStateError(f"inbound event {row.id} was rejected ({row.error}); there is nothing to run")
    return retry_job(session, row.id, now=now, extra_attempts=extra_attempts)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
