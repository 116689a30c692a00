"""Production background work: Celery on a Redis (or RabbitMQ) broker. Tasks are thin edges.

Run a worker (connector jobs and inbound webhook events) and the sweeper's beat::

    celery -A sochen.workflows.celery_app worker -Q sochen.jobs,sochen.inbound --concurrency 8
    celery -A sochen.workflows.celery_app beat

``run_job(job_id)`` claims and runs one job through the dispatcher (which holds all the logic);
``process_inbound(event_id)`` turns one stored webhook event into a conversation turn;
``dispatch_due()`` resends due jobs whose messages were lost (published before a crash, expired
leases, retries whose countdown message vanished). Messages are acknowledged late
(``acks_late``): a worker killed mid-task leaves its message to be redelivered, and the job's
lease in the database makes the rerun safe. Settings: :class:`~.settings.WorkerSettings`; the
database is ``SOCHEN_DATABASE_URL``. Publish jobs with :func:`celery_publisher` after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from celery import Celery
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ..config import get_settings
from ..db.models_outbox import JobDependency
from ..db.session import session_scope
from .dispatcher import Dispatcher, reclaim_orphans
from .executors import load_executor
from .outbox import Publisher, enqueue_due
from .settings import WorkerSettings

__all__ = [
    "DISPATCH_DUE",
    "PROCESS_INBOUND",
    "RUN_JOB",
    "app",
    "celery_publisher",
    "dispatch_due",
    "make_celery_app",
    "process_inbound",
    "reset_runtime",
    "run_job",
]

log = logging.getLogger(__name__)

RUN_JOB = "sochen.workflows.run_job"
PROCESS_INBOUND = "sochen.process_inbound"
"""Sent by the webhook service (``sochen.api``) to its own queue, ``sochen.inbound`` by default."""
DISPATCH_DUE = "sochen.workflows.dispatch_due"
PRIVACY_PURGE = "sochen.workflows.privacy_purge"
_DB_RETRIES = 10


def make_celery_app(settings: WorkerSettings | None = None) -> Celery:
    """A Celery app configured from ``settings`` (tasks are registered on the module's ``app``)."""
    s = settings or WorkerSettings()
    transport: dict[str, Any] = {"visibility_timeout": s.visibility_timeout_s}
    if s.broker_key_prefix:
        transport["global_keyprefix"] = s.broker_key_prefix
    celery = Celery("sochen", broker=s.broker_url, set_as_current=False)
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=s.job_queue,
        task_routes={"sochen.workflows.*": {"queue": s.job_queue}},
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
        enable_utc=True,
        beat_schedule={
            "sochen-dispatch-due": {"task": DISPATCH_DUE, "schedule": s.sweep_interval_s, "options": {"expires": 60}},
            # Retention: each tenant's expired personal data, in bounded batches (sochen.workflows.privacy_retention).
            "sochen-privacy-purge": {"task": PRIVACY_PURGE, "schedule": 3600.0, "options": {"expires": 1800}},
        },
    )
    return celery


app = make_celery_app()


@lru_cache(maxsize=1)
def _settings() -> WorkerSettings:
    return WorkerSettings()


@lru_cache(maxsize=1)
def _dispatcher() -> Dispatcher:
    # Built lazily, in the process that runs tasks (after a prefork worker forks).
    from .inbound import inbound_executor

    settings = _settings()
    sochen = get_settings()
    url = sochen.database_url
    executor = inbound_executor(
        sochen, load_executor(settings.job_executor, url), publish=celery_publisher(app, queue=settings.job_queue)
    )
    return Dispatcher(url, executor, lease=settings.lease, backoff=settings.backoff())


def reset_runtime() -> None:
    """Forget the cached settings and dispatcher (tests change the environment)."""
    _settings.cache_clear()
    _dispatcher.cache_clear()


def _run(task: Any, job_id: str) -> str:
    """Claim and run one job (a connector call or an inbound event); schedule its retry; wake its dependents."""
    settings = _settings()
    try:
        outcome = _dispatcher().run_job(job_id)
    except OperationalError as exc:  # the database is unreachable: the job row is safe, try later
        raise task.retry(exc=exc, countdown=min(60, 2 ** min(task.request.retries, 6))) from exc
    if outcome.status == "retry" and outcome.next_attempt_at is not None:
        try:
            task.app.send_task(RUN_JOB, args=[job_id], eta=outcome.next_attempt_at, queue=settings.job_queue)
        except Exception:  # the sweeper resends it once it is due
            log.exception("could not schedule the retry of job %s; the sweeper will", job_id)
    elif outcome.status == "succeeded":
        # Steps that waited for this one (a task that needs the lead's id) can run now.
        with session_scope(get_settings().database_url) as session:
            waiting = list(session.scalars(select(JobDependency.job_id).where(JobDependency.depends_on_id == job_id)))
        if waiting:
            celery_publisher(task.app, queue=settings.job_queue)(waiting)
    return outcome.status


@app.task(name=RUN_JOB, bind=True, max_retries=_DB_RETRIES)
def run_job(self: Any, job_id: str) -> str:
    """Claim and run one outbox job; a retry is sent back to the queue for its due time."""
    return _run(self, job_id)


@app.task(name=DISPATCH_DUE, bind=True)
def dispatch_due(self: Any) -> int:
    """The sweeper: send every due job nobody is working on (lost messages, expired leases, dead workers)."""
    settings = _settings()
    now = datetime.now(UTC)
    with session_scope(get_settings().database_url) as session:
        reclaim_orphans(session, now=now)
        ids = enqueue_due(session, now=now, grace=timedelta(seconds=settings.sweep_grace_s))
    celery_publisher(self.app, queue=settings.job_queue)(ids)
    return len(ids)


@app.task(name=PRIVACY_PURGE, bind=True)
def privacy_purge(self: Any) -> dict[str, dict[str, int]]:
    """Remove every tenant's expired personal data (the tenant YAML's ``privacy.retention``)."""
    from .privacy_retention import purge_all

    return purge_all(get_settings())


@app.task(name=PROCESS_INBOUND, bind=True, max_retries=_DB_RETRIES)
def process_inbound(self: Any, event_id: str) -> str:
    """One stored inbound event: its outbox job (same id) runs through the dispatcher like any job.

    Turns, retries, holds and dead letters are the dispatcher's (:mod:`sochen.workflows.inbound`);
    this task is the inbound queue's wake-up, so turns do not wait behind slow connector calls.
    """
    return _run(self, event_id)


def celery_publisher(celery: Celery | None = None, *, queue: str | None = None) -> Publisher:
    """A publisher sending one ``run_job`` message per job id (use after the outbox commit)."""
    target = celery or app
    name = queue or WorkerSettings().job_queue

    def publish(job_ids: Sequence[str]) -> None:
        for job_id in job_ids:
            target.send_task(RUN_JOB, args=[job_id], queue=name)

    return publish
