"""The dispatcher: claims due jobs under a lease, runs them, records every attempt. The source of truth.

Contract: **at least once, with idempotent effects.**

- A job is run by whoever *claims* it: one atomic ``UPDATE ... WHERE`` that moves it from pending
  (and due, and every job it waits for succeeded) to running, with a lease owner and expiry, and
  counts the attempt. On PostgreSQL candidates are picked with ``SELECT ... FOR UPDATE SKIP LOCKED``
  so concurrent dispatchers never wait on, or take, each other's rows; on SQLite the conditional
  ``UPDATE`` alone decides (its row count says who won). Two dispatchers never run one job at once.
- The outcome is written only by the claim's owner (a *fenced* update on the lease token): success →
  ``succeeded``; a retryable failure (``ConnectorError.retryable``: unreachable, rate-limited, or an
  unexpected exception) → ``pending`` again after exponential backoff with full jitter, never sooner
  than the service's ``retry_after``, capped; a permanent failure, or the last allowed attempt →
  ``dead``, for a person (``sochen jobs retry``). Every attempt is a row with its outcome.
- A worker that dies mid-job leaves its lease to expire; the job is then claimed again (the lost
  attempt is recorded as ``lost``). The connector may therefore see a call **twice** when the first
  one got as far as the service but not back to the database. That is why the job's idempotency
  key is passed to the executor: connectors make repeats harmless (upserts keyed on phone/email,
  the key sent as n8n's ``idempotency_key``, ...). Actions that are not idempotent
  (``ActionSpec.idempotent`` is false) may, in that rare crash window, happen twice.
- A worker that finishes after its lease expired and another took over is ``superseded``: its
  result is recorded on its attempt, not on the job. A job whose every allowed attempt was lost
  (it kills or hangs its workers) is parked as ``dead`` instead of being claimed forever.
- The lease must outlast the slowest action (connector calls are bounded by their ``timeout_s``);
  :meth:`Dispatcher.run_due` therefore claims each job just before running it.
- Jobs planned by one rule that use an earlier step's result (``steps.<id>``) are claimable only
  once that step has succeeded; their remaining parameters are rendered just before they run.
- An executor that cannot run a job *yet* for a reason outside it (its tenant has no live version)
  raises :class:`JobHeld`: the job is ``held`` (the attempt costs none of its allowance) until something releases
  it (:func:`sochen.workflows.inbound.release_held` on promotion, or a person's retry).
- A dispatcher may serve only some actions (``actions``/``exclude_actions``): the embedded mode runs
  conversation turns and connector calls on separate threads so a slow CRM never delays a reply.
- A result carrying the id the service gave (``message_id``) is kept as the job's ``external_id``, so
  later delivery reports find the job that sent the message.
- A lease whose owner is a process on this host that no longer exists is expired at once
  (:func:`reclaim_orphans`): after a crash and restart, claimed work resumes in seconds, not after the
  lease.

Time, randomness and the executor are parameters, so tests control all three.
"""

from __future__ import annotations

import json
import os
import random
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, and_, select, true, update
from sqlalchemy.orm import Session

from ..connectors.errors import ConnectorError
from ..db.models import new_id
from ..db.models_outbox import DomainEvent, Job, JobAttempt, JobDependency
from ..db.session import session_scope
from .calendar import BusinessCalendar
from .events import Event
from .outbox import LOST_MESSAGE, aware, claimable, reap_lost
from .templating import ParamTemplateError, build_context, render_value, set_path

__all__ = [
    "BackoffPolicy",
    "Claim",
    "Dispatcher",
    "Executor",
    "JobHeld",
    "Outcome",
    "default_worker_id",
    "reclaim_orphans",
]


class JobHeld(Exception):
    """Raised by an executor: the job cannot run until something outside it changes (see the module docstring)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


Executor = Callable[[str, str, dict[str, Any], str], dict[str, Any]]
"""``(tenant, 'connector.action', params, idempotency_key) -> result`` (JSON-ready); raises
:class:`ConnectorError` on failure. See :func:`sochen.workflows.connector_executor`."""


def default_worker_id() -> str:
    """host:pid, the name attempts are recorded under."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BackoffPolicy:
    """Exponential backoff with full jitter, honouring the service's ``retry_after``.

    Attempt n waits uniform(0, min(cap, base·2^(n-1))) seconds, but never less than ``retry_after``
    (itself capped at ``max_retry_after_s``).
    """

    base_s: float = 2.0
    cap_s: float = 300.0
    max_retry_after_s: float = 3600.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.cap_s, self.base_s * 2 ** min(max(attempt - 1, 0), 30))
        wait = rng.uniform(0.0, ceiling)
        if retry_after is not None and retry_after > 0:
            wait = max(wait, min(retry_after, self.max_retry_after_s))
        return wait


@dataclass(frozen=True)
class Claim:
    """A job this dispatcher holds the lease on, with everything needed to run it."""

    job_id: str
    tenant: str
    action: str
    params: dict[str, Any]
    key: str
    attempt: int
    max_attempts: int
    token: str
    deferred: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, Any] = field(default_factory=dict)
    event: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """How one run of a job ended: succeeded, retry, dead, superseded, or skipped (not claimable)."""

    job_id: str
    status: str
    attempt: int = 0
    next_attempt_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Failure:
    kind: str
    message: str
    retryable: bool
    retry_after: float | None = None


class Dispatcher:
    """Claims and runs outbox jobs of the database at ``database_url`` through ``executor``."""

    def __init__(
        self,
        database_url: str,
        executor: Executor,
        *,
        worker_id: str | None = None,
        lease: timedelta = timedelta(minutes=5),
        backoff: BackoffPolicy | None = None,
        clock: Callable[[], datetime] = _utcnow,
        rng: random.Random | None = None,
        actions: Sequence[str] | None = None,
        exclude_actions: Sequence[str] = (),
    ) -> None:
        self.database_url = database_url
        self.executor = executor
        self.actions = tuple(actions) if actions is not None else None
        self.exclude_actions = tuple(exclude_actions)
        self.worker_id = (worker_id or default_worker_id())[:80]
        self.lease = lease
        self.backoff = backoff or BackoffPolicy()
        self.clock = clock
        self.rng = rng or random.Random()

    # -- claiming -------------------------------------------------------------------------------

    def claim(self, job_id: str) -> Claim | None:
        """Claim one job if it is claimable now; None when it is not (done, not due, taken)."""
        with session_scope(self.database_url) as session:
            return self._claim_one(session, job_id, self._now())

    def claim_due(self, limit: int = 10) -> list[Claim]:
        """Claim up to ``limit`` due jobs, oldest first, skipping rows other dispatchers hold.

        Every lease starts now: claim only as many as will start running well within the lease.
        """
        now = self._now()
        self.reap(now)
        return self._claim_batch(limit, now)

    def reap(self, now: datetime | None = None) -> list[str]:
        """Expire leases of dead local workers, then park jobs whose last attempt was lost.

        See :func:`reclaim_orphans` and :func:`reap_lost`.
        """
        now = now or self._now()
        with session_scope(self.database_url) as session:
            reclaim_orphans(session, now=now)
            return reap_lost(session, now=now)

    def _served(self) -> ColumnElement[bool]:
        clauses = [Job.action.in_(self.actions)] if self.actions is not None else []
        if self.exclude_actions:
            clauses.append(Job.action.not_in(self.exclude_actions))
        return and_(true(), *clauses)

    def _claim_batch(self, limit: int, now: datetime) -> list[Claim]:
        with session_scope(self.database_url) as session:
            ids = session.scalars(
                select(Job.id)
                .where(claimable(now), self._served())
                .order_by(Job.next_attempt_at, Job.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=Job)
            ).all()
            claims = [self._claim_one(session, job_id, now) for job_id in ids]
        return [c for c in claims if c is not None]

    def _claim_one(self, session: Session, job_id: str, now: datetime) -> Claim | None:
        token = f"{self.worker_id}:{new_id()[:12]}"
        won = session.execute(
            update(Job)
            .where(Job.id == job_id, claimable(now))
            .values(
                status="running",
                lease_owner=token,
                lease_expires_at=now + self.lease,
                attempts=Job.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(won, "rowcount", 0) != 1:
            return None
        job = session.execute(
            select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
        ).scalar_one()
        session.execute(
            update(JobAttempt)
            .where(JobAttempt.job_id == job_id, JobAttempt.outcome == "running")
            .values(
                outcome="lost",
                finished_at=now,
                message=LOST_MESSAGE,
            )
            .execution_options(synchronize_session=False)
        )
        session.add(JobAttempt(job_id=job_id, number=job.attempts, worker=self.worker_id, started_at=now))
        steps: dict[str, Any] = {}
        view: dict[str, Any] = {}
        if job.deferred:
            steps, view = self._inputs(session, job)
        return Claim(
            job_id=job.id,
            tenant=job.tenant,
            action=job.action,
            params=dict(job.params or {}),
            key=job.key,
            attempt=job.attempts,
            max_attempts=job.max_attempts,
            token=token,
            deferred=dict(job.deferred),
            steps=steps,
            event=view,
        )

    @staticmethod
    def _inputs(session: Session, job: Job) -> tuple[dict[str, Any], dict[str, Any]]:
        rows = session.execute(
            select(Job.step, Job.result)
            .join(JobDependency, JobDependency.depends_on_id == Job.id)
            .where(JobDependency.job_id == job.id)
        ).all()
        steps = {step: result for step, result in rows if step}
        view: dict[str, Any] = {}
        row = session.get(DomainEvent, job.event_id) if job.event_id else None
        if row is not None:
            view = Event(
                type=row.type,
                tenant=row.tenant,
                conversation_id=row.conversation_id,
                payload=row.payload,
                key=row.key,
                occurred_at=aware(row.occurred_at) or _utcnow(),
            ).view()
        return steps, view

    # -- running --------------------------------------------------------------------------------

    def run_job(self, job_id: str) -> Outcome:
        """Claim and run one job (what a Celery task does); ``skipped`` when it is not claimable."""
        claim = self.claim(job_id)
        if claim is None:
            return Outcome(job_id=job_id, status="skipped")
        return self.execute(claim)

    def run_due(self, limit: int = 10) -> list[Outcome]:
        """Run up to ``limit`` due jobs, claiming each just before it runs (so no lease waits)."""
        self.reap()
        outcomes: list[Outcome] = []
        for _ in range(limit):
            claims = self._claim_batch(1, self._now())
            if not claims:
                break
            outcomes.append(self.execute(claims[0]))
        return outcomes

    def execute(self, claim: Claim) -> Outcome:
        """Run a claimed job through the executor and record how it went."""
        try:
            params = self._final_params(claim)
        except ParamTemplateError as exc:
            return self._finish(claim, None, _Failure("template", str(exc), retryable=False))
        try:
            result = self.executor(claim.tenant, claim.action, params, claim.key)
        except JobHeld as exc:
            return self._hold(claim, exc)
        except ConnectorError as exc:
            failure = _Failure(exc.kind.value, str(exc), exc.retryable, exc.retry_after)
        except ValidationError as exc:  # parameters the action does not accept: retrying will not help
            failure = _Failure("invalid_request", f"invalid parameters: {exc}", retryable=False)
        except Exception as exc:  # a bug or an outage we did not classify: retry, bounded by max_attempts
            failure = _Failure("internal", f"{type(exc).__name__}: {exc}", retryable=True)
        else:
            return self._finish(claim, _jsonable(result), None)
        return self._finish(claim, None, failure)

    def _final_params(self, claim: Claim) -> dict[str, Any]:
        if not claim.deferred.get("templates"):
            return claim.params
        deferred = claim.deferred
        calendar = BusinessCalendar(datetime.fromisoformat(d).date() for d in deferred.get("holidays", []))
        context = build_context(
            claim.event,
            now=datetime.fromisoformat(deferred["now"]),
            calendar=calendar,
            timezone=deferred.get("timezone", "Asia/Jerusalem"),
            steps=claim.steps,
        )
        params = json.loads(json.dumps(claim.params))
        for parts, source in deferred["templates"]:
            where = ".".join(str(p) for p in parts)
            set_path(params, parts, render_value(source, context, path=where))
        return dict(params)

    def _finish(self, claim: Claim, result: dict[str, Any] | None, failure: _Failure | None) -> Outcome:
        now = self._now()
        values: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None, "updated_at": now}
        next_at: datetime | None = None
        if failure is None:
            status = "succeeded"
            values.update(status="succeeded", result=result, last_error=None)
            external = (result or {}).get("message_id")
            if isinstance(external, str) and external:
                values.update(external_id=external[:200], delivery_status="accepted", delivery_updated_at=now)
        elif failure.retryable and claim.attempt < claim.max_attempts:
            status = "retry"
            next_at = now + timedelta(seconds=self.backoff.delay(claim.attempt, failure.retry_after, self.rng))
            values.update(status="pending", next_attempt_at=next_at, last_error=failure.message, enqueued_at=None)
        else:
            status = "dead"
            message = failure.message
            if failure.retryable:
                message = f"{message} (gave up after {claim.attempt} attempts)"
            values.update(status="dead", last_error=message)
        with session_scope(self.database_url) as session:
            done = session.execute(
                update(Job)
                .where(Job.id == claim.job_id, Job.lease_owner == claim.token, Job.status == "running")
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if getattr(done, "rowcount", 0) != 1:
                status, next_at = "superseded", None
            attempt = {
                "outcome": status,
                "finished_at": now,
                "error_kind": failure.kind if failure else None,
                "message": _attempt_message(status, failure),
                "retry_after": failure.retry_after if failure else None,
            }
            session.execute(
                update(JobAttempt)
                .where(JobAttempt.job_id == claim.job_id, JobAttempt.number == claim.attempt)
                .values(**attempt)
                .execution_options(synchronize_session=False)
            )
        return Outcome(
            job_id=claim.job_id,
            status=status,
            attempt=claim.attempt,
            next_attempt_at=next_at,
            error=failure.message if failure else None,
        )

    def _hold(self, claim: Claim, held: JobHeld) -> Outcome:
        now = self._now()
        with session_scope(self.database_url) as session:
            done = session.execute(
                update(Job)
                .where(Job.id == claim.job_id, Job.lease_owner == claim.token, Job.status == "running")
                .values(
                    status="held",
                    max_attempts=Job.max_attempts + 1,  # waiting is not a failed try: it costs no attempt
                    lease_owner=None,
                    lease_expires_at=None,
                    last_error=f"{held.reason}: {held}"[:1000],
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            status = "held" if getattr(done, "rowcount", 0) == 1 else "superseded"
            session.execute(
                update(JobAttempt)
                .where(JobAttempt.job_id == claim.job_id, JobAttempt.number == claim.attempt)
                .values(outcome=status, finished_at=now, error_kind=held.reason, message=str(held)[:1000])
                .execution_options(synchronize_session=False)
            )
        return Outcome(job_id=claim.job_id, status=status, attempt=claim.attempt, error=str(held))

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the dispatcher's clock must return timezone-aware datetimes")
        return now.astimezone(UTC)


def reclaim_orphans(session: Session, *, now: datetime, host: str | None = None) -> list[str]:
    """Expire the leases of running jobs whose owner was a process on this host that no longer exists.

    Lease owners are ``host:pid:token``; a pid that is gone cannot finish its job, so waiting for its
    lease (minutes) would only delay the work. Jobs owned by other hosts keep their leases.
    """
    host = (host or socket.gethostname())[:60]
    rows = session.execute(
        select(Job.id, Job.lease_owner).where(Job.status == "running", Job.lease_owner.like(f"{host}:%"))
    ).all()
    orphans = [job_id for job_id, owner in rows if not _alive(owner)]
    if orphans:
        session.execute(
            update(Job)
            .where(Job.id.in_(orphans), Job.status == "running")
            .values(lease_expires_at=now - timedelta(seconds=1))
            .execution_options(synchronize_session=False)
        )
    return orphans


def _alive(owner: str | None) -> bool:
    parts = (owner or "").split(":")
    if len(parts) < 2 or not parts[1].isdigit():
        return True  # not ours to judge
    pid = int(parts[1])
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _attempt_message(status: str, failure: _Failure | None) -> str | None:
    if status == "superseded":
        detail = f": {failure.message}" if failure else " (it had succeeded)"
        return f"finished after its lease expired and another worker took the job over{detail}"
    return failure.message if failure else None


def _jsonable(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if not isinstance(result, Mapping):
        result = {"value": result}
    return dict(json.loads(json.dumps(result, default=str)))
