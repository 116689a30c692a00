"""The dispatcher: claims under a lease, retries with backoff, dead letters, records every attempt."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from sochen.db.models_outbox import Job, JobAttempt
from sochen.db.session import session_scope
from sochen.workflows import BackoffPolicy, Dispatcher, emit, get_job, job_attempts, retry_job

from ._support import SIMPLE_RULES, T0, ScriptedExecutor, lead_event, permanent, rate_limited, unreachable, workflows
from .test_planning import CHAIN


def _emit(url, rules=SIMPLE_RULES, turn=1, **config):
    with session_scope(url) as s:
        return emit(s, lead_event(turn=turn), workflows(rules, **config), now=T0).job_ids


def _dispatcher(url, executor, clock, **kw):
    kw.setdefault("rng", random.Random(7))
    kw.setdefault("backoff", BackoffPolicy(base_s=2, cap_s=60, max_retry_after_s=600))
    return Dispatcher(url, executor, worker_id=kw.pop("worker_id", "w1"), clock=clock, **kw)


def _job(url, job_id):
    with session_scope(url) as s:
        job = get_job(s, job_id)
        return job, job_attempts(s, job_id)


def test_success_records_result_and_attempt(db_url, clock):
    (job_id,) = _emit(db_url)
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [{"module": "Leads", "id": "42"}]})
    outcome = _dispatcher(db_url, executor, clock).run_job(job_id)
    assert outcome.status == "succeeded" and outcome.attempt == 1
    tenant, action, params, key = executor.calls[0]
    assert (tenant, action, params) == (
        "clinic",
        "zoho_crm.upsert_lead",
        {"last_name": "דנה כהן", "phone": "+972501234567"},
    )
    job, attempts = _job(db_url, job_id)
    assert key == job.key  # the connector gets the idempotency key
    assert (job.status, job.attempts, job.result, job.lease_owner) == (
        "succeeded",
        1,
        {"module": "Leads", "id": "42"},
        None,
    )
    assert [(a.number, a.outcome, a.worker) for a in attempts] == [(1, "succeeded", "w1")]
    assert _dispatcher(db_url, executor, clock).run_job(job_id).status == "skipped"  # never twice to completion
    assert len(executor.calls) == 1


def test_retryable_failure_backs_off_then_succeeds(db_url, clock):
    (job_id,) = _emit(db_url)
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [unreachable(), unreachable(), {"id": "1"}]})
    dispatcher = _dispatcher(db_url, executor, clock)
    first = dispatcher.run_job(job_id)
    assert first.status == "retry"
    delay1 = (first.next_attempt_at - clock.now).total_seconds()
    assert 0 <= delay1 <= 2  # full jitter: uniform(0, base)
    assert dispatcher.run_due() == []  # not due yet: nothing runs early
    clock.advance(delay1 + 0.001)
    (second,) = dispatcher.run_due()
    assert second.status == "retry"
    delay2 = (second.next_attempt_at - clock.now).total_seconds()
    assert 0 <= delay2 <= 4
    clock.advance(delay2 + 0.001)
    (third,) = dispatcher.run_due()
    assert third.status == "succeeded"
    job, attempts = _job(db_url, job_id)
    assert job.status == "succeeded" and job.attempts == 3 and job.last_error is None
    assert [(a.outcome, a.error_kind) for a in attempts] == [
        ("retry", "unreachable"),
        ("retry", "unreachable"),
        ("succeeded", None),
    ]


def test_backoff_policy_is_capped_full_jitter_and_honours_retry_after():
    policy = BackoffPolicy(base_s=2, cap_s=60, max_retry_after_s=600)
    rng = random.Random(1)
    for attempt in range(1, 30):
        samples = [policy.delay(attempt, None, rng) for _ in range(50)]
        assert all(0 <= d <= min(60, 2 * 2 ** (attempt - 1)) for d in samples)
    assert max(policy.delay(20, None, rng) for _ in range(200)) > 30  # the cap, not the exponent, bounds it
    assert policy.delay(1, 120, rng) >= 120
    assert policy.delay(1, 10_000, rng) == 600


def test_retry_after_is_honoured(db_url, clock):
    (job_id,) = _emit(db_url)
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [rate_limited(45), {"id": "1"}]})
    dispatcher = _dispatcher(db_url, executor, clock)
    outcome = dispatcher.run_job(job_id)
    assert outcome.next_attempt_at == clock.now + timedelta(seconds=45)
    clock.advance(44)
    assert dispatcher.run_due() == []
    clock.advance(1)
    assert [o.status for o in dispatcher.run_due()] == ["succeeded"]
    _, attempts = _job(db_url, job_id)
    assert (attempts[0].error_kind, attempts[0].retry_after) == ("rate_limited", 45)


def test_permanent_failure_goes_dead_at_once(db_url, clock):
    (job_id,) = _emit(db_url)
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [permanent()]})
    assert _dispatcher(db_url, executor, clock).run_job(job_id).status == "dead"
    job, attempts = _job(db_url, job_id)
    assert job.status == "dead" and "MANDATORY_NOT_FOUND" in job.last_error
    assert [(a.outcome, a.error_kind) for a in attempts] == [("dead", "invalid_request")]


def test_exhausted_retries_go_dead_with_every_attempt_recorded(db_url, clock):
    (job_id,) = _emit(db_url, max_attempts=3)
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [unreachable()] * 5})
    dispatcher = _dispatcher(db_url, executor, clock)
    statuses = []
    for _ in range(10):  # bounded
        outcomes = dispatcher.run_due()
        statuses += [o.status for o in outcomes]
        if statuses and statuses[-1] == "dead":
            break
        clock.advance(3600)
    assert statuses == ["retry", "retry", "dead"]
    job, attempts = _job(db_url, job_id)
    assert job.status == "dead" and "gave up after 3 attempts" in job.last_error
    assert [a.outcome for a in attempts] == ["retry", "retry", "dead"]


def test_unexpected_exceptions_are_retried_and_bad_params_are_not(sqlite_url, clock):
    a, b = _emit(sqlite_url, turn=1)[0], _emit(sqlite_url, turn=2)[0]
    from pydantic import BaseModel

    class P(BaseModel):
        n: int

    def bad_params():
        P.model_validate({"n": "x"})

    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [KeyError("boom"), lambda *args: bad_params()]})
    dispatcher = _dispatcher(sqlite_url, executor, clock)
    assert dispatcher.run_job(a).status == "retry"
    assert dispatcher.run_job(b).status == "dead"
    assert _job(sqlite_url, a)[1][0].error_kind == "internal"
    assert _job(sqlite_url, b)[1][0].error_kind == "invalid_request"


def test_expired_lease_is_reclaimed_and_the_late_finisher_is_superseded(db_url, clock):
    (job_id,) = _emit(db_url)
    lease = timedelta(seconds=30)
    executor = ScriptedExecutor()
    crashed = _dispatcher(db_url, executor, clock, worker_id="dead-worker", lease=lease)
    claim = crashed.claim(job_id)
    assert claim is not None and claim.attempt == 1
    other = _dispatcher(db_url, executor, clock, worker_id="w2", lease=lease)
    assert other.run_due() == []  # leased: nobody else may run it
    clock.advance(31)
    (outcome,) = other.run_due()
    assert outcome.status == "succeeded" and outcome.attempt == 2
    late = crashed.execute(claim)  # the first worker comes back from the dead
    assert late.status == "superseded"
    job, attempts = _job(db_url, job_id)
    assert job.status == "succeeded" and job.attempts == 2
    assert [(a.number, a.worker, a.outcome) for a in attempts] == [
        (1, "dead-worker", "superseded"),
        (2, "w2", "succeeded"),
    ]
    assert [c[3] for c in executor.calls] == [job.key, job.key]  # same key both times: idempotent effects


def test_lost_attempt_is_recorded_when_the_worker_never_comes_back(sqlite_url, clock):
    (job_id,) = _emit(sqlite_url)
    _dispatcher(sqlite_url, ScriptedExecutor(), clock, worker_id="gone", lease=timedelta(seconds=5)).claim(job_id)
    clock.advance(6)
    _dispatcher(sqlite_url, ScriptedExecutor(), clock).run_due()
    _, attempts = _job(sqlite_url, job_id)
    assert [a.outcome for a in attempts] == ["lost", "succeeded"]
    assert "lease expired" in attempts[0].message


def test_a_step_runs_after_the_step_it_uses_and_gets_its_result(db_url, clock):
    lead_id, task_id = _emit(db_url, CHAIN, holidays=["2026-11-29"])
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [unreachable(), {"module": "Leads", "id": "L-7"}]})
    dispatcher = _dispatcher(db_url, executor, clock)
    assert [o.job_id for o in dispatcher.run_due()] == [lead_id]  # the task waits
    assert dispatcher.run_due() == []
    clock.advance(10)
    outcomes = dispatcher.run_due()  # the lead succeeds, which unblocks the task in the same run
    assert [(o.job_id, o.status) for o in outcomes] == [(lead_id, "succeeded"), (task_id, "succeeded")]
    _, action, params, _ = executor.calls[-1]
    assert action == "zoho_crm.create_task"
    assert params["related"] == {"module": "Leads", "id": "L-7"}
    assert params["due_date"] == "2026-11-30"


def test_retry_puts_a_dead_job_back_with_its_attempts(db_url, clock):
    (job_id,) = _emit(db_url)
    executor = ScriptedExecutor({"zoho_crm.upsert_lead": [permanent(), {"id": "9"}]})
    dispatcher = _dispatcher(db_url, executor, clock)
    dispatcher.run_job(job_id)
    clock.advance(60)
    with session_scope(db_url) as s:
        job = retry_job(s, job_id[:8], now=clock.now, extra_attempts=2)
        assert (job.status, job.attempts, job.max_attempts) == ("pending", 1, 3)
    assert [o.status for o in dispatcher.run_due()] == ["succeeded"]
    job, attempts = _job(db_url, job_id)
    assert job.status == "succeeded" and [a.outcome for a in attempts] == ["dead", "succeeded"]


def test_claim_due_takes_oldest_first_and_respects_the_limit(sqlite_url, clock):
    ids = [_emit(sqlite_url, turn=t)[0] for t in range(5)]
    dispatcher = _dispatcher(sqlite_url, ScriptedExecutor(), clock)
    claims = dispatcher.claim_due(limit=3)
    assert len(claims) == 3 and set(c.job_id for c in claims) <= set(ids)
    with session_scope(sqlite_url) as s:
        running = s.scalars(select(Job.id).where(Job.status == "running")).all()
        assert sorted(running) == sorted(c.job_id for c in claims)
        assert s.scalar(select(JobAttempt.outcome).limit(1)) == "running"


def test_clock_must_be_aware(sqlite_url):
    from datetime import datetime

    dispatcher = Dispatcher(sqlite_url, ScriptedExecutor(), clock=lambda: datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        dispatcher.run_due()


def test_a_job_that_loses_every_worker_is_parked_not_claimed_forever(db_url, clock):
    (job_id,) = _emit(db_url, max_attempts=2)
    lease = timedelta(seconds=10)
    for name in ("crash-1", "crash-2"):
        assert _dispatcher(db_url, ScriptedExecutor(), clock, worker_id=name, lease=lease).claim_due()
        clock.advance(11)  # the worker died holding it
    survivor = _dispatcher(db_url, ScriptedExecutor(), clock, worker_id="w3", lease=lease)
    assert survivor.run_due() == []
    assert survivor.run_job(job_id).status == "skipped"
    job, attempts = _job(db_url, job_id)
    assert job.status == "dead" and "every allowed attempt was lost" in job.last_error
    assert [(a.worker, a.outcome) for a in attempts] == [("crash-1", "lost"), ("crash-2", "lost")]
