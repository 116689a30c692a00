"""Real Celery worker processes for the integration tests: started in their own process group,
always killed and their Redis keys removed, whatever the test did."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SOCHEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class CeleryRig:
    """Everything a test needs to run workers on one private queue."""

    database_url: str
    folder: Path
    queue: str = field(default_factory=lambda: f"sochen-test-{uuid.uuid4().hex[:10]}")
    lease_s: float = 3.0
    executor: str = "tests.workflows._worker_executor:effect_executor"
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"{self.queue}:"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCHEN_")}
        env.update(
            SOCHEN_HOME=str(self.folder / "home"),
            SOCHEN_ENVIRONMENT="test",
            SOCHEN_DATABASE_URL=self.database_url,
            SOCHEN_BROKER_URL=REDIS_URL,
            SOCHEN_BROKER_KEY_PREFIX=self.prefix,
            SOCHEN_JOB_QUEUE=self.queue,
            SOCHEN_JOB_EXECUTOR=self.executor,
            SOCHEN_JOB_LEASE_S=str(self.lease_s),
            SOCHEN_BACKOFF_BASE_S="0.2",
            SOCHEN_SWEEP_GRACE_S="0",
            SOCHEN_TEST_EFFECTS=str(self.folder / "effects"),
            PYTHONPATH=str(REPO),
            PYTHONDONTWRITEBYTECODE="1",
        )
        return env

    def settings(self):
        from sochen.workflows.settings import WorkerSettings

        return WorkerSettings(broker_url=REDIS_URL, broker_key_prefix=self.prefix, job_queue=self.queue)

    def app(self):
        from sochen.workflows.celery_app import make_celery_app

        return make_celery_app(self.settings())

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        command = [sys.executable, "-m", "celery", "-A", "sochen.workflows.celery_app", "worker"]
        command += ["-Q", self.queue, "-P", "solo", "-c", "1", "-n", f"{name}-{self.queue}@localhost"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO"]
        proc = subprocess.Popen(
            command, cwd=REPO, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.workers.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker's whole process group and reap it."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.folder.glob("*.log"))

    def cleanup(self) -> None:
        for proc in self.workers:
            self.kill(proc)
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        try:
            keys = list(client.scan_iter(match=f"{self.prefix}*", count=500))
            keys += [k for k in (self.queue, f"_kombu.binding.{self.queue}") if client.exists(k)]
            if keys:
                client.delete(*keys)
        finally:
            client.close()


@contextlib.contextmanager
def celery_rig(database_url: str, folder: Path, **options: object) -> Iterator[CeleryRig]:
    (folder / "effects").mkdir(parents=True, exist_ok=True)
    rig = CeleryRig(database_url=database_url, folder=folder, **options)  # type: ignore[arg-type]
    try:
        yield rig
    finally:
        rig.cleanup()
