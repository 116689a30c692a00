"""Workflows: tenant rules turn the agent's domain events into connector jobs, run durably.

The agent graph calls :func:`emit` (or :func:`plan_jobs` + :func:`record_event_and_jobs`) inside the
transaction that saves the conversation turn; workers run the jobs with a :class:`Dispatcher`
(Celery tasks in :mod:`sochen.workflows.celery_app`, or the in-process :class:`EmbeddedWorker`).
The model never names a connector action: only rules do, and rules are configuration a person
reviewed. The dispatcher's contract (at least once, idempotent effects) is in
:mod:`sochen.workflows.dispatcher`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from ..config.sections.workflows import Rule, WorkflowsConfig
from .calendar import BusinessCalendar
from .dispatcher import BackoffPolicy, Claim, Dispatcher, Executor, Outcome
from .events import Event, event_key
from .executors import ConnectorFactory, connector_executor, load_executor, tenant_connector_factory
from .outbox import (
    JobNotFoundError,
    JobStateError,
    Publisher,
    RecordResult,
    cancel_job,
    enqueue_due,
    get_job,
    job_attempts,
    job_dependencies,
    job_dict,
    list_jobs,
    record_event_and_jobs,
    retry_job,
)
from .planning import PlannedJob, job_key, plan_jobs
from .rules import catalog_from_registry, validate_rules
from .templating import ParamTemplateError
from .worker import DrainResult, EmbeddedWorker, drain

__all__ = [
    "BackoffPolicy",
    "BusinessCalendar",
    "Claim",
    "ConnectorFactory",
    "Dispatcher",
    "DrainResult",
    "EmbeddedWorker",
    "Event",
    "Executor",
    "JobNotFoundError",
    "JobStateError",
    "Outcome",
    "ParamTemplateError",
    "PlannedJob",
    "Publisher",
    "RecordResult",
    "cancel_job",
    "catalog_from_registry",
    "connector_executor",
    "drain",
    "emit",
    "enqueue_due",
    "event_key",
    "get_job",
    "job_attempts",
    "job_dependencies",
    "job_dict",
    "job_key",
    "list_jobs",
    "load_executor",
    "plan_jobs",
    "record_event_and_jobs",
    "retry_job",
    "tenant_connector_factory",
    "validate_rules",
]


def emit(
    session: Session,
    event: Event,
    rules: WorkflowsConfig | Sequence[Rule],
    *,
    now: datetime,
    timezone: str = "Asia/Jerusalem",
    publish: Publisher | None = None,
    extra: Sequence[PlannedJob] = (),
) -> RecordResult:
    """Plan ``event``'s jobs from the tenant's rules and add both in the caller's transaction.

    ``extra`` are jobs Sochen itself plans for the event (the reply through the conversation's
    channel, :mod:`.channels`). Idempotent on the event key; ``publish`` gets the new job ids after
    the caller commits.
    """
    jobs = [*extra, *plan_jobs(event, rules, now, timezone=timezone)]
    return record_event_and_jobs(session, event, jobs, publish=publish)
