"""The outbox: events and jobs in the caller's transaction, once per event key, published after commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sochen.db.models_outbox import DomainEvent, Job, JobDependency
from sochen.db.session import session_scope
from sochen.workflows import emit, enqueue_due, plan_jobs, record_event_and_jobs

from ._support import SIMPLE_RULES, T0, lead_event, workflows
from .test_planning import CHAIN


def _count(url, model):
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_duplicate_event_adds_nothing(db_url):
    rules = workflows(CHAIN)
    with session_scope(db_url) as s:
        first = emit(s, lead_event(), rules, now=T0)
    assert not first.duplicate and len(first.job_ids) == 2
    with session_scope(db_url) as s:
        second = emit(s, lead_event(), rules, now=T0 + timedelta(minutes=5))
        # the caller's own work in the same transaction is unaffected by the duplicate
        s.add(DomainEvent(key="other", tenant="clinic", type="reply", payload={}))
    assert second.duplicate and second.job_ids == []
    assert _count(db_url, DomainEvent) == 2
    assert _count(db_url, Job) == 2
    assert _count(db_url, JobDependency) == 1
    with session_scope(db_url) as s:
        jobs = {j.action: j for j in s.scalars(select(Job))}
        assert jobs["zoho_crm.upsert_lead"].status == "pending"
        assert jobs["zoho_crm.upsert_lead"].params == {"last_name": "דנה כהן"}


def test_jobs_commit_with_the_callers_transaction_or_not_at_all(db_url):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), session_scope(db_url) as s:
        record_event_and_jobs(s, lead_event(), plan_jobs(lead_event(), workflows(SIMPLE_RULES), T0))
        raise Boom  # the conversation turn failed after the events were added
    assert _count(db_url, DomainEvent) == 0
    assert _count(db_url, Job) == 0


def test_publish_happens_after_commit_and_never_on_rollback(db_url):
    published: list[list[str]] = []
    with session_scope(db_url) as s:
        result = emit(s, lead_event(), workflows(SIMPLE_RULES), now=T0, publish=published.append)
        with s.begin_nested():  # a savepoint released inside the transaction is not the commit
            pass
        assert published == []
    assert published == [result.job_ids]

    published.clear()
    with pytest.raises(RuntimeError), session_scope(db_url) as s:
        emit(s, lead_event(turn=2), workflows(SIMPLE_RULES), now=T0, publish=published.append)
        raise RuntimeError
    with session_scope(db_url) as s:  # the same session machinery, a later commit: nothing leaks
        s.add(DomainEvent(key="k", tenant="clinic", type="reply", payload={}))
    assert published == []


def test_a_failing_publisher_does_not_undo_the_commit(db_url):
    def broken(ids):
        raise ConnectionError("broker down")

    with session_scope(db_url) as s:
        emit(s, lead_event(), workflows(SIMPLE_RULES), now=T0, publish=broken)
    assert _count(db_url, Job) == 1


def test_unrenderable_jobs_are_stored_dead_with_the_reason(db_url):
    rules = workflows([{"on": "lead.captured", "do": [{"action": "a.b", "params": {"x": "{{ event.nope }}"}}]}])
    published: list[list[str]] = []
    with session_scope(db_url) as s:
        emit(s, lead_event(), rules, now=T0, publish=published.append)
    with session_scope(db_url) as s:
        job = s.scalars(select(Job)).one()
        assert job.status == "dead" and job.plan_error and "nope" in job.plan_error
    assert published == []


def test_sweeper_resends_due_jobs_once_per_grace(db_url):
    with session_scope(db_url) as s:
        ids = emit(s, lead_event(), workflows(CHAIN), now=T0).job_ids
    grace = timedelta(seconds=30)
    with session_scope(db_url) as s:
        assert enqueue_due(s, now=T0 + timedelta(seconds=5), grace=grace) == []  # its own message may come
    with session_scope(db_url) as s:
        sent = enqueue_due(s, now=T0 + timedelta(seconds=31), grace=grace)
    assert sent == [ids[0]]  # the task waits for the lead: not claimable yet
    with session_scope(db_url) as s:
        assert enqueue_due(s, now=T0 + timedelta(seconds=40), grace=grace) == []
    with session_scope(db_url) as s:
        assert enqueue_due(s, now=T0 + timedelta(seconds=62), grace=grace) == [ids[0]]
