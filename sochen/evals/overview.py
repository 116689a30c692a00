"""What the owner sees before going live: versions, which one is live, runs, the gate's verdict, reports.

Plain reads over the tables :mod:`.store` and :mod:`.gate` write, shared by the console's owner pages
and anything else that needs the same picture (``sochen tenant list`` / ``evals list`` print parts of
it). Every read is scoped by the tenant's slug: a run id of another tenant is "not found".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import TenantConfig
from ..db.models import TenantVersion
from ..db.models_evals import EvalRun
from ..db.tenants import get_tenant, list_versions
from .gate import GateResult, gate_status, version_suite_digest
from .store import list_runs

__all__ = [
    "RunSummary",
    "VersionSummary",
    "as_dict",
    "find_run",
    "report_file",
    "run_summary",
    "runs_overview",
    "suite_digest_now",
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


_DIGESTS: dict[tuple[Any, ...], str | None] = {}
_DIGESTS_LOCK = threading.Lock()


def suite_digest_now(row: TenantVersion) -> str | None:
    """:func:`~sochen.evals.gate.version_suite_digest` of ``row``, read again only when its files change.

    Parsing a suite (pure-Python YAML, the installed connectors' actions) costs a few hundred
    milliseconds; a page listing versions asks for it on every load. The key is the version's digest
    and the path, size and modification time of every scenario file, so an edited file is read again.
    """
    from .loading import SuiteError, suite_paths

    folder = Path(row.source_path).parent if row.source_path else None
    if folder is None:
        return None
    try:
        files = suite_paths(TenantConfig.model_validate(row.config), folder)
        stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    except (SuiteError, OSError):
        return version_suite_digest(row, folder)  # unreadable: no caching, the gate says so
    key = (row.digest, str(folder), stamp)
    with _DIGESTS_LOCK:
        if key in _DIGESTS:
            return _DIGESTS[key]
    digest = version_suite_digest(row, folder)
    with _DIGESTS_LOCK:
        if len(_DIGESTS) > 1000:
            _DIGESTS.clear()
        _DIGESTS[key] = digest
    return digest


def versions_overview(session: Session, slug: str, *, limit: int = 20) -> list[VersionSummary]:
    """The tenant's newest versions, each with the gate's verdict as of now (newest first)."""
    tenant = get_tenant(session, slug)
    rows = list_versions(session, slug, limit=limit)
    out = []
    for i, row in enumerate(rows):
        gate = gate_status(session, slug, version=row.version, suite_digest=suite_digest_now(row))
        out.append(
            VersionSummary(
                version=row.version,
                digest=row.digest[:12],
                created_at=_iso(row.created_at),
                live=tenant.live_version == row.version,
                newest=i == 0,
                gate=gate,
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
