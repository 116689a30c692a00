"""Worker benchmark: end-to-end outbox jobs per second, in-process and through Celery + Redis.

    python bench/worker.py [--jobs 500] [--celery-jobs 500] [--concurrency 4] [--threads 4]
                           [--pg-admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                           [--redis-url redis://127.0.0.1:6379/0] [--skip-celery] [--skip-postgres]
                           [--json-out bench/out/worker.json]

Every job goes the production way with a no-op executor, so the figures are the framework's own
cost: ``emit`` (plan + record event and job in one transaction per turn), then claim under a lease,
run, record the attempt and the outcome. Scenarios:

- ``embedded-sqlite``: the in-process worker (``drain``) on the embedded SQLite file;
- ``embedded-postgres``: the same on PostgreSQL, one dispatcher, then ``--threads`` dispatchers
  (``SELECT ... FOR UPDATE SKIP LOCKED``);
- ``celery-redis-postgres``: jobs published after commit to a real Celery worker process
  (prefork, ``--concurrency`` children) on Redis; timed from the first commit until the database
  says every job succeeded (the worker is warmed up first).

Each scenario uses its own fresh database (and Redis key prefix) and removes it afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from sochen.config.sections.workflows import WorkflowsConfig  # noqa: E402
from sochen.db.migrate import upgrade  # noqa: E402
from sochen.db.models_outbox import Job  # noqa: E402
from sochen.db.session import get_engine, session_scope  # noqa: E402
from sochen.workflows import Dispatcher, Event, drain, emit  # noqa: E402
from sochen.workflows.planning import plan_jobs  # noqa: E402

RULES = WorkflowsConfig.model_validate(
    {
        "rules": [
            {
                "on": "lead.captured",
                "do": [
                    {
                        "action": "bench.noop",
                        "params": {"name": "{{ event.slots.name }}", "phone": "{{ event.slots.phone | e164 }}"},
                    }
                ],
            }
        ]
    }
)
TURNS_PER_TRANSACTION = 1  # one conversation turn per transaction, as the agent writes them


def noop_executor() -> Callable[[str, str, dict[str, Any], str], dict[str, Any]]:
    """The executor worker processes load (SOCHEN_JOB_EXECUTOR=bench.worker:noop_executor)."""

    def execute(tenant: str, action: str, params: dict[str, Any], key: str) -> dict[str, Any]:
        return {}

    return execute


def _event(i: int, run: str) -> Event:
    return Event.create(
        "lead.captured",
        tenant="bench",
        conversation_id=f"{run}-{i}",
        turn=1,
        payload={"slots": {"name": "דנה כהן", "phone": "050-123-4567"}},
    )


def _emit(url: str, count: int, run: str, publish: Callable[[Any], None] | None = None) -> float:
    start = time.perf_counter()
    now = datetime.now(UTC)
    for i in range(count):
        with session_scope(url) as s:
            emit(s, _event(i, run), RULES, now=now, publish=publish)
    return time.perf_counter() - start


def _succeeded(url: str) -> int:
    with session_scope(url) as s:
        return int(s.scalar(select(func.count()).select_from(Job).where(Job.status == "succeeded")) or 0)


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


@contextlib.contextmanager
def _postgres(admin_url: str) -> Iterator[str]:
    name = f"sochen_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        get_engine(url).dispose()
        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def embedded(url: str, jobs: int, threads: int = 1) -> dict[str, Any]:
    """Record ``jobs`` turns, then drain them with ``threads`` in-process dispatchers."""
    run = uuid.uuid4().hex[:8]
    record_s = _emit(url, jobs, run)
    executor = noop_executor()
    dispatchers = [Dispatcher(url, executor, worker_id=f"bench-{i}") for i in range(threads)]
    start = time.perf_counter()
    workers = [threading.Thread(target=drain, args=(d,), kwargs={"batch": 20, "max_jobs": jobs}) for d in dispatchers]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=600)
    drain_s = time.perf_counter() - start
    done = _succeeded(url)
    return {
        "jobs": jobs,
        "dispatchers": threads,
        "succeeded": done,
        "record_turns_per_s": _rate(jobs, record_s),
        "dispatch_jobs_per_s": _rate(done, drain_s),
        "end_to_end_jobs_per_s": _rate(done, record_s + drain_s),
    }


def celery(url: str, jobs: int, concurrency: int, redis_url: str, timeout_s: float = 300) -> dict[str, Any]:
    """Jobs published after commit to a real Celery worker; timed until all have succeeded."""
    from sochen.workflows.celery_app import celery_publisher, make_celery_app
    from sochen.workflows.settings import WorkerSettings

    queue = f"sochen-bench-{uuid.uuid4().hex[:8]}"
    settings = WorkerSettings(broker_url=redis_url, broker_key_prefix=f"{queue}:", job_queue=queue)
    publish = celery_publisher(make_celery_app(settings), queue=queue)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCHEN_")}
    env.update(
        SOCHEN_DATABASE_URL=url,
        SOCHEN_BROKER_URL=redis_url,
        SOCHEN_BROKER_KEY_PREFIX=f"{queue}:",
        SOCHEN_JOB_QUEUE=queue,
        SOCHEN_JOB_EXECUTOR="bench.worker:noop_executor",
        SOCHEN_HOME=tempfile.mkdtemp(prefix="sochen-bench-"),
        PYTHONPATH=str(REPO),
    )
    command = [sys.executable, "-m", "celery", "-A", "sochen.workflows.celery_app", "worker", "-Q", queue]
    command += ["-P", "prefork", "-c", str(concurrency), "-n", f"{queue}@localhost", "-l", "WARNING"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
    worker = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _emit(url, 1, "warmup", publish)
        _wait(lambda: _succeeded(url) >= 1, timeout_s)
        start = time.perf_counter()
        record_s = _emit(url, jobs, uuid.uuid4().hex[:8], publish)
        finished = _wait(lambda: _succeeded(url) >= jobs + 1, timeout_s)
        total_s = time.perf_counter() - start
        done = _succeeded(url) - 1
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        _drop_redis_keys(redis_url, f"{queue}:")
    return {
        "jobs": jobs,
        "worker_processes": concurrency,
        "succeeded": done,
        "finished_in_time": finished,
        "record_and_publish_turns_per_s": _rate(jobs, record_s),
        "end_to_end_jobs_per_s": _rate(done, total_s),
    }


def _wait(predicate: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _drop_redis_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=500, help="jobs per in-process scenario (bounded)")
    parser.add_argument("--celery-jobs", type=int, default=500, help="jobs through Celery")
    parser.add_argument("--concurrency", type=int, default=4, help="Celery worker processes")
    parser.add_argument("--threads", type=int, default=4, help="in-process dispatchers on PostgreSQL")
    parser.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--skip-celery", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--json-out", type=Path, default=Path("bench/out/worker.json"))
    args = parser.parse_args(argv)
    if not 1 <= args.jobs <= 100_000 or not 1 <= args.celery_jobs <= 100_000:
        parser.error("--jobs and --celery-jobs must be between 1 and 100000")

    results: dict[str, Any] = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "scenarios": {}}
    scenarios = results["scenarios"]
    with tempfile.TemporaryDirectory(prefix="sochen-bench-") as folder:
        url = f"sqlite:///{Path(folder, 'bench.db').as_posix()}"
        upgrade(url)
        scenarios["embedded-sqlite"] = embedded(url, args.jobs)
        get_engine(url).dispose()
    if not args.skip_postgres:
        with _postgres(args.pg_admin_url) as url:
            scenarios["embedded-postgres"] = embedded(url, args.jobs)
        with _postgres(args.pg_admin_url) as url:
            scenarios[f"embedded-postgres-{args.threads}-dispatchers"] = embedded(url, args.jobs, args.threads)
        if not args.skip_celery:
            with _postgres(args.pg_admin_url) as url:
                scenarios["celery-redis-postgres"] = celery(url, args.celery_jobs, args.concurrency, args.redis_url)
    plan_s = _time_planning()
    results["planning_events_per_s"] = _rate(2000, plan_s)

    for name, figures in scenarios.items():
        shown = ", ".join(f"{k}={v}" for k, v in figures.items())
        print(f"{name:38s} {shown}")
    print(f"{'planning (render templates, no I/O)':38s} events_per_s={results['planning_events_per_s']}")
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


def _time_planning() -> float:
    now = datetime.now(UTC)
    events = [_event(i, "plan") for i in range(2000)]
    start = time.perf_counter()
    for e in events:
        plan_jobs(e, RULES, now)
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
