"""The embedded worker: the same outbox and dispatcher, in-process, no broker."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sochen.db.session import session_scope
from sochen.workflows import Dispatcher, EmbeddedWorker, drain, emit, get_job

from ._support import SIMPLE_RULES, T0, ScriptedExecutor, lead_event, unreachable, wait_until, workflows
from .test_planning import CHAIN


def test_drain_runs_everything_due_including_unblocked_steps(db_url, clock):
    with session_scope(db_url) as s:
        for turn in range(3):
            emit(s, lead_event(turn=turn), workflows(CHAIN), now=T0)
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [{"module": "Leads", "id": str(i)} for i in range(3)]})
    result = drain(Dispatcher(db_url, executor, clock=clock), until_idle=True)
    assert result.ran == 6 and result.count("succeeded") == 6


def test_drain_is_bounded_and_does_not_wait_for_backoff(sqlite_url, clock):
    with session_scope(sqlite_url) as s:
        for turn in range(5):
            emit(s, lead_event(turn=turn), workflows(SIMPLE_RULES), now=T0)
    dispatcher = Dispatcher(sqlite_url, ScriptedExecutor({"zoho_crm.upsert_lead": [unreachable()]}), clock=clock)
    first = drain(dispatcher, max_jobs=2, batch=10)
    assert first.ran == 2
    rest = drain(dispatcher)
    assert rest.ran == 3 and rest.count("retry") == 0
    assert drain(dispatcher).ran == 0  # the one retry is in the future: an idle drain returns


def test_polling_drain_stops_after_max_polls_without_sleeping(sqlite_url, clock):
    waits: list[float] = []
    result = drain(
        Dispatcher(sqlite_url, ScriptedExecutor(), clock=clock),
        until_idle=False,
        poll_s=0.25,
        wait=waits.append,
        max_polls=3,
    )
    assert result.ran == 0 and waits == [0.25, 0.25, 0.25]


def test_embedded_worker_thread_runs_jobs_published_to_it(sqlite_url):
    done = threading.Event()
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [lambda *a: done.set() or {"id": "1"}]})
    worker = EmbeddedWorker(Dispatcher(sqlite_url, executor), poll_s=30.0)  # only a publish can wake it in time
    with worker:
        assert wait_until(lambda: worker._thread is not None and worker._thread.is_alive(), timeout=5)
        with session_scope(sqlite_url) as s:
            now = datetime.now(UTC)  # the worker runs on the real clock: the job is due now
            (job_id,) = emit(s, lead_event(), workflows(SIMPLE_RULES), now=now, publish=worker.publish).job_ids
        assert done.wait(timeout=20)
        with session_scope(sqlite_url) as s:
            assert wait_until(lambda: get_job(s, job_id).status == "succeeded", timeout=10)
    assert worker.stop(timeout=10)
