"""Where stored inbound events go next: the :class:`InboundQueue` seam and its implementations.

Every stored inbound event already has its outbox job (same id, :mod:`sochen.workflows.inbound`),
committed in the webhook's transaction; a queue only says "look now":

- :class:`EmbeddedQueue` — one machine: a worker thread that runs inbound jobs through the dispatcher
  (conversation turns), apart from the thread that runs connector jobs, so a slow CRM never delays a reply.
- :class:`CeleryQueue` — production: one ``sochen.process_inbound`` task message per id, sent by
  name (``send_task``) through the workflows Celery app, so the API never imports the graph.
- :class:`NullQueue` — stores only (benchmarks of the acknowledgement, a read-only replica).

Either way a message is a hint, never the truth: a lost or undelivered message leaves the job
pending, and the dispatcher's sweepers (the embedded worker's poll, Celery beat's ``dispatch_due``)
pick it up within seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import func, select

from ..config import Settings
from ..db.models_outbox import Job
from ..db.session import session_scope
from ..workflows.dispatcher import Dispatcher, Executor
from ..workflows.inbound import INBOUND_ACTION, inbound_executor
from ..workflows.worker import EmbeddedWorker

__all__ = ["CeleryQueue", "EmbeddedQueue", "InboundQueue", "NullQueue"]

log = logging.getLogger(__name__)

Observer = Callable[[str, str, float], None]
"""``observer(event_id, outcome, seconds)`` after each inbound job run; outcome 'ok' or 'error'."""


@runtime_checkable
class InboundQueue(Protocol):
    """Takes ids of committed inbound events; must not block the webhook for long, nor raise.

    A queue with a true ``after_response`` attribute is called after the webhook's answer is sent.
    """

    def enqueue(self, event_ids: Sequence[str]) -> None:
        """Hand these ids to whatever processes them."""


class NullQueue:
    """Stores only: nothing is processed here (tests, benchmarks, a read-only replica)."""

    def __init__(self) -> None:
        self.enqueued: list[str] = []

    def enqueue(self, event_ids: Sequence[str]) -> None:
        """Remember the ids (bounded), nothing else."""
        if len(self.enqueued) < 100_000:
            self.enqueued.extend(event_ids)


class EmbeddedQueue:
    """Inbound jobs run in this process by a dispatcher that serves only them (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        job_executor: Executor,
        *,
        publish_jobs: Callable[[Sequence[str]], None] | None = None,
        observer: Observer | None = None,
        poll_s: float = 1.0,
    ) -> None:
        self.settings = settings
        self.observer = observer
        self.backlog: Callable[[], int] | None = None
        """Work stored but not yet a job (the inbound journal's backlog): :meth:`busy` counts it."""
        executor = inbound_executor(settings, job_executor, publish=publish_jobs)
        self.dispatcher = Dispatcher(settings.database_url, self._observed(executor), actions=[INBOUND_ACTION])
        self.worker = EmbeddedWorker(self.dispatcher, poll_s=poll_s)

    def _observed(self, executor: Executor) -> Executor:
        def run(tenant: str, action: str, params: dict[str, Any], key: str) -> dict[str, Any]:
            started, outcome = time.perf_counter(), "error"
            try:
                result = executor(tenant, action, params, key)
                outcome = "ok"
                return result
            finally:
                if self.observer is not None:
                    try:
                        self.observer(str(params.get("event_id", "")), outcome, time.perf_counter() - started)
                    except Exception:  # metrics never break processing
                        log.exception("inbound observer failed")

        return run

    def enqueue(self, event_ids: Sequence[str]) -> None:
        """Wake the worker: the jobs are committed already."""
        self.worker.publish(event_ids)

    def start(self) -> EmbeddedQueue:
        """Start the worker thread (once)."""
        self.worker.start()
        return self

    def stop(self, timeout: float = 10.0) -> bool:
        """Let the current turn finish, then end the thread; True when it has ended."""
        return self.worker.stop(timeout)

    def join(self, timeout: float = 10.0) -> bool:
        """Wait until no inbound job is due or running (tests, the demo); True when none is."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.busy():
                return True
            if time.monotonic() >= deadline:
                return False
            self.worker.publish(())
            time.sleep(0.02)

    def busy(self) -> int:
        """Inbound jobs due now or running (and deliveries waiting in the inbound journal)."""
        waiting = self.backlog() if self.backlog is not None else 0
        now = datetime.now(UTC)
        with session_scope(self.settings.database_url) as session:
            return (
                int(
                    session.scalar(
                        select(func.count())
                        .select_from(Job)
                        .where(
                            Job.action == INBOUND_ACTION,
                            ((Job.status == "pending") & (Job.next_attempt_at <= now)) | (Job.status == "running"),
                        )
                    )
                    or 0
                )
                + waiting
            )


class CeleryQueue:
    """Sends ``task_name`` with the event id to ``queue_name`` through the workflows Celery app."""

    after_response = True
    """The webhook answers first (the rows are committed), then this queue talks to the broker."""

    def __init__(self, *, task_name: str, queue_name: str, celery: Any = None) -> None:
        self.task_name = task_name
        self.queue_name = queue_name
        self._celery = celery

    @property
    def celery(self) -> Any:
        """The Celery app (imported on first use: no broker connection at start-up)."""
        if self._celery is None:
            from ..workflows.celery_app import app

            self._celery = app
        return self._celery

    def enqueue(self, event_ids: Sequence[str]) -> None:
        """One message per id; a broker failure is logged (the sweeper resends the pending rows)."""
        for event_id in event_ids:
            try:
                self.celery.send_task(
                    self.task_name,
                    args=[event_id],
                    queue=self.queue_name,
                    retry=True,
                    retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1},
                )
            except Exception:
                log.exception("could not send inbound event %s to the broker; the sweeper will", event_id)
