"""Eval runs and their per-scenario results: the evidence the go-live gate reads.

A run evaluates one exact tenant version: ``(tenant, version, digest)`` name the configuration,
``kb_revision`` the state of the tenant's documents, ``suite_digest`` the scenario files. The gate
(:mod:`sochen.evals.gate`) accepts a run only while all three still describe what would go live.
Compare runs (``label='compare'``) are experiments on unstored configurations and never count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, new_id, utcnow

__all__ = ["EvalResult", "EvalRun"]


class EvalRun(Base):
    """One run of a tenant's scenario suite against one configuration version."""

    __tablename__ = "eval_runs"
    __table_args__ = (Index("ix_eval_runs_tenant_version", "tenant", "version", "started_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(63))
    """The tenant's slug."""
    tenant_id: Mapped[str] = mapped_column(String(32))
    """Tenant.id: a tenant deleted and created again under the same slug is another tenant."""
    version: Mapped[int] = mapped_column(Integer)
    """The TenantVersion.version evaluated."""
    digest: Mapped[str] = mapped_column(String(64))
    """TenantVersion.digest of that version (configuration, prompts, models)."""
    kb_revision: Mapped[int] = mapped_column(Integer, default=0)
    """Tenant.kb_revision when the run started: the documents it was evaluated on."""
    suite_digest: Mapped[str] = mapped_column(String(64), default="")
    """Hash of the scenarios run (ids and content)."""
    label: Mapped[str] = mapped_column(String(32), default="run")
    """'run' (counts for the gate) or 'compare' (an experiment)."""
    status: Mapped[str] = mapped_column(String(16), default="running")
    """'running', 'finished' or 'error'."""
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether the finished run met every gate threshold of its version."""
    scenario_count: Mapped[int] = mapped_column(Integer, default=0)
    repetitions: Mapped[int] = mapped_column(Integer, default=1)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    gate: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The thresholds applied and the ones missed (``failures``)."""
    report_paths: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class EvalResult(Base):
    """One scenario, one repetition, in one run: its checks and transcript."""

    __tablename__ = "eval_results"
    __table_args__ = (UniqueConstraint("run_id", "scenario_id", "repetition"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(ForeignKey("eval_runs.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    repetition: Mapped[int] = mapped_column(Integer, default=1)
    category: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_checks: Mapped[int] = mapped_column(Integer, default=0)
    skipped_checks: Mapped[int] = mapped_column(Integer, default=0)
    checks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    transcript: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Turns as the runner saw them: text, reply, mode, route, citations, jobs (no ledger text: there is none)."""
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
