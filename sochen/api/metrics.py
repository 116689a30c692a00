"""Prometheus metrics of one API process (``GET /metrics``), on a registry of its own.

What passes through the API is counted as it happens: webhook requests and their latency, inbound
items stored per tenant and channel, duplicates, inbound processing ("turns") and its latency,
``/v1/.../ask`` calls. What other processes write is read from the database on scrape, cached for
``cache_s`` seconds: tokens, cost and calls from the ledger (``llm_calls``), outbox jobs by status
and attempts by outcome, inbound events by status. Nothing outside :mod:`sochen.api` imports this.
With several worker processes each has its own counters; the database-derived families are the
same in all of them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from ..db.models import LlmCall
from ..db.models_api import InboundEventRow
from ..db.models_outbox import Job, JobAttempt
from ..db.session import session_scope
from ..workflows.inbound import INBOUND_ACTION

__all__ = ["ApiMetrics", "DatabaseCollector"]

log = logging.getLogger(__name__)

_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class ApiMetrics:
    """The metric objects of one app; routes and queues observe them."""

    def __init__(self, database_url: str, *, cache_s: float = 10.0) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        r = self.registry
        self.webhook_requests = Counter(
            "sochen_webhook_requests", "Webhook requests by channel and HTTP status.", ["channel", "status"], registry=r
        )
        self.webhook_latency = Histogram(
            "sochen_webhook_latency_seconds",
            "Seconds from the start of a webhook request to its answer (body read, verified, stored, queued).",
            ["channel"],
            buckets=_FAST,
            registry=r,
        )
        self.messages = Counter(
            "sochen_inbound_received",
            "New inbound items stored, by tenant, channel and kind (message, status, notice, workflow_event).",
            ["tenant", "channel", "kind"],
            registry=r,
        )
        self.duplicates = Counter(
            "sochen_inbound_duplicates", "Inbound items dropped as redeliveries.", ["tenant", "channel"], registry=r
        )
        self.turns = Counter(
            "sochen_turns", "Inbound events processed in this process, by outcome.", ["outcome"], registry=r
        )
        self.turn_latency = Histogram(
            "sochen_turn_latency_seconds", "Seconds one inbound event took to process.", buckets=_SLOW, registry=r
        )
        self.asks = Counter(
            "sochen_ask_requests", "Ask requests by tenant and status.", ["tenant", "status"], registry=r
        )
        self.ask_latency = Histogram(
            "sochen_ask_latency_seconds", "Seconds one ask request took.", ["tenant"], buckets=_SLOW, registry=r
        )
        self.database = DatabaseCollector(database_url, cache_s=cache_s)
        r.register(self.database)

    def observe_turn(self, event_id: str, outcome: str, seconds: float) -> None:
        """An :data:`~.queues.Observer` for the embedded queue."""
        self.turns.labels(outcome).inc()
        self.turn_latency.observe(seconds)


class DatabaseCollector(Collector):
    """Families computed from the database on scrape, at most once per ``cache_s`` seconds."""

    def __init__(
        self, database_url: str, *, cache_s: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.database_url = database_url
        self.cache_s = cache_s
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Metric]] | None = None

    def describe(self) -> Iterable[Metric]:
        """Names only: registering must not query the database."""
        return list(_empty_families().values())

    def collect(self) -> Iterable[Metric]:
        """The families, from cache when fresh."""
        with self._lock:
            now = self.clock()
            if self._cached is None or now - self._cached[0] >= self.cache_s:
                self._cached = (now, self._query())
            return list(self._cached[1])

    def _query(self) -> list[Metric]:
        families = _empty_families()
        error = GaugeMetricFamily("sochen_metrics_database_error", "1 when the last database read for metrics failed.")
        try:
            with session_scope(self.database_url) as session:
                _fill(session, families)
            error.add_metric([], 0)
        except Exception:  # a scrape must answer even when the database does not
            log.exception("metrics: reading the database failed")
            families = _empty_families()
            error.add_metric([], 1)
        return [*families.values(), error]


def _empty_families() -> dict[str, Any]:
    return {
        "tokens": CounterMetricFamily(
            "sochen_llm_tokens", "Model tokens from the ledger.", labels=["tenant", "provider", "route", "direction"]
        ),
        "cost": CounterMetricFamily(
            "sochen_llm_cost_usd", "Model cost in USD from the ledger.", labels=["tenant", "provider", "route"]
        ),
        "calls": CounterMetricFamily(
            "sochen_llm_calls", "Model calls from the ledger.", labels=["tenant", "provider", "route", "outcome"]
        ),
        "jobs": GaugeMetricFamily("sochen_jobs", "Outbox jobs by tenant and status.", labels=["tenant", "status"]),
        "attempts": CounterMetricFamily(
            "sochen_job_attempts", "Outbox job attempts by tenant and outcome.", labels=["tenant", "outcome"]
        ),
        "inbound": GaugeMetricFamily(
            "sochen_inbound_events", "Stored inbound events by status.", labels=["tenant", "channel", "status"]
        ),
        "inbound_work": GaugeMetricFamily(
            "sochen_inbound_jobs",
            "Inbound events' jobs by status (pending, running, held, dead, succeeded).",
            labels=["tenant", "status"],
        ),
        "deliveries": GaugeMetricFamily(
            "sochen_message_deliveries",
            "Sent messages by the delivery state their channel reported (accepted, sent, delivered, read, failed).",
            labels=["tenant", "action", "delivery"],
        ),
    }


def _fill(session: Any, by_role: dict[str, Any]) -> None:
    tokens: dict[tuple[str, str, str], list[float]] = {}
    for tenant, provider, route, outcome, n, t_in, t_out, cost in session.execute(
        select(
            LlmCall.tenant_slug,
            LlmCall.provider,
            LlmCall.route,
            LlmCall.outcome,
            func.count(),
            func.coalesce(func.sum(LlmCall.tokens_in), 0),
            func.coalesce(func.sum(LlmCall.tokens_out), 0),
            func.coalesce(func.sum(LlmCall.cost_usd), 0.0),
        ).group_by(LlmCall.tenant_slug, LlmCall.provider, LlmCall.route, LlmCall.outcome)
    ):
        key = (tenant, provider or "none", route)
        by_role["calls"].add_metric([*key, outcome], n)
        acc = tokens.setdefault(key, [0.0, 0.0, 0.0])
        acc[0] += t_in
        acc[1] += t_out
        acc[2] += cost
    for key, (t_in, t_out, cost) in sorted(tokens.items()):
        by_role["tokens"].add_metric([*key, "in"], t_in)
        by_role["tokens"].add_metric([*key, "out"], t_out)
        by_role["cost"].add_metric(list(key), cost)
    counts: dict[tuple[str, str, str], int] = {}
    for tenant, status, action, n in session.execute(
        select(Job.tenant, Job.status, Job.action, func.count()).group_by(Job.tenant, Job.status, Job.action)
    ):
        role = "inbound_work" if action == INBOUND_ACTION else "jobs"
        counts[(role, tenant, status)] = counts.get((role, tenant, status), 0) + n
    for (role, tenant, status), n in sorted(counts.items()):
        by_role[role].add_metric([tenant, status], n)
    for tenant, action, delivery, n in session.execute(
        select(Job.tenant, Job.action, Job.delivery_status, func.count())
        .where(Job.delivery_status.is_not(None))
        .group_by(Job.tenant, Job.action, Job.delivery_status)
    ):
        by_role["deliveries"].add_metric([tenant, action, delivery], n)
    for tenant, outcome, n in session.execute(
        select(Job.tenant, JobAttempt.outcome, func.count())
        .join(Job, Job.id == JobAttempt.job_id)
        .group_by(Job.tenant, JobAttempt.outcome)
    ):
        by_role["attempts"].add_metric([tenant, outcome], n)
    for tenant, channel, status, n in session.execute(
        select(InboundEventRow.tenant, InboundEventRow.channel, InboundEventRow.status, func.count()).group_by(
            InboundEventRow.tenant, InboundEventRow.channel, InboundEventRow.status
        )
    ):
        by_role["inbound"].add_metric([tenant, channel, status], n)
