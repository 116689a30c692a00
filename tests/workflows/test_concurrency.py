"""Two dispatchers on one PostgreSQL database never run the same job at the same time."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from sochen.db.models_outbox import Job, JobAttempt
from sochen.db.session import session_scope
from sochen.workflows import Dispatcher, drain, emit

from ._support import SIMPLE_RULES, lead_event, workflows

pytestmark = pytest.mark.integration

JOBS = 60


class OverlapDetector:
    """An executor that notices two runs of one job in flight at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []
        self.runs: Counter[str] = Counter()
        self.by_worker: Counter[str] = Counter()

    def __call__(self, tenant, action, params, key):
        with self.lock:
            if key in self.in_flight:
                self.overlaps.append(key)
            self.in_flight.add(key)
            self.runs[key] += 1
            self.by_worker[threading.current_thread().name] += 1
        time.sleep(0.002)  # widen the window in which a double claim would show
        with self.lock:
            self.in_flight.discard(key)
        return {"ok": True}


def _emit_many(url):
    now = datetime.now(UTC)
    with session_scope(url) as s:
        rules = workflows(SIMPLE_RULES)
        return [job for t in range(JOBS) for job in emit(s, lead_event(turn=t), rules, now=now).job_ids]


def _run_threads(targets):
    errors: list[BaseException] = []

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # surfaced below, never lost in a thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guard(fn), name=f"dispatcher-{i}") for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a dispatcher thread did not finish"
    assert errors == []


def test_two_dispatchers_draining_skip_locked(pg_url):
    ids = _emit_many(pg_url)
    detector = OverlapDetector()
    dispatchers = [Dispatcher(pg_url, detector, worker_id=f"w{i}") for i in range(2)]
    _run_threads([lambda d=d: drain(d, batch=3, max_jobs=JOBS) for d in dispatchers])
    assert detector.overlaps == []
    assert len(detector.runs) == len(ids) and set(detector.runs.values()) == {1}
    assert all(detector.by_worker[f"dispatcher-{i}"] > 0 for i in range(2)), detector.by_worker  # both worked
    with session_scope(pg_url) as s:
        assert s.scalar(select(func.count()).select_from(Job).where(Job.status == "succeeded")) == len(ids)
        assert s.scalar(select(func.count()).select_from(JobAttempt)) == len(ids)


def test_two_dispatchers_racing_for_the_same_ids(pg_url):
    ids = _emit_many(pg_url)
    detector = OverlapDetector()
    dispatchers = [Dispatcher(pg_url, detector, worker_id=f"w{i}") for i in range(2)]
    outcomes: list[list[str]] = [[], []]

    def racer(i):
        def run():
            for job_id in ids:  # both try every job, as two Celery workers given duplicate messages would
                outcomes[i].append(dispatchers[i].run_job(job_id).status)

        return run

    _run_threads([racer(0), racer(1)])
    assert detector.overlaps == []
    assert set(detector.runs.values()) == {1} and len(detector.runs) == len(ids)
    statuses = Counter(outcomes[0] + outcomes[1])
    assert statuses == {"succeeded": len(ids), "skipped": len(ids)}
