"""The embedded worker: the same outbox and dispatcher as production, in-process, no broker.

``sochen demo`` and a single-machine ``sochen serve`` use :class:`EmbeddedWorker` (a background
thread) or call :func:`drain` directly (tests, scripts). Publishing to it is a wake-up: pass
``worker.publish`` to :func:`record_event_and_jobs` and new jobs start without waiting for a poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .dispatcher import Dispatcher, Outcome

__all__ = ["DrainResult", "EmbeddedWorker", "drain"]

log = logging.getLogger(__name__)


@dataclass
class DrainResult:
    """What one drain did."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def ran(self) -> int:
        """Jobs run (any outcome)."""
        return len(self.outcomes)

    def count(self, status: str) -> int:
        """Runs that ended with ``status`` (succeeded, retry, dead, superseded)."""
        return sum(1 for o in self.outcomes if o.status == status)


def drain(
    dispatcher: Dispatcher,
    *,
    max_jobs: int = 1000,
    until_idle: bool = True,
    batch: int = 10,
    poll_s: float = 0.5,
    stop: threading.Event | None = None,
    wait: Callable[[float], object] | None = None,
    max_polls: int = 1_000_000,
) -> DrainResult:
    """Run due jobs until none is due (``until_idle``) or ``max_jobs`` have run.

    Without ``until_idle`` an idle drain waits ``poll_s`` (through ``wait``, default: ``stop.wait``)
    and looks again, until ``max_jobs``, ``stop`` is set or ``max_polls`` idle polls. Jobs waiting
    for a retry time in the future are not waited for by an ``until_idle`` drain.
    """
    result = DrainResult()
    stop = stop or threading.Event()
    pause = wait or stop.wait
    polls = 0
    while result.ran < max_jobs and not stop.is_set():
        outcomes = dispatcher.run_due(min(batch, max_jobs - result.ran))
        result.outcomes.extend(outcomes)
        if outcomes:
            continue
        if until_idle or polls >= max_polls:
            break
        polls += 1
        pause(poll_s)
    return result


class EmbeddedWorker:
    """A daemon thread draining the outbox; ``publish`` wakes it, ``stop`` ends it."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        poll_s: float = 1.0,
        batch: int = 10,
        maintenance: Callable[[], object] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.maintenance = maintenance
        """Called once per idle round (the retention purge: it rate-limits itself)."""
        self.poll_s = poll_s
        self.batch = batch
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.ran = 0

    def publish(self, job_ids: Sequence[str]) -> None:
        """A :data:`~.outbox.Publisher`: new jobs are committed, look now."""
        self._wake.set()

    def start(self) -> EmbeddedWorker:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sochen-embedded-worker", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the thread to finish its current job and end; True when it has."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = drain(self.dispatcher, max_jobs=self.batch * 10, batch=self.batch, stop=self._stop)
                self.ran += done.ran
                busy = done.ran > 0
            except Exception:  # the database may be briefly unavailable; the rows keep the work safe
                log.exception("embedded worker: drain failed; trying again in %.1fs", self.poll_s)
                busy = False
            if not busy and self.maintenance is not None:
                try:
                    self.maintenance()
                except Exception:  # maintenance never stops the worker
                    log.exception("embedded worker: maintenance failed")
            if not busy:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def __enter__(self) -> EmbeddedWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
