"""What one app holds: settings, the webhook connectors, the inbound queue, metrics, the retriever.

Everything heavy is built on first use (the retriever opens Qdrant; the Celery app is imported only
when a message is sent), so :func:`~sochen.api.create_app` is cheap. Tests and deployments replace
parts through :func:`~sochen.api.create_app`'s arguments or by assigning the attributes.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from ..config import Settings
from ..tenancy import resolver_for
from ..workflows.dispatcher import Executor
from .journal import InboundJournal, JournalImporter
from .metrics import ApiMetrics
from .queues import CeleryQueue, EmbeddedQueue, InboundQueue, NullQueue
from .settings import ApiSettings
from .tenants import TenantConnectors

if TYPE_CHECKING:
    from ..llm import Provider
    from ..rag.retriever import Retriever

__all__ = ["ApiState", "get_state"]

log = logging.getLogger(__name__)


@dataclass
class ApiState:
    """The services behind one app (``app.state.sochen``)."""

    settings: Settings
    api: ApiSettings
    connectors: TenantConnectors
    metrics: ApiMetrics
    queue: InboundQueue
    ask_providers: Mapping[str, Provider] | None = None
    """Model providers for ``/ask`` (tests); None builds each tenant's own."""
    job_publisher: Callable[[Sequence[str]], None] | None = None
    """Sends retried job ids to workers; None leaves them to the outbox sweeper."""
    job_worker: Any = None
    """The in-process outbox worker of the embedded mode (None when Celery workers run the jobs)."""
    journal: JournalImporter | None = None
    """The inbound journal and its importer (embedded SQLite, :mod:`.journal`); None: webhooks store directly."""
    _retriever: Retriever | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(
        cls,
        settings: Settings,
        api: ApiSettings,
        *,
        queue: InboundQueue | None = None,
        job_executor: Executor | None = None,
    ) -> ApiState:
        """Assemble the state from settings; ``queue`` overrides the configured inbound queue.

        In the embedded mode this process runs the outbox too: one worker thread for conversation
        turns (the inbound queue) and one for connector jobs, both through the dispatcher;
        ``job_executor`` replaces the connectors of each tenant's live configuration (tests).
        """
        from ..workflows import connector_executor, tenant_connector_factory
        from ..workflows.dispatcher import Dispatcher
        from ..workflows.inbound import INBOUND_ACTION
        from ..workflows.worker import EmbeddedWorker

        metrics = ApiMetrics(settings.database_url, cache_s=api.metrics_cache_s)
        connectors = TenantConnectors(settings.database_url, ttl_s=api.tenant_cache_s, resolver=resolver_for(settings))
        url = settings.database_url
        executor = job_executor or connector_executor(tenant_connector_factory(url))
        job_worker: EmbeddedWorker | None = None
        process_queue: Any = None
        if queue is None:
            if api.inbound_queue == "celery":
                queue = CeleryQueue(task_name=api.inbound_task, queue_name=api.inbound_celery_queue)
            elif api.inbound_queue == "none":
                queue = NullQueue()
            elif api.embedded_worker == "process" and job_executor is None:
                from .worker_process import ProcessQueue

                queue = process_queue = ProcessQueue(
                    settings, observer=metrics.observe_turn, nice=api.embedded_worker_nice
                )
            else:
                from ..workflows.privacy_retention import periodic_purge

                job_worker = EmbeddedWorker(
                    Dispatcher(url, executor, exclude_actions=[INBOUND_ACTION]), maintenance=periodic_purge(settings)
                )
                queue = EmbeddedQueue(
                    settings, executor, publish_jobs=job_worker.publish, observer=metrics.observe_turn
                )
        state = cls(settings, api, connectors, metrics, queue)
        embedded: Any = process_queue if process_queue is not None else queue
        automatic = api.inbound_journal == "auto" and url.startswith("sqlite") and process_queue is not None
        if (automatic or api.inbound_journal == "on") and (
            process_queue is not None or isinstance(queue, EmbeddedQueue)
        ):
            journal = InboundJournal(url, synchronous=api.inbound_journal_sync, home=settings.home)
            state.journal = JournalImporter(journal, queue.enqueue)
            embedded.backlog = journal.backlog  # join() waits for the journal too
        if (
            isinstance(queue, EmbeddedQueue) or state.journal is not None or process_queue is not None
        ) and api.embedded_switch_interval_ms > 0:
            # Turns and jobs (embedded threads), the journal's importer, or the embedded store that this
            # process serves to the worker process share this process and its GIL with the webhooks: a
            # short switch interval lets an acknowledgement in between their bytecode instead of waiting
            # out 5 ms slices. (PostgreSQL with the worker process had no journal, so no short interval:
            # the store host's threads alone made ack p99 24-47 ms at 200 msg/s; 12-15 ms with it.)
            sys.setswitchinterval(api.embedded_switch_interval_ms / 1000)
        if job_worker is not None:
            state.job_worker = job_worker
            state.job_publisher = job_worker.publish
        if process_queue is not None:
            state.job_publisher = process_queue.publish_jobs
        return state

    def retriever(self) -> Retriever:
        """The knowledge-base retriever, opened on first use."""
        with self._lock:
            if self._retriever is None:
                from ..rag.retriever import Retriever

                self._retriever = Retriever(self.settings)
            return self._retriever

    def start(self) -> None:
        """Start background threads (the embedded turn and job workers)."""
        starter: Any = getattr(self.queue, "start", None)
        if callable(starter):
            starter()
        if self.job_worker is not None:
            self.job_worker.start()
        if self.journal is not None:
            self.journal.start()

    def stop(self) -> None:
        """Stop them, letting the current turn and job finish (the journal is imported first)."""
        if self.journal is not None:
            self.journal.stop()
        if self.job_worker is not None:
            self.job_worker.stop()
        stopper: Any = getattr(self.queue, "stop", None)
        if callable(stopper):
            stopper()


def get_state(request: Request) -> ApiState:
    """The app's state (a FastAPI dependency)."""
    state: ApiState = request.app.state.sochen
    return state
