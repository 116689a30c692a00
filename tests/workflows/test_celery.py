"""The production path, end to end: a real Celery worker process on the real Redis and PostgreSQL.

The crash test SIGKILLs a worker in the middle of a job: the job's lease expires, the sweeper
resends it, a second worker runs it, and the effect — keyed by the job's idempotency key — happens
exactly once, whether the first worker died before or after applying it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sochen.db.session import session_scope
from sochen.workflows import emit, get_job, job_attempts
from sochen.workflows.outbox import aware

from ._celery import celery_rig
from ._support import wait_until, workflows
from ._worker_executor import read_log

pytestmark = pytest.mark.integration

TIMEOUT = 60.0  # generous bound for a loaded machine; normally seconds


def _rules(**params):
    return workflows([{"on": "reply", "do": [{"action": "test.effect", "params": params}]}])


def _reply(turn):
    from sochen.workflows import Event

    return Event.create("reply", tenant="clinic", conversation_id="conv-c", turn=turn, payload={"text": "שלום"})


def _status(url, job_id):
    with session_scope(url) as s:
        return get_job(s, job_id).status


def test_jobs_published_after_commit_run_on_a_real_worker(pg_url, tmp_path):
    from sochen.workflows.celery_app import celery_publisher

    with celery_rig(pg_url, tmp_path) as rig:
        rig.start_worker("w1")
        publish = celery_publisher(rig.app(), queue=rig.queue)
        ids = []
        with session_scope(pg_url) as s:
            now = datetime.now(UTC)
            for turn in range(4):
                ids += emit(s, _reply(turn), _rules(), now=now, publish=publish).job_ids
            ids += emit(s, _reply(99), _rules(fail_first=True), now=now, publish=publish).job_ids
        done = wait_until(lambda: all(_status(pg_url, i) == "succeeded" for i in ids), timeout=TIMEOUT)
        assert done, rig.logs()
        effects = read_log(rig.folder / "effects" / "effects.log")
        with session_scope(pg_url) as s:
            keys = {get_job(s, i).key for i in ids}
            flaky = job_attempts(s, ids[-1])
        assert sorted(e["key"] for e in effects) == sorted(keys)  # each effect exactly once
        assert [a.outcome for a in flaky] == ["retry", "succeeded"]  # the retry was re-sent with its eta


@pytest.mark.parametrize("dies", ["before", "after"], ids=["dies-before-effect", "dies-after-effect"])
def test_a_worker_killed_mid_job_loses_nothing_and_duplicates_nothing(pg_url, tmp_path, dies):
    from sochen.workflows.celery_app import DISPATCH_DUE, celery_publisher

    with celery_rig(pg_url, tmp_path) as rig:
        effects = rig.folder / "effects"
        first = rig.start_worker("w1")
        app = rig.app()
        with session_scope(pg_url) as s:
            (job_id,) = emit(
                s, _reply(1), _rules(block=dies), now=datetime.now(UTC), publish=celery_publisher(app, queue=rig.queue)
            ).job_ids
            key = get_job(s, job_id).key
        started = lambda: list(effects.glob(f"started-{key}-*"))  # noqa: E731
        assert wait_until(lambda: len(started()) == 1, timeout=TIMEOUT), rig.logs()
        if dies == "after":
            assert wait_until(lambda: (effects / f"effect-{key}").exists(), timeout=TIMEOUT)
        rig.kill(first)  # SIGKILL mid-job: no cleanup, no ack, no result
        assert _status(pg_url, job_id) == "running"

        (effects / "release").touch()  # whoever runs it next does not block
        rig.start_worker("w2")

        def lease_expired() -> bool:
            with session_scope(pg_url) as s:
                job = get_job(s, job_id)
                expires = aware(job.lease_expires_at)
                return expires is not None and expires < datetime.now(UTC)

        assert wait_until(lease_expired, timeout=TIMEOUT)
        app.send_task(DISPATCH_DUE, queue=rig.queue)  # what beat does every sweep_interval_s
        assert wait_until(lambda: _status(pg_url, job_id) == "succeeded", timeout=TIMEOUT), rig.logs()

        with session_scope(pg_url) as s:
            job = get_job(s, job_id)
            attempts = job_attempts(s, job_id)
        assert job.attempts == 2
        assert [a.outcome for a in attempts] == ["lost", "succeeded"]
        assert attempts[0].worker != attempts[1].worker
        calls = [c for c in read_log(effects / "calls.log") if c["key"] == key]
        applied = [e for e in read_log(effects / "effects.log") if e["key"] == key]
        assert len({c["pid"] for c in calls}) == 2  # at least once: both workers called the action...
        assert len(applied) == 1  # ...exactly one effect
        assert applied[0]["pid"] == (calls[0]["pid"] if dies == "after" else calls[1]["pid"])
