"""The transactional outbox: events and their jobs are rows before they are work in a queue.

:func:`record_event_and_jobs` adds an event and its planned jobs in the **caller's** transaction,
so the conversation state, the event and the jobs commit together or not at all. A duplicate event
key adds nothing (``INSERT ... ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL). A publisher, if
given, is called with the new job ids only after that transaction commits; if it fails or the
process dies first, the sweeper (:func:`enqueue_due`) sends them later. Messages are only hints: the
row is the truth, and claiming a job (:mod:`.dispatcher`) is atomic, so a duplicate message is harmless.

The rest of this module is what people need: list, show, retry and cancel jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, event, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from ..db.models import new_id
from ..db.models_outbox import DomainEvent, Job, JobAttempt, JobDependency
from .events import Event
from .planning import PlannedJob

__all__ = [
    "LOST_MESSAGE",
    "JobNotFoundError",
    "JobStateError",
    "Publisher",
    "RecordResult",
    "aware",
    "cancel_job",
    "claimable",
    "enqueue_due",
    "get_job",
    "job_attempts",
    "job_dependencies",
    "job_dict",
    "list_jobs",
    "reap_lost",
    "record_event_and_jobs",
    "retry_job",
    "tenant_job",
]

log = logging.getLogger(__name__)

Publisher = Callable[[Sequence[str]], None]
"""Sends job ids to workers (a Celery queue, or a wake-up of the embedded worker)."""

_PUBLISH_KEY = "sochen.outbox.publish"
LOST_MESSAGE = "the lease expired before the worker reported (it crashed, was killed or hung)"


class JobNotFoundError(LookupError):
    """No job with that id (or id prefix)."""


class JobStateError(ValueError):
    """The job is not in a state that allows the operation."""


@dataclass(frozen=True)
class RecordResult:
    """What :func:`record_event_and_jobs` added: nothing at all when the event was a duplicate."""

    duplicate: bool
    event_id: str | None = None
    job_ids: list[str] = field(default_factory=list)


def aware(value: datetime | None) -> datetime | None:
    """A database datetime as timezone-aware UTC (SQLite returns naive UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _insert(session: Session, table: Any) -> Any:
    # Both dialects' Insert have on_conflict_do_nothing(); the generic Insert type does not.
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the outbox supports SQLite and PostgreSQL, not {dialect}")


_KEYED_INSERTS: dict[tuple[str, str], Any] = {}


def _keyed_insert(session: Session, table: Any) -> Any:
    """``INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id`` into ``table``, values given at execution.

    Built once per dialect and table: building it (and coercing every value into it) per row costs
    more than the insert itself on SQLite.
    """
    cache_key = (session.get_bind().dialect.name, table.name)
    stmt = _KEYED_INSERTS.get(cache_key)
    if stmt is None:
        stmt = _insert(session, table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
        _KEYED_INSERTS[cache_key] = stmt
    return stmt


def record_event_and_jobs(
    session: Session,
    event: Event,
    jobs: Sequence[PlannedJob],
    *,
    publish: Publisher | None = None,
) -> RecordResult:
    """Add ``event`` and its ``jobs`` in the caller's transaction; idempotent on the event key.

    Nothing is committed here. ``publish`` is called with the new job ids after the caller's
    transaction commits (never on rollback; errors are logged, the sweeper covers them).
    """
    event_id = session.execute(
        _keyed_insert(session, DomainEvent.__table__),
        {
            "id": new_id(),
            "key": event.key,
            "tenant": event.tenant,
            "type": event.type,
            "conversation_id": event.conversation_id,
            "payload": event.model_dump(mode="json")["payload"],
            "occurred_at": event.occurred_at,
            "created_at": datetime.now(UTC),
        },
    ).scalar()
    if event_id is None:
        return RecordResult(duplicate=True)
    table = Job.__table__
    ids: dict[str, str] = {}
    for job in jobs:
        planned_at = job.planned_at.astimezone(UTC)
        job_id = session.execute(
            _keyed_insert(session, table),
            {
                "id": new_id(),
                "key": job.key,
                "tenant": event.tenant,
                "event_id": event_id,
                "rule": job.rule[:200],
                "step": job.step,
                "action": job.action,
                "params": job.params,
                "deferred": job.deferred,
                "status": "dead" if job.error else "pending",
                "attempts": 0,
                "max_attempts": job.max_attempts,
                "next_attempt_at": planned_at,
                "last_error": job.error,
                "plan_error": job.error,
                "created_at": planned_at,
                "updated_at": planned_at,
            },
        ).scalar()
        if job_id is not None:
            ids[job.key] = job_id
    for job in jobs:
        for dep in job.depends_on:
            if job.key in ids and dep in ids:
                session.add(JobDependency(job_id=ids[job.key], depends_on_id=ids[dep]))
    session.flush()
    runnable = [ids[j.key] for j in jobs if j.key in ids and not j.error]
    if publish is not None and runnable:
        _publish_after_commit(session, publish, runnable)
    return RecordResult(duplicate=False, event_id=event_id, job_ids=list(ids.values()))


def _publish_after_commit(session: Session, publish: Publisher, job_ids: list[str]) -> None:
    pending: list[tuple[Publisher, list[str]]] = session.info.setdefault(_PUBLISH_KEY, [])
    pending.append((publish, job_ids))
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_transaction_end", _after_transaction_end)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the outer transaction has not committed yet
    for publish, job_ids in session.info.pop(_PUBLISH_KEY, []):
        try:
            publish(job_ids)
        except Exception:  # the rows are committed; the sweeper will send them
            log.exception("could not publish %d job(s); the sweeper will send them", len(job_ids))


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PUBLISH_KEY, None)  # rolled back: nothing to announce


def claimable(now: datetime) -> ColumnElement[bool]:
    """SQL: the job may be claimed at ``now``.

    That is: pending, due and every job it waits for has succeeded; or running under a lease that
    has expired (its worker died or hung).
    """
    dep = aliased(Job)
    blocked = exists().where(
        JobDependency.job_id == Job.id,
        dep.id == JobDependency.depends_on_id,
        dep.status != "succeeded",
    )
    return or_(
        and_(Job.status == "pending", Job.next_attempt_at <= now, ~blocked),
        and_(Job.status == "running", Job.lease_expires_at < now, Job.attempts < Job.max_attempts),
    )


def reap_lost(session: Session, *, now: datetime) -> list[str]:
    """Park as dead the running jobs whose lease expired on their last allowed attempt.

    A job that kills or hangs every worker that runs it must not be claimed forever; its lost
    attempts are recorded as such. Returns the ids of the jobs parked.
    """
    ids = list(
        session.scalars(
            select(Job.id).where(Job.status == "running", Job.lease_expires_at < now, Job.attempts >= Job.max_attempts)
        )
    )
    if not ids:
        return []
    session.execute(
        update(JobAttempt)
        .where(JobAttempt.job_id.in_(ids), JobAttempt.outcome == "running")
        .values(outcome="lost", finished_at=now, message=LOST_MESSAGE)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Job)
        .where(Job.id.in_(ids), Job.status == "running", Job.lease_expires_at < now)
        .values(
            status="dead",
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
            last_error="every allowed attempt was lost: the worker running it crashed, was killed or hung",
        )
        .execution_options(synchronize_session=False)
    )
    return ids


def enqueue_due(
    session: Session,
    *,
    now: datetime,
    grace: timedelta = timedelta(seconds=30),
    limit: int = 500,
) -> list[str]:
    """Ids of claimable jobs that nobody seems to be working on; marks them as sent at ``now``.

    Also parks jobs whose last allowed attempt was lost (:func:`reap_lost`).

    A pending job qualifies once it has been due for ``grace`` (its own message had time to
    arrive) and was not sent by the sweeper within ``grace``; a running job when its lease expired.
    The caller publishes the ids after committing.
    """
    reap_lost(session, now=now)
    cutoff = now - grace
    quiet = or_(Job.enqueued_at.is_(None), Job.enqueued_at <= cutoff)
    waited = or_(Job.status == "running", Job.next_attempt_at <= cutoff)
    ids = list(
        session.scalars(select(Job.id).where(claimable(now), quiet, waited).order_by(Job.next_attempt_at).limit(limit))
    )
    if ids:
        session.execute(update(Job).where(Job.id.in_(ids)).values(enqueued_at=now))
    return ids


def list_jobs(session: Session, *, tenant: str | None = None, status: str | None = None, limit: int = 100) -> list[Job]:
    """Jobs, newest first, optionally of one tenant and/or one status."""
    query = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if tenant:
        query = query.where(Job.tenant == tenant)
    if status:
        query = query.where(Job.status == status)
    return list(session.scalars(query))


def get_job(session: Session, job_id: str) -> Job:
    """The job with this id or unique id prefix (at least 6 characters)."""
    job = session.get(Job, job_id)
    if job is not None:
        return job
    if len(job_id) >= 6:
        found = list(session.scalars(select(Job).where(Job.id.like(f"{job_id}%")).limit(2)))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise JobNotFoundError(f"job id prefix '{job_id}' is ambiguous; give more characters")
    raise JobNotFoundError(f"no job '{job_id}'")


def tenant_job(session: Session, tenant: str, job_id: str) -> Job:
    """The job with exactly this id when it belongs to ``tenant``; :class:`JobNotFoundError` otherwise.

    No id prefixes: a prefix search would tell a tenant's user that another tenant's job exists.
    """
    job = session.get(Job, job_id[:64])
    if job is None or job.tenant != tenant:
        raise JobNotFoundError(f"no job '{job_id[:64]}'")
    return job


def job_attempts(session: Session, job_id: str) -> list[JobAttempt]:
    """Every attempt of a job, in order."""
    return list(session.scalars(select(JobAttempt).where(JobAttempt.job_id == job_id).order_by(JobAttempt.number)))


def retry_job(session: Session, job_id: str, *, now: datetime, extra_attempts: int = 3) -> Job:
    """Put a dead, cancelled or held job back to pending, due now.

    Its attempts so far are kept (and shown); it gets ``extra_attempts`` more.
    """
    job = get_job(session, job_id)
    if job.status not in ("dead", "cancelled", "held"):
        raise JobStateError(f"job {job.id} is {job.status}; only dead, cancelled or held jobs can be retried")
    if job.plan_error:
        raise JobStateError(
            f"job {job.id} could not be planned ({job.plan_error}); fix the rule and apply the tenant again"
        )
    job.status = "pending"
    job.max_attempts = job.attempts + max(1, extra_attempts)
    job.next_attempt_at = now
    job.enqueued_at = None
    job.lease_owner = None
    job.lease_expires_at = None
    job.updated_at = now
    session.flush()
    return job


def cancel_job(session: Session, job_id: str, *, now: datetime) -> list[Job]:
    """Cancel a pending or dead job and, with it, the pending jobs that wait for its result."""
    job = get_job(session, job_id)
    if job.status not in ("pending", "dead", "held"):
        raise JobStateError(f"job {job.id} is {job.status}; only pending, held or dead jobs can be cancelled")
    cancelled = [job]
    queue = [job.id]
    while queue and len(cancelled) < 1000:
        parent = queue.pop()
        for child in session.scalars(
            select(Job).join(JobDependency, JobDependency.job_id == Job.id).where(JobDependency.depends_on_id == parent)
        ):
            if child.status == "pending":
                cancelled.append(child)
                queue.append(child.id)
    for item in cancelled:
        item.status = "cancelled"
        item.updated_at = now
    session.flush()
    return cancelled


def job_dependencies(session: Session, job_id: str) -> list[dict[str, str]]:
    """The jobs this one waits for (earlier steps whose results it uses), with their status."""
    rows = session.execute(
        select(Job.id, Job.action, Job.status)
        .join(JobDependency, JobDependency.depends_on_id == Job.id)
        .where(JobDependency.job_id == job_id)
        .order_by(Job.created_at, Job.id)
    ).all()
    return [{"id": i, "action": a, "status": st} for i, a, st in rows]


def job_dict(
    job: Job, attempts: Sequence[JobAttempt] | None = None, *, waits_for: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """A JSON-ready description of a job (with its attempts and dependencies when given)."""
    out: dict[str, Any] = {
        "id": job.id,
        "tenant": job.tenant,
        "action": job.action,
        "status": job.status,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "next_attempt_at": _iso(job.next_attempt_at),
        "last_error": job.last_error,
        "rule": job.rule,
        "step": job.step,
        "key": job.key,
        "event_id": job.event_id,
        "created_at": _iso(job.created_at),
        "updated_at": _iso(job.updated_at),
    }
    if job.delivery_status is not None:
        out["delivery"] = {
            "status": job.delivery_status,
            "error": job.delivery_error,
            "message_id": job.external_id,
            "updated_at": _iso(job.delivery_updated_at),
        }
    if waits_for is not None:
        out["waits_for"] = waits_for
    if attempts is not None:
        out["params"] = job.params
        out["result"] = job.result
        out["lease_owner"] = job.lease_owner
        out["lease_expires_at"] = _iso(job.lease_expires_at)
        out["attempt_log"] = [
            {
                "number": a.number,
                "worker": a.worker,
                "started_at": _iso(a.started_at),
                "finished_at": _iso(a.finished_at),
                "outcome": a.outcome,
                "error_kind": a.error_kind,
                "message": a.message,
                "retry_after": a.retry_after,
            }
            for a in attempts
        ]
    return out


def _iso(value: datetime | None) -> str | None:
    stamp = aware(value)
    return stamp.isoformat() if stamp else None
