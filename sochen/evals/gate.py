"""The go-live gate and promotion: only a version that passed its evals, as it is now, goes live.

A version passes the gate when its latest finished run (``label='run'``):
- evaluated exactly this version: same version number and configuration digest (a change to the
  configuration, prompts or models is a new version, which must be run again);
- saw the documents as they are: the run's ``kb_revision`` equals the tenant's current one (every
  ingest that adds, changes or removes a document bumps it, so new documents need a new run);
- ran the scenarios as they are, when the suite can be read (its digest is unchanged);
- met every threshold of the version's own ``evals.gate`` (pass rate, intent accuracy, job recall,
  personal-data leaks, and the optional p95 latency and cost ceilings).
``sochen tenant promote`` sets ``Tenant.live_version`` only then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..config import TenantConfig
from ..config.sections.evals import GateThresholds
from ..db.models import TenantVersion
from .store import latest_run, resolve_version

__all__ = [
    "GateResult",
    "PromotionRefused",
    "ThresholdVerdict",
    "evaluate_thresholds",
    "gate_of_version",
    "gate_status",
    "promote",
    "promote_version",
    "threshold_verdicts",
    "version_suite_digest",
]


@dataclass
class GateResult:
    """Whether a tenant version may go live, and if not, every reason."""

    tenant: str
    version: int
    passed: bool
    failures: list[str] = field(default_factory=list)
    run_id: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    released: int = 0
    """Held jobs (inbound messages that waited for a live version) released by a promotion."""
    thresholds: list[ThresholdVerdict] = field(default_factory=list)
    """Each threshold of the version's ``evals.gate`` against the run's metrics (empty without a run)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "tenant": self.tenant,
            "version": self.version,
            "passed": self.passed,
            "failures": self.failures,
            "run_id": self.run_id,
            "notes": self.notes,
            "released": self.released,
            "thresholds": [t.as_dict() for t in self.thresholds],
        }


class PromotionRefused(RuntimeError):
    """The version has no passing run as it is now; ``gate`` says why."""

    def __init__(self, gate: GateResult) -> None:
        self.gate = gate
        reasons = "\n".join(f"  - {f}" for f in gate.failures)
        super().__init__(f"version {gate.version} of '{gate.tenant}' cannot go live:\n{reasons}")


def _pct(value: float) -> str:
    return f"{value:.1%}"


@dataclass(frozen=True)
class ThresholdVerdict:
    """One threshold of ``evals.gate`` against a run's metric: what was required, what was measured."""

    key: str
    """The setting, e.g. ``min_pass_rate``."""
    label_he: str
    label_en: str
    kind: str
    """'min' (the value must reach the limit) or 'max' (it must not exceed it)."""
    limit: float | None
    """None: the threshold is not set (optional ceilings), so it cannot fail."""
    value: float | None
    """None: the run did not measure it (undefined metrics pass)."""
    unit: str
    """'%' (a share 0..1), 'count', 'ms' or 'usd'."""
    passed: bool
    message: str | None = None
    """'Hebrew | English (setting)' when missed."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "label_he": self.label_he,
            "label_en": self.label_en,
            "kind": self.kind,
            "limit": self.limit,
            "value": self.value,
            "unit": self.unit,
            "passed": self.passed,
            "message": self.message,
        }


def threshold_verdicts(metrics: dict[str, Any], gate: GateThresholds) -> list[ThresholdVerdict]:
    """Every threshold of ``gate`` with the run's value and whether it holds (the gate's verdict per threshold)."""
    out: list[ThresholdVerdict] = []

    def share(key: str, metric: str, he: str, en: str) -> None:
        raw, minimum = metrics.get(metric), float(getattr(gate, key))
        value = None if raw is None else float(raw)
        message = None
        if value is not None and value < minimum:
            message = f"{he} {_pct(value)} < {_pct(minimum)} | {en} {_pct(value)} < {_pct(minimum)} ({key})"
        missed = message is not None
        out.append(ThresholdVerdict(key, he, en, "min", minimum, value, "%", not missed, message))

    share("min_pass_rate", "pass_rate", "שיעור הצלחה", "pass rate")
    share("min_intent_accuracy", "intent_accuracy", "דיוק כוונות", "intent accuracy")
    share("min_job_recall", "job_recall", "כיסוי משימות", "job recall")
    leaks, most = int(metrics.get("personal_data_leaks") or 0), gate.max_personal_data_leaks
    out.append(
        ThresholdVerdict(
            "max_personal_data_leaks",
            "דליפות מידע אישי לספקי API",
            "personal-data leaks to API providers",
            "max",
            most,
            leaks,
            "count",
            leaks <= most,
            None
            if leaks <= most
            else f"דליפות מידע אישי לספקי API: {leaks} > {most} | personal-data "
            f"leaks to API providers {leaks} > {most} (max_personal_data_leaks)",
        )
    )
    p95, ceiling = (metrics.get("latency_ms") or {}).get("p95"), gate.max_p95_latency_ms
    slow = ceiling is not None and p95 is not None and p95 > ceiling
    out.append(
        ThresholdVerdict(
            "max_p95_latency_ms",
            "זמן תגובה p95",
            "p95 turn latency",
            "max",
            ceiling,
            p95,
            "ms",
            not slow,
            f"זמן תגובה p95 {p95:.0f} ms > {ceiling:.0f} ms | p95 turn latency "
            f"{p95:.0f} ms > {ceiling:.0f} ms (max_p95_latency_ms)"
            if slow and p95 is not None and ceiling is not None
            else None,
        )
    )
    cost, most_cost = metrics.get("cost_per_conversation_usd"), gate.max_cost_per_conversation_usd
    dear = most_cost is not None and cost is not None and cost > most_cost
    out.append(
        ThresholdVerdict(
            "max_cost_per_conversation_usd",
            "עלות לשיחה",
            "cost per conversation",
            "max",
            most_cost,
            cost,
            "usd",
            not dear,
            f"עלות לשיחה ${cost:.4f} > ${most_cost:.4f} | cost per "
            f"conversation ${cost:.4f} > ${most_cost:.4f} (max_cost_per_conversation_usd)"
            if dear and cost is not None and most_cost is not None
            else None,
        )
    )
    return out


def evaluate_thresholds(metrics: dict[str, Any], gate: GateThresholds) -> list[str]:
    """The thresholds ``metrics`` miss, each as 'Hebrew | English (setting)'. Undefined metrics pass."""
    if not metrics.get("runs"):
        return ["אין תרחישים שרצו | no scenario ran"]
    return [v.message for v in threshold_verdicts(metrics, gate) if v.message is not None]


def version_suite_digest(row: TenantVersion, base_dir: Path | None = None) -> str | None:
    """The digest of the version's scenario suite as it is on disk now; None when it cannot be read."""
    from .loading import SuiteError, load_suite, suite_digest

    folder = base_dir or (Path(row.source_path).parent if row.source_path else None)
    if folder is None:
        return None
    try:
        return suite_digest(load_suite(TenantConfig.model_validate(row.config), folder))
    except (SuiteError, OSError):
        return None


def gate_status(
    session: Session,
    slug: str,
    *,
    version: int | None = None,
    suite_digest: str | None = None,
) -> GateResult:
    """Whether ``version`` (default: the newest) may go live (see the module docstring)."""
    tenant, row = resolve_version(session, slug, version)
    result = GateResult(slug, row.version, passed=False)
    run = latest_run(session, slug, row.version)
    if run is None:
        result.failures.append(
            f"לגרסה {row.version} אין הרצת הערכה | version {row.version} has no eval run "
            f"(sochen evals run --tenant {slug} --version {row.version})"
        )
        return result
    result.run_id, result.metrics = run.id, dict(run.metrics or {})
    if run.tenant_id != tenant.id:
        result.failures.append("ההרצה שייכת לדייר אחר באותו שם | the run belongs to another tenant of this slug")
    if run.digest != row.digest:
        result.failures.append(
            f"ההרצה נעשתה על תצורה אחרת | the run evaluated another configuration "
            f"(digest {run.digest[:12]} ≠ {row.digest[:12]})"
        )
    if run.kb_revision != tenant.kb_revision:
        result.failures.append(
            f"המסמכים השתנו מאז ההרצה | the documents changed since the run "
            f"(kb_revision {run.kb_revision} → {tenant.kb_revision}); run the evals again"
        )
    if suite_digest is None:
        result.notes.append("the scenario files could not be read: not compared with the run's")
    elif run.suite_digest and suite_digest != run.suite_digest:
        result.failures.append(
            "התרחישים שרצו אינם חבילת התרחישים הנוכחית | the scenarios run are not the tenant's "
            "suite as it is now (edited since, or the run used --scenarios); run the evals again"
        )
    gate = TenantConfig.model_validate(row.config).evals.gate
    result.failures.extend(evaluate_thresholds(result.metrics, gate))
    result.thresholds = threshold_verdicts(result.metrics, gate)
    result.passed = not result.failures
    return result


def promote(session: Session, slug: str, *, version: int | None = None, suite_digest: str | None = None) -> GateResult:
    """Make ``version`` (default: the newest) live, or raise :class:`PromotionRefused` with every reason."""
    tenant, row = resolve_version(session, slug, version)
    result = gate_status(session, slug, version=row.version, suite_digest=suite_digest)
    if not result.passed:
        raise PromotionRefused(result)
    tenant.live_version = row.version
    session.flush()
    # Work held while the tenant had no live version (acknowledged inbound messages) resumes now.
    from ..workflows.inbound import release_held

    result.released = len(release_held(session, tenant=slug))
    return result


def gate_of_version(session: Session, slug: str, version: int | None = None) -> GateResult:
    """:func:`gate_status` of ``version`` (default: the newest) against its scenario files as they are on disk.

    What ``sochen evals gate`` and the console's owner pages show.
    """
    _, row = resolve_version(session, slug, version)
    return gate_status(session, slug, version=row.version, suite_digest=version_suite_digest(row))


def promote_version(session: Session, slug: str, version: int | None = None) -> GateResult:
    """:func:`promote` ``version`` (default: the newest), its suite read from disk as the gate reads it.

    The one promotion path of ``sochen tenant promote`` and the console; raises :class:`PromotionRefused`.
    """
    _, row = resolve_version(session, slug, version)
    return promote(session, slug, version=row.version, suite_digest=version_suite_digest(row))
