"""Persisting runs: an ``eval_runs`` row when a run starts, its results and metrics when it ends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Tenant, TenantVersion
from ..db.models_evals import EvalResult, EvalRun
from ..db.tenants import get_tenant
from .records import ScenarioResult

__all__ = ["VersionNotFoundError", "finish_run", "latest_run", "list_runs", "resolve_version", "start_run"]


class VersionNotFoundError(LookupError):
    """The tenant has no such configuration version."""


def resolve_version(session: Session, slug: str, version: int | None = None) -> tuple[Tenant, TenantVersion]:
    """The tenant and the named version (default: the newest)."""
    tenant = get_tenant(session, slug)
    query = select(TenantVersion).where(TenantVersion.tenant_id == tenant.id)
    if version is not None:
        query = query.where(TenantVersion.version == version)
    row = session.scalar(query.order_by(TenantVersion.version.desc()).limit(1))
    if row is None:
        raise VersionNotFoundError(
            f"tenant '{slug}' has no version {version}" if version is not None else f"tenant '{slug}' has no versions"
        )
    return tenant, row


def start_run(
    session: Session,
    *,
    tenant: str,
    tenant_id: str,
    version: int,
    digest: str,
    kb_revision: int,
    suite_digest: str,
    scenario_count: int,
    repetitions: int,
    label: str = "run",
) -> EvalRun:
    """Insert the run row (status 'running')."""
    run = EvalRun(
        tenant=tenant,
        tenant_id=tenant_id,
        version=version,
        digest=digest,
        kb_revision=kb_revision,
        suite_digest=suite_digest,
        scenario_count=scenario_count,
        repetitions=repetitions,
        label=label,
        status="running",
        passed=False,
        metrics={},
        gate={},
        report_paths={},
        started_at=datetime.now(UTC),
    )
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session,
    run_id: str,
    *,
    results: Sequence[ScenarioResult],
    metrics: dict[str, Any],
    gate: dict[str, Any],
    passed: bool,
    report_paths: dict[str, str],
    error: str | None = None,
) -> None:
    """Store the results and close the run."""
    run = session.get(EvalRun, run_id)
    if run is None:
        raise LookupError(f"no eval run {run_id}")
    for r in results:
        session.add(
            EvalResult(
                run_id=run_id,
                scenario_id=r.scenario_id,
                repetition=r.repetition,
                category=r.category,
                title=r.title,
                passed=r.passed,
                failed_checks=len(r.failures),
                skipped_checks=len(r.skipped),
                checks=[c.as_dict() for c in r.checks],
                transcript=[t.as_dict() for t in r.turns],
                latency_ms=round(r.latency_ms, 1),
                cost_usd=round(r.cost_usd, 6),
                error=r.error,
            )
        )
    run.metrics = {k: v for k, v in metrics.items() if k != "turn_latencies_ms"}
    run.gate = gate
    run.passed = passed
    run.report_paths = report_paths
    run.error = error
    run.status = "error" if error else "finished"
    run.finished_at = datetime.now(UTC)


def latest_run(session: Session, slug: str, version: int, *, label: str = "run") -> EvalRun | None:
    """The most recent finished run of exactly this tenant version."""
    return session.scalar(
        select(EvalRun)
        .where(EvalRun.tenant == slug, EvalRun.version == version, EvalRun.label == label, EvalRun.status == "finished")
        .order_by(EvalRun.finished_at.desc(), EvalRun.started_at.desc())
        .limit(1)
    )


def list_runs(session: Session, slug: str, *, limit: int = 20) -> list[EvalRun]:
    """The tenant's runs, newest first."""
    return list(
        session.scalars(select(EvalRun).where(EvalRun.tenant == slug).order_by(EvalRun.started_at.desc()).limit(limit))
    )
