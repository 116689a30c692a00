"""What one app holds: settings, the webhook connectors, the inbound queue, metrics, the retriever.

Everything heavy is built on first use (the retriever opens Qdrant; the Celery app is imported only
when a message is sent), so :func:`~sochen.api.create_app` is cheap. Tests and deployments replace
parts through :func:`~sochen.api.create_app`'s arguments or by assigning the attributes.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from ..config import Settings
from .inbound import mark_received
from .metrics import ApiMetrics
from .queues import CeleryQueue, EmbeddedQueue, InboundQueue, NullQueue, Processor, Sweeper
from .settings import ApiSettings
from .tenants import TenantConnectors

if TYPE_CHECKING:
    from ..llm import Provider
    from ..rag.retriever import Retriever

__all__ = ["PROCESSOR_PATH", "ApiState", "default_processor", "get_state"]

log = logging.getLogger(__name__)

PROCESSOR_PATH = "sochen.workflows.inbound:process_inbound"
"""The conversation graph's entry point, used when it exists; else :func:`~.inbound.mark_received`."""


def default_processor() -> Processor:
    """``sochen.agents.inbound.process_inbound`` when that module exists, else the no-op marker."""
    module_name, _, attr = PROCESSOR_PATH.partition(":")
    try:
        found = importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        return mark_received
    processor = getattr(importlib.import_module(module_name), attr, None)
    if not callable(processor):
        log.warning("%s is not callable; inbound events are only marked received", PROCESSOR_PATH)
        return mark_received
    return processor


@dataclass
class ApiState:
    """The services behind one app (``app.state.sochen``)."""

    settings: Settings
    api: ApiSettings
    connectors: TenantConnectors
    metrics: ApiMetrics
    queue: InboundQueue
    processor: Processor | None = None
    sweeper: Sweeper | None = None
    ask_providers: Mapping[str, Provider] | None = None
    """Model providers for ``/ask`` (tests); None builds each tenant's own."""
    job_publisher: Callable[[Sequence[str]], None] | None = None
    """Sends retried job ids to workers; None leaves them to the outbox sweeper."""
    job_worker: Any = None
    """The in-process outbox worker of the embedded mode (None when Celery workers run the jobs)."""
    _retriever: Retriever | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(
        cls,
        settings: Settings,
        api: ApiSettings,
        *,
        queue: InboundQueue | None = None,
        processor: Processor | None = None,
    ) -> ApiState:
        """Assemble the state from settings; ``queue``/``processor`` override the configured ones."""
        metrics = ApiMetrics(settings.database_url, cache_s=api.metrics_cache_s)
        connectors = TenantConnectors(settings.database_url, ttl_s=api.tenant_cache_s)
        if queue is None:
            if api.inbound_queue == "celery":
                queue = CeleryQueue(task_name=api.inbound_task, queue_name=api.inbound_celery_queue)
            elif api.inbound_queue == "none":
                queue = NullQueue()
            else:
                processor = processor or default_processor()
                queue = EmbeddedQueue(settings, processor, observer=metrics.observe_turn)
        state = cls(settings, api, connectors, metrics, queue, processor)
        if isinstance(queue, EmbeddedQueue):
            # Embedded: the outbox is drained in this process too, so a single `sochen serve` does the whole job.
            from ..workflows import connector_executor, tenant_connector_factory
            from ..workflows.dispatcher import Dispatcher
            from ..workflows.worker import EmbeddedWorker

            url = settings.database_url
            state.job_worker = EmbeddedWorker(Dispatcher(url, connector_executor(tenant_connector_factory(url))))
            state.job_publisher = state.job_worker.publish
        if api.inbound_sweep_s > 0 and not isinstance(queue, NullQueue):
            grace = max(api.inbound_sweep_s, 1.0)
            state.sweeper = Sweeper(settings.database_url, queue, every_s=api.inbound_sweep_s, grace_s=grace)
        return state

    def retriever(self) -> Retriever:
        """The knowledge-base retriever, opened on first use."""
        with self._lock:
            if self._retriever is None:
                from ..rag.retriever import Retriever

                self._retriever = Retriever(self.settings)
            return self._retriever

    def start(self) -> None:
        """Start background threads (the embedded queue, the sweeper)."""
        starter: Any = getattr(self.queue, "start", None)
        if callable(starter):
            starter()
        if self.sweeper is not None:
            self.sweeper.start()
        if self.job_worker is not None:
            self.job_worker.start()

    def stop(self) -> None:
        """Stop them, letting the embedded queue finish what it holds."""
        if self.sweeper is not None:
            self.sweeper.stop()
        if self.job_worker is not None:
            self.job_worker.stop()
        stopper: Any = getattr(self.queue, "stop", None)
        if callable(stopper):
            stopper()


def get_state(request: Request) -> ApiState:
    """The app's state (a FastAPI dependency)."""
    state: ApiState = request.app.state.sochen
    return state
