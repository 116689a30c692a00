"""Where stored inbound events go next: the :class:`InboundQueue` seam and its two implementations.

- :class:`EmbeddedQueue` — one machine: an in-process queue drained by a background thread that
  calls the processor ``processor(settings, event_id)``.
- :class:`CeleryQueue` — production: one ``sochen.process_inbound`` task message per id, sent by
  name (``send_task``) through the workflows Celery app, so the API never imports the graph.

Either way a message is a hint, never the truth: the row was committed first, a full or broken
queue leaves it ``pending``, and :class:`Sweeper` sends such rows again. Processors therefore claim
rows atomically (see :mod:`sochen.db.models_api`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from ..config import Settings
from .inbound import requeue_pending, write_scope

__all__ = ["CeleryQueue", "EmbeddedQueue", "InboundQueue", "NullQueue", "Processor", "Sweeper"]

log = logging.getLogger(__name__)

Processor = Callable[[Settings, str], object]
"""``processor(settings, event_id)``: handle one stored inbound event (the lead's
``sochen.agents.inbound.process_inbound``; by default :func:`~.inbound.mark_received`)."""

Observer = Callable[[str, str, float], None]
"""``observer(event_id, outcome, seconds)`` after each processor call; outcome 'ok' or 'error'."""


@runtime_checkable
class InboundQueue(Protocol):
    """Takes ids of committed inbound events; must not block the webhook for long, nor raise.

    A queue with a true ``after_response`` attribute is called after the webhook's answer is sent.
    """

    def enqueue(self, event_ids: Sequence[str]) -> None:
        """Hand these ids to whatever processes them."""


class NullQueue:
    """Stores only: nothing is processed (tests, benchmarks, a read-only replica)."""

    def __init__(self) -> None:
        self.enqueued: list[str] = []

    def enqueue(self, event_ids: Sequence[str]) -> None:
        """Remember the ids (bounded), nothing else."""
        if len(self.enqueued) < 100_000:
            self.enqueued.extend(event_ids)


class EmbeddedQueue:
    """An in-process queue and one daemon thread calling ``processor`` for each id."""

    def __init__(
        self,
        settings: Settings,
        processor: Processor,
        *,
        maxsize: int = 10_000,
        observer: Observer | None = None,
    ) -> None:
        self.settings = settings
        self.processor = processor
        self.observer = observer
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=maxsize)
        self._thread: threading.Thread | None = None
        self.processed = 0
        self.dropped = 0
        self._warned_at = -1e9

    def enqueue(self, event_ids: Sequence[str]) -> None:
        """Queue the ids; when full, leave them to the sweeper rather than block the webhook."""
        for event_id in event_ids:
            try:
                self._queue.put_nowait(event_id)
            except queue.Full:
                self.dropped += 1
                now = time.monotonic()
                if now - self._warned_at >= 10.0:  # once per 10 s, not once per event
                    self._warned_at = now
                    log.warning(
                        "inbound queue full (%d queued): %d event(s) so far left pending for the sweeper; "
                        "processing is slower than arrivals",
                        self._queue.qsize(),
                        self.dropped,
                    )

    def start(self) -> EmbeddedQueue:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sochen-inbound", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> bool:
        """Finish what is queued, then end; True when the thread has ended."""
        if self._thread is None:
            return True
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return False
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def join(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far was processed (tests); True when it was."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def _run(self) -> None:
        while True:
            event_id = self._queue.get()
            try:
                if event_id is None:
                    return
                self._process(event_id)
            finally:
                self._queue.task_done()

    def _process(self, event_id: str) -> None:
        started = time.perf_counter()
        outcome = "ok"
        try:
            self.processor(self.settings, event_id)
        except Exception:  # one bad event must not stop the others; its row says what happened
            outcome = "error"
            log.exception("processing inbound event %s failed", event_id)
        self.processed += 1
        if self.observer is not None:
            try:
                self.observer(event_id, outcome, time.perf_counter() - started)
            except Exception:  # metrics never break processing
                log.exception("inbound observer failed")


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


class Sweeper:
    """A daemon thread that re-queues inbound events left ``pending`` (lost messages, full queues)."""

    def __init__(self, database_url: str, target: InboundQueue, *, every_s: float, grace_s: float) -> None:
        self.database_url = database_url
        self.target = target
        self.every_s = every_s
        self.grace = timedelta(seconds=grace_s)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep_once(self) -> int:
        """Re-queue what is due now; how many ids were sent."""
        with write_scope(self.database_url) as session:
            ids = requeue_pending(session, now=datetime.now(UTC), grace=self.grace)
        if ids:
            self.target.enqueue(ids)
        return len(ids)

    def start(self) -> Sweeper:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sochen-inbound-sweeper", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.sweep_once()
            except Exception:  # the database may be briefly away; try again next round
                log.exception("inbound sweeper failed; retrying in %.0fs", self.every_s)
