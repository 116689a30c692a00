"""The embedded mode's worker process: conversation turns and connector jobs beside ``sochen serve``.

A webhook is acknowledged once its items are stored with their outbox jobs; turns and connector jobs
run later. On one machine without Celery they used to run in threads of the serving process, where
every turn (embedding the question, the graph, the model call) took the GIL from the
acknowledgements: at 200 messages a second the p99 of an acknowledgement was hundreds of
milliseconds. :class:`ProcessQueue` runs the same two dispatchers (:class:`~.queues.EmbeddedQueue`
for inbound jobs, an :class:`~sochen.workflows.worker.EmbeddedWorker` for the rest) in a child
process at a lower CPU priority, so the serving process only stores and answers.

- **Same durability.** Both sides only talk through the database: the child claims jobs with the
  dispatcher's leases; a child that dies leaves its leases to expire and the next child (or the
  sweep) takes the work up. The serving process restarts a child that exits unexpectedly (bounded).
- **Wake-ups** are single bytes on the child's standard input (``w``: inbound work, ``j``: jobs);
  a full pipe drops a wake-up, never a message (the child polls every ``poll_s`` too). End of input
  means stop: the child lets the current turn finish and exits, also when the server is killed.
- **The store.** An embedded Qdrant Edge shard opens in one process only, so the serving process
  keeps it and serves it to the child over a private Unix socket (:mod:`sochen.rag.store_host`).
- **Metrics.** The child reports each turn's outcome and duration on its standard output; the serving
  process feeds its Prometheus histogram (``sochen_turn_latency_seconds``) from them.
- Settings travel pickled on the child's standard input (secrets included, never on a command line
  or in the environment of other processes).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import func, select

from ..config import Settings
from ..db.models_outbox import Job
from ..db.session import session_scope
from .queues import Observer

__all__ = ["ProcessQueue", "main"]

log = logging.getLogger("sochen.api")

_INBOUND, _JOBS = b"w", b"j"
_RESTARTS = 5


class ProcessQueue:
    """Inbound turns and connector jobs in one child process (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        observer: Observer | None = None,
        nice: int = 10,
        poll_s: float = 1.0,
        start_timeout_s: float = 60.0,
    ) -> None:
        self.settings = settings
        self.observer = observer
        self.nice = nice
        self.poll_s = poll_s
        self.start_timeout_s = start_timeout_s
        self.backlog: Callable[[], int] | None = None
        """Work stored but not yet a job (the inbound journal's backlog): :meth:`busy` counts it."""
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._host: Any = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # -- the serving side ------------------------------------------------------------------------
    def start(self) -> ProcessQueue:
        """Serve the embedded store (when there is one) and start the child (once)."""
        with self._lock:
            if self.process is not None:
                return self
            if not self.settings.qdrant_url and self._host is None:
                from ..rag.store import open_store
                from ..rag.store_host import StoreHost

                self._host = StoreHost(open_store(self.settings), self.settings.home / "run").start()
            self._spawn()
        return self

    def _spawn(self) -> None:
        host = self._host
        process = subprocess.Popen(
            [sys.executable, "-m", "sochen.api.worker_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # the child's log lines (redacted there) go where this process's go
            close_fds=True,
        )
        assert process.stdin is not None and process.stdout is not None
        setup = {
            "settings": self.settings,
            "nice": self.nice,
            "poll_s": self.poll_s,
            "store": (host.address, host.authkey) if host is not None else None,
        }
        blob = pickle.dumps(setup)
        process.stdin.write(len(blob).to_bytes(8, "big") + blob)
        process.stdin.flush()
        os.set_blocking(process.stdin.fileno(), False)
        self.process = process
        threading.Thread(target=self._read, args=(process,), name="sochen-worker-out", daemon=True).start()

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        """Turn reports from the child; restart it when it ends without being asked to."""
        stream = process.stdout
        assert stream is not None
        for line in stream:
            parts = line.decode("utf-8", "replace").rstrip("\n").split("\t")
            if len(parts) == 3 and parts[0] == "turn" and self.observer is not None:
                try:
                    self.observer("", parts[1], float(parts[2]))
                except Exception:  # metrics never break processing
                    log.exception("inbound observer failed")
        code = process.wait()
        if self._stopping.is_set():
            return
        with self._lock:
            if self.process is not process:
                return
            self.process = None
            if self.restarts >= _RESTARTS:
                log.error("the worker process ended (exit %s) %d times; not restarting it", code, self.restarts)
                return
            self.restarts += 1
            log.error("the worker process ended (exit %s); starting another (%d)", code, self.restarts)
            time.sleep(min(0.5 * self.restarts, 5.0))
            if not self._stopping.is_set():
                self._spawn()

    def _wake(self, byte: bytes) -> None:
        process = self.process
        if process is None or process.stdin is None:
            return
        # A full pipe already holds a wake-up; a gone child is restarted and polls on start.
        with contextlib.suppress(BlockingIOError, BrokenPipeError, ValueError, OSError):
            process.stdin.write(byte)

    def enqueue(self, event_ids: Sequence[str]) -> None:
        """Wake the child for inbound work (the jobs are committed already)."""
        self._wake(_INBOUND)

    def publish_jobs(self, job_ids: Sequence[str]) -> None:
        """Wake the child for connector jobs (a retried job, a person's reply)."""
        self._wake(_JOBS)

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the child to finish its current turn and end; True when it has ended."""
        self._stopping.set()
        with self._lock:
            process, self.process = self.process, None
        ended = True
        if process is not None:
            try:
                if process.stdin is not None:
                    process.stdin.close()
            except OSError:
                pass
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
                ended = False
        if self._host is not None:
            self._host.stop()
            self._host = None
        return ended

    def join(self, timeout: float = 10.0) -> bool:
        """Wait until no job is due or running (tests, the demo); True when none is."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.busy():
                return True
            if time.monotonic() >= deadline:
                return False
            self._wake(_INBOUND)
            self._wake(_JOBS)
            time.sleep(0.05)

    def busy(self) -> int:
        """Jobs (inbound or connector) due now or running (and deliveries waiting in the inbound journal)."""
        waiting = self.backlog() if self.backlog is not None else 0
        now = datetime.now(UTC)
        with session_scope(self.settings.database_url) as session:
            return (
                int(
                    session.scalar(
                        select(func.count())
                        .select_from(Job)
                        .where(((Job.status == "pending") & (Job.next_attempt_at <= now)) | (Job.status == "running"))
                    )
                    or 0
                )
                + waiting
            )


# -- the child -------------------------------------------------------------------------------------
def _read_setup(stream: IO[bytes]) -> dict[str, Any]:
    size = int.from_bytes(stream.read(8), "big")
    if not 0 < size < 16 * 1024 * 1024:
        raise SystemExit("sochen worker: no setup on standard input")
    setup: dict[str, Any] = pickle.loads(stream.read(size))
    return setup


def main() -> None:
    """The child: run both dispatchers until standard input ends."""
    stdin = sys.stdin.buffer
    setup = _read_setup(stdin)
    settings: Settings = setup["settings"]
    from ..privacy import install_log_redaction

    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    install_log_redaction()  # every record of the child passes the personal-data redactor too
    if setup.get("nice"):
        with contextlib.suppress(OSError):
            os.nice(int(setup["nice"]))
    if setup.get("store"):
        from ..rag.store_host import use_remote_store

        use_remote_store(*setup["store"])

    from ..workflows import connector_executor, tenant_connector_factory
    from ..workflows.dispatcher import Dispatcher
    from ..workflows.inbound import INBOUND_ACTION
    from ..workflows.privacy_retention import periodic_purge
    from ..workflows.worker import EmbeddedWorker
    from .queues import EmbeddedQueue

    out_lock = threading.Lock()

    def report(event_id: str, outcome: str, seconds: float) -> None:
        with out_lock:
            sys.stdout.write(f"turn\t{outcome}\t{seconds:.6f}\n")
            sys.stdout.flush()

    url, poll_s = settings.database_url, float(setup.get("poll_s", 1.0))
    executor = connector_executor(tenant_connector_factory(url))
    jobs = EmbeddedWorker(
        Dispatcher(url, executor, exclude_actions=[INBOUND_ACTION]), maintenance=periodic_purge(settings), poll_s=poll_s
    )
    inbound = EmbeddedQueue(settings, executor, publish_jobs=jobs.publish, observer=report, poll_s=poll_s)
    jobs.start()
    inbound.start()
    inbound.enqueue(())  # work left by an earlier child or a stopped server
    jobs.publish(())
    try:
        while True:
            chunk = stdin.read1(4096) if hasattr(stdin, "read1") else stdin.read(1)
            if not chunk:
                break
            if _INBOUND in chunk:
                inbound.enqueue(())
            if _JOBS in chunk:
                jobs.publish(())
    finally:
        inbound.stop(30)
        jobs.stop(30)


if __name__ == "__main__":
    main()
