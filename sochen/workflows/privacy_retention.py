"""Retention: remove each kind of personal data when the tenant's period for it has passed.

The contract (periods in the tenant's ``privacy:`` section, :mod:`sochen.config.sections.privacy`):

- **What expires.** A conversation's transcript and its checkpoint count from its last message
  (``updated_at``); raw inbound items and webhook bodies from when they arrived; a job's parameters
  from when it finished; a ledger row's link to its conversation from the call. A conversation is
  *health-tagged* when a customer message in it carried health details (the privacy guard's
  ``sensitivity_types``); its transcript, checkpoint, raw items and jobs then use the shorter
  ``health`` periods.
- **What is never removed.** A conversation a person is handling (``handoff``), a conversation with
  a job that has not finished (pending, held, running), an inbound item whose work is not done, and
  the parameters of an unfinished job.
- **How.** In bounded batches (``purge_batch`` rows per transaction), each batch idempotent, so a
  purge killed mid-way loses nothing and the next run continues. Rows that figures are made of stay:
  ledger rows keep tokens, cost and route (their conversation link becomes a random pseudonym or
  nothing); jobs, events and inbound items keep their type, status and times with their contents
  blanked. Transcripts and checkpoints are deleted. Documents are never purged automatically.
- **Reported.** :func:`purge_tenant` returns counts per kind and writes one access-log entry.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from ..config import Settings
from ..config.sections.privacy import PrivacyConfig
from ..db.models import LlmCall
from ..db.models_api import InboundDelivery, InboundEventRow
from ..db.models_conversations import Conversation, ConversationTurn
from ..db.models_outbox import DomainEvent, Job, JobAttempt
from ..db.models_webchat import drop_visitors_of
from ..db.session import session_scope
from .privacy_log import Actor, record_access
from .privacy_rights import REDACTED, Needles, scrub_json

__all__ = ["PurgeReport", "purge_all", "purge_tenant"]

log = logging.getLogger("sochen.workflows.privacy")

UNFINISHED = ("pending", "held", "running")
FINISHED = ("succeeded", "dead", "cancelled")
PURGED = {"purged": True}


@dataclass
class PurgeReport:
    """What one purge removed, per kind (counts only)."""

    tenant: str
    removed: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int) -> None:
        """Count ``n`` more rows of ``kind``."""
        if n:
            self.removed[kind] = self.removed.get(kind, 0) + n


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _cutoff(now: datetime, days: int | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


def _health_conversations(session: Session, conv_ids: list[str]) -> set[str]:
    tagged: set[str] = set()
    for conv, details in session.execute(
        select(ConversationTurn.conversation_id, ConversationTurn.details).where(
            ConversationTurn.conversation_id.in_(conv_ids), ConversationTurn.role == "user"
        )
    ):
        if "health" in ((details or {}).get("sensitivity_types") or []):
            tagged.add(conv)
    return tagged


def _busy_conversations(session: Session, tenant: str, conv_ids: list[str]) -> set[str]:
    """Conversations with a job not yet finished (their replies or CRM updates still need the data)."""
    return set(
        session.scalars(
            select(DomainEvent.conversation_id)
            .join(Job, Job.event_id == DomainEvent.id)
            .where(
                DomainEvent.tenant == tenant,
                DomainEvent.conversation_id.in_(conv_ids),
                Job.status.in_(UNFINISHED),
            )
        )
    )


def _expired(stamp: datetime | None, general: datetime | None, health: datetime | None, tagged: bool) -> bool:
    limit = health if (tagged and health is not None) else general
    if tagged and health is not None and general is not None:
        limit = max(health, general)  # the shorter period is the later cutoff
    stamp = _aware(stamp)
    return limit is not None and stamp is not None and stamp < limit


def purge_tenant(
    settings: Settings,
    tenant: str,
    config: PrivacyConfig,
    *,
    now: datetime | None = None,
    actor: Actor | None = None,
    max_batches: int = 1000,
) -> PurgeReport:
    """Remove ``tenant``'s expired data (see the module docstring); counts per kind."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    url = settings.database_url
    r, h = config.retention, config.health
    batch = config.purge_batch
    report = PurgeReport(tenant)
    cut = {
        "transcripts": (_cutoff(now, r.transcripts), _cutoff(now, h.transcripts)),
        "checkpoints": (_cutoff(now, r.checkpoints), _cutoff(now, h.checkpoints)),
        "inbound_raw": (_cutoff(now, r.inbound_raw), _cutoff(now, h.inbound_raw)),
        "job_params": (_cutoff(now, r.job_params), _cutoff(now, h.job_params)),
    }
    earliest = [c for pair in cut.values() for c in pair if c is not None]
    oldest_cut = max(earliest) if earliest else None  # the latest cutoff: nothing newer can expire

    # Conversations (transcripts, checkpoints) in id order, one batch a transaction.
    health_convs: set[str] = set()
    after = ""
    for _ in range(max_batches):
        if oldest_cut is None:
            break
        with session_scope(url) as session:
            rows = list(
                session.scalars(
                    select(Conversation)
                    .where(Conversation.tenant == tenant, Conversation.id > after, Conversation.updated_at < oldest_cut)
                    .order_by(Conversation.id)
                    .limit(batch)
                )
            )
            if not rows:
                break
            after = rows[-1].id
            ids = [c.id for c in rows]
            tagged = _health_conversations(session, ids)
            health_convs |= tagged
            busy = _busy_conversations(session, tenant, ids)
            drop_transcripts = [
                c.id
                for c in rows
                if c.status != "handoff"
                and c.id not in busy
                and _expired(c.updated_at, *cut["transcripts"], c.id in tagged)
            ]
            drop_checkpoints = [
                c.id
                for c in rows
                if c.status != "handoff"
                and c.id not in busy
                and (c.id in drop_transcripts or _expired(c.updated_at, *cut["checkpoints"], c.id in tagged))
            ]
        report.add("checkpoints", _delete_checkpoints(settings, drop_checkpoints))
        if drop_transcripts:
            report.add("transcripts", _drop_conversations(settings, tenant, drop_transcripts))

    # Raw inbound: items whose work is done, and the webhook bodies none of whose items is pending.
    general, health = cut["inbound_raw"]
    limit = max([c for c in (general, health) if c is not None], default=None)
    if limit is not None:
        report.add("inbound_events", _purge_inbound(url, tenant, general, health, limit, batch, max_batches))
        report.add("inbound_deliveries", _purge_deliveries(url, tenant, general, health, limit, batch, max_batches))

    general, health = cut["job_params"]
    limit = max([c for c in (general, health) if c is not None], default=None)
    if limit is not None:
        report.add("job_params", _purge_jobs(url, tenant, general, health, limit, health_convs, batch, max_batches))

    ledger_cut = _cutoff(now, r.ledger_detail)
    if ledger_cut is not None:
        with session_scope(url) as session:
            n = session.execute(
                update(LlmCall)
                .where(
                    LlmCall.tenant_slug == tenant,
                    LlmCall.created_at < ledger_cut,
                    LlmCall.conversation_id.is_not(None),
                )
                .values(conversation_id=None)
            )
            report.add("ledger_detail", int(getattr(n, "rowcount", 0) or 0))
    if report.removed:
        record_access(url, tenant, actor or Actor("system", "retention"), "purge", "tenant", tenant, report.removed)
    log.info("privacy purge tenant=%s removed=%s", tenant, report.removed)
    return report


def _delete_checkpoints(settings: Settings, conv_ids: list[str]) -> int:
    """Delete the saved state of these conversations; how many had one."""
    if not conv_ids:
        return 0
    from ..agents.graph import checkpointer_for

    saver = checkpointer_for(settings)
    deleted = 0
    for conv in conv_ids:
        if saver.get_tuple({"configurable": {"thread_id": conv, "checkpoint_ns": ""}}) is not None:
            saver.delete_thread(conv)
            deleted += 1
    return deleted


def _drop_conversations(settings: Settings, tenant: str, conv_ids: list[str]) -> int:
    """Delete transcripts; blank the contents of their events and finished jobs; keep figures under pseudonyms."""
    with session_scope(settings.database_url) as session:
        if settings.is_sqlite:
            from sqlalchemy import text

            session.execute(text("PRAGMA secure_delete=ON"))
        nothing = Needles()
        for conv in conv_ids:
            alias = "erased-" + secrets.token_hex(12)
            events = list(
                session.scalars(
                    select(DomainEvent).where(DomainEvent.tenant == tenant, DomainEvent.conversation_id == conv)
                )
            )
            for ev in events:
                ev.payload = scrub_json(ev.payload, nothing, owned=True)
                ev.conversation_id = alias
            if events:
                for job in session.scalars(
                    select(Job).where(Job.event_id.in_([e.id for e in events]), Job.status.in_(FINISHED))
                ):
                    _blank_job(session, job)
            session.execute(
                update(LlmCall)
                .where(LlmCall.tenant_slug == tenant, LlmCall.conversation_id == conv)
                .values(conversation_id=alias)
            )
        drop_visitors_of(session, tenant, conv_ids)  # the web chat's copy of what was said goes with them
        session.query(ConversationTurn).filter(ConversationTurn.conversation_id.in_(conv_ids)).delete(
            synchronize_session=False
        )
        return session.query(Conversation).filter(Conversation.id.in_(conv_ids)).delete(synchronize_session=False)


def _blank_job(session: Session, job: Job) -> bool:
    if job.params == PURGED:
        return False
    job.params, job.deferred = dict(PURGED), {}
    if job.result is not None:
        job.result = dict(PURGED)
    job.last_error = REDACTED if job.last_error else None
    job.delivery_error = REDACTED if job.delivery_error else None
    for attempt in session.scalars(
        select(JobAttempt).where(JobAttempt.job_id == job.id, JobAttempt.message.is_not(None))
    ):
        attempt.message = REDACTED
    return True


def _health_text(payload: Any) -> bool:
    from ..privacy import assess

    text = ""
    if isinstance(payload, dict):
        text = str(payload.get("text") or "")
    return bool(text) and "health" in assess(text).types


def _batches(
    url: str, statement: Callable[[str], Select[Any]], max_batches: int
) -> Iterator[tuple[Session, list[Any]]]:
    """Rows in id order (``statement(after)`` selects those past ``after``), one batch a transaction.

    A batch's changes commit when the caller asks for the next one; an error in the caller rolls them back.
    A row of one entity comes as that entity, a wider row as its tuple (the entity first).
    """
    after = ""
    for _ in range(max_batches):
        with session_scope(url) as session:
            rows = list(session.execute(statement(after)).all())
            if not rows:
                return
            after = rows[-1][0].id
            yield session, [r[0] if len(r) == 1 else tuple(r) for r in rows]


def _purge_inbound(
    url: str,
    tenant: str,
    general: datetime | None,
    health: datetime | None,
    limit: datetime,
    batch: int,
    max_batches: int,
) -> int:
    removed = 0

    def query(after: str) -> Select[Any]:
        return (
            select(InboundEventRow)
            .where(
                InboundEventRow.tenant == tenant,
                InboundEventRow.id > after,
                InboundEventRow.created_at < limit,
                InboundEventRow.status.in_(("processed", "rejected")),
            )
            .order_by(InboundEventRow.id)
            .limit(batch)
        )

    for _session, rows in _batches(url, query, max_batches):
        for row in rows:
            if row.payload == {**PURGED, "type": row.kind}:
                continue
            if _expired(row.created_at, general, health, _health_text(row.payload)):
                row.payload = {**PURGED, "type": row.kind}
                row.error = REDACTED if row.error else None
                removed += 1
    return removed


def _purge_deliveries(
    url: str,
    tenant: str,
    general: datetime | None,
    health: datetime | None,
    limit: datetime,
    batch: int,
    max_batches: int,
) -> int:
    removed = 0

    def query(after: str) -> Select[Any]:
        return (
            select(InboundDelivery)
            .where(InboundDelivery.tenant == tenant, InboundDelivery.id > after, InboundDelivery.received_at < limit)
            .order_by(InboundDelivery.id)
            .limit(batch)
        )

    for session, rows in _batches(url, query, max_batches):
        for delivery in rows:
            items = list(session.scalars(select(InboundEventRow).where(InboundEventRow.delivery_id == delivery.id)))
            if any(i.status == "pending" for i in items):
                continue  # its work is not done: the raw body may still be needed
            tagged = any(_health_text(i.payload) for i in items)
            if _expired(delivery.received_at, general, health, tagged):
                session.delete(delivery)
                removed += 1
    return removed


def _purge_jobs(
    url: str,
    tenant: str,
    general: datetime | None,
    health: datetime | None,
    limit: datetime,
    health_convs: set[str],
    batch: int,
    max_batches: int,
) -> int:
    removed = 0

    def query(after: str) -> Select[Any]:
        return (
            select(Job, DomainEvent.conversation_id)
            .outerjoin(DomainEvent, DomainEvent.id == Job.event_id)
            .where(Job.tenant == tenant, Job.id > after, Job.updated_at < limit, Job.status.in_(FINISHED))
            .order_by(Job.id)
            .limit(batch)
        )

    for session, rows in _batches(url, query, max_batches):
        for job, conv in rows:
            if _expired(job.updated_at, general, health, conv in health_convs) and _blank_job(session, job):
                removed += 1
    return removed


def purge_all(settings: Settings, *, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Purge every tenant by its live (else newest) configuration; what each one removed."""
    from ..db.models import Tenant
    from ..tenancy import TenantResolver

    resolver = TenantResolver(settings.database_url)
    with session_scope(settings.database_url) as session:
        slugs = list(session.scalars(select(Tenant.slug).order_by(Tenant.slug)))
    out: dict[str, dict[str, int]] = {}
    for slug in slugs:
        try:
            config = resolver.live(slug).config
        except LookupError:
            continue
        out[slug] = purge_tenant(settings, slug, config.privacy, now=now).removed
    return out


def periodic_purge(settings: Settings, every_s: float = 3600.0, first_after_s: float = 60.0) -> Callable[[], None]:
    """A callable for the embedded worker: purge ``first_after_s`` after start, then once per ``every_s``."""
    import time

    last = [time.monotonic() - every_s + first_after_s]

    def run() -> None:
        if time.monotonic() - last[0] < every_s:
            return
        last[0] = time.monotonic()
        try:
            purge_all(settings)
        except Exception:  # the next round tries again; nothing is half-removed (batches are transactions)
            log.exception("privacy purge failed; it runs again later")

    return run
