"""What the owner sees before going live: versions, which one is live, runs, the gate's verdict, reports.

Plain reads over the tables :mod:`.store` and :mod:`.gate` write, shared by the console's owner pages
and anything else that needs the same picture (``sochen tenant list`` / ``evals list`` print parts of
it). Every read is scoped by the tenant's slug: a run id of another tenant is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models_evals import EvalRun
from ..db.tenants import get_tenant, list_versions
from .gate import GateResult, gate_of_version
from .store import list_runs

__all__ = [
    "RunSummary",
    "VersionSummary",
    "as_dict",
    "find_run",
    "report_file",
    "run_summary",
    "runs_overview",
    "versions_overview",
]


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


@dataclass
class RunSummary:
    """One eval run as a row of the owner's list."""

    id: str
    version: int
    label: str
    status: str
    passed: bool
    kb_revision: int
    scenario_count: int
    pass_rate: float | None
    started_at: str | None
    finished_at: str | None
    has_report: bool
    failures: list[str] = field(default_factory=list)


@dataclass
class VersionSummary:
    """One configuration version: whether it is live, its latest run and the gate's verdict now."""

    version: int
    digest: str
    created_at: str | None
    live: bool
    newest: bool
    gate: GateResult


def run_summary(run: EvalRun) -> RunSummary:
    """The row of one run (``report`` is true only when its HTML file is still on disk)."""
    return RunSummary(
        id=run.id,
        version=run.version,
        label=run.label,
        status=run.status,
        passed=bool(run.passed),
        kb_revision=run.kb_revision,
        scenario_count=run.scenario_count,
        pass_rate=(run.metrics or {}).get("pass_rate"),
        started_at=_iso(run.started_at),
        finished_at=_iso(run.finished_at),
        has_report=_html_path(run) is not None,
        failures=list((run.gate or {}).get("failures") or []),
    )


def versions_overview(session: Session, slug: str, *, limit: int = 20) -> list[VersionSummary]:
    """The tenant's newest versions, each with the gate's verdict as of now (newest first)."""
    tenant = get_tenant(session, slug)
    rows = list_versions(session, slug, limit=limit)
    out = []
    for i, row in enumerate(rows):
        out.append(
            VersionSummary(
                version=row.version,
                digest=row.digest[:12],
                created_at=_iso(row.created_at),
                live=tenant.live_version == row.version,
                newest=i == 0,
                gate=gate_of_version(session, slug, row.version),
            )
        )
    return out


def find_run(session: Session, slug: str, run_id: str) -> EvalRun | None:
    """The run ``run_id`` when it belongs to tenant ``slug`` (exact id), else None."""
    tenant = get_tenant(session, slug)
    return session.scalar(
        select(EvalRun).where(EvalRun.id == run_id[:32], EvalRun.tenant == slug, EvalRun.tenant_id == tenant.id)
    )


def _html_path(run: EvalRun) -> Path | None:
    raw = (run.report_paths or {}).get("html")
    if not raw:
        return None
    path = Path(str(raw))
    return path if path.is_file() else None


def report_file(session: Session, slug: str, run_id: str) -> Path | None:
    """The HTML report of the tenant's run ``run_id`` as the runner wrote it; None when absent."""
    run = find_run(session, slug, run_id)
    return None if run is None else _html_path(run)


def runs_overview(session: Session, slug: str, *, limit: int = 20) -> list[RunSummary]:
    """The tenant's runs, newest first, as rows."""
    get_tenant(session, slug)
    return [run_summary(r) for r in list_runs(session, slug, limit=limit)]


def as_dict(item: RunSummary | VersionSummary) -> dict[str, Any]:
    """JSON-ready form of a summary."""
    if isinstance(item, VersionSummary):
        return {
            "version": item.version,
            "digest": item.digest,
            "created_at": item.created_at,
            "live": item.live,
            "newest": item.newest,
            "gate": item.gate.as_dict(),
        }
    return dict(item.__dict__)
