"""Comparing model configurations: the same scenarios on tenant YAML variants, side by side.

Each variant is a tenant file of the same tenant (same slug, same knowledge section: the documents
are indexed once) that differs in what is being compared — typically ``models`` (all local, hybrid,
all API) or ``agent``. Variants are never stored as versions and their runs never count for the
gate. Reported per variant: pass rate, intent accuracy, latency p50/p95, cost per 1,000
conversations, personal-data leaks to API providers, and the answer modes and routes that ran.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ..config import Settings, TenantConfig
from .charts import bars_rtl
from .runner import SuiteRun, execute
from .schema import Scenario

__all__ = ["Comparison", "compare_configs"]


@dataclass
class Comparison:
    """Runs of one suite on several configurations."""

    tenant: str
    runs: dict[str, SuiteRun]
    reports: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """One summary row per variant."""
        out = []
        for label, run in self.runs.items():
            m = run.metrics
            cost = m.get("cost_per_conversation_usd") or 0.0
            out.append(
                {
                    "variant": label,
                    "pass_rate": m.get("pass_rate"),
                    "intent_accuracy": m.get("intent_accuracy"),
                    "p50_ms": (m.get("latency_ms") or {}).get("p50"),
                    "p95_ms": (m.get("latency_ms") or {}).get("p95"),
                    "cost_per_1000_conversations_usd": round(cost * 1000, 4),
                    "personal_data_leaks": m.get("personal_data_leaks", 0),
                    "answer_modes": m.get("answer_modes", {}),
                    "routes": m.get("routes", {}),
                    "gate_failures": run.gate_failures,
                    "provider_problems": run.info.get("provider_problems", {}),
                }
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        """The JSON report."""
        return {
            "tenant": self.tenant,
            "variants": self.rows(),
            "runs": {label: run.as_dict() for label, run in self.runs.items()},
        }


def compare_configs(
    settings: Settings,
    slug: str,
    variants: Sequence[tuple[str, TenantConfig]],
    scenarios: Sequence[Scenario],
    *,
    repeat: int = 1,
    jobs: int = 4,
    api_fakes: Sequence[Any] = (),
    judge: bool = False,
    report_dir: Path | None = None,
) -> Comparison:
    """Run ``scenarios`` on each (label, config) variant in turn; reports go to ``report_dir``."""
    if len(variants) < 2:
        raise ValueError("compare needs at least two configurations")
    first = variants[0][1]
    for label, config in variants:
        if config.slug != slug:
            raise ValueError(f"variant {label}: slug '{config.slug}' is not '{slug}' (variants are of one tenant)")
        if config.knowledge != first.knowledge:
            raise ValueError(
                f"variant {label}: its `knowledge` section differs from {variants[0][0]}'s; "
                "variants must share the indexed documents"
            )
    runs: dict[str, SuiteRun] = {}
    for label, config in variants:
        started = datetime.now(UTC).isoformat()
        results, metrics, info = execute(
            settings, slug, config, scenarios, repeat=repeat, jobs=jobs, api_fakes=api_fakes, judge=judge
        )
        from .gate import evaluate_thresholds
        from .loading import suite_digest

        runs[label] = SuiteRun(
            slug,
            None,
            config.digest(),
            0,
            suite_digest(scenarios),
            repeat,
            results,
            metrics,
            evaluate_thresholds(metrics, config.evals.gate),
            info,
            label="compare",
            started_at=started,
            finished_at=datetime.now(UTC).isoformat(),
        )
    comparison = Comparison(slug, runs)
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "compare.json").write_text(
            json.dumps(comparison.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        (report_dir / "compare.html").write_text(_html(comparison), encoding="utf-8")
        comparison.reports = {
            "json": str((report_dir / "compare.json").resolve()),
            "html": str((report_dir / "compare.html").resolve()),
        }
    return comparison


_TEMPLATE = """<!DOCTYPE html>
<html lang="he" dir="rtl"><head><meta charset="utf-8"><title>השוואת תצורות — {{ c.tenant }}</title>
<style>body{font-family:Arial,'Noto Sans Hebrew',sans-serif;margin:24px;background:#f6f7f9}
table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #dde2e7;padding:6px 10px;text-align:start}
th{background:#eef1f4}.bad{color:#c62828}
figure{background:#fff;border:1px solid #dde2e7;padding:8px;margin:12px 0}</style>
</head><body>
<h1>השוואת תצורות — <bdi>{{ c.tenant }}</bdi></h1>
<table><thead><tr><th>תצורה</th><th>שיעור הצלחה</th><th>דיוק כוונות</th><th>p50</th><th>p95</th>
<th>עלות ל-1,000 שיחות</th><th>דליפות מידע אישי</th><th>אופני תשובה</th><th>ניתוב</th></tr></thead><tbody>
{% for r in rows %}<tr><td><bdi>{{ r.variant }}</bdi></td><td><bdi>{{ pct(r.pass_rate) }}</bdi></td>
<td><bdi>{{ pct(r.intent_accuracy) }}</bdi></td><td><bdi>{{ r.p50_ms }} ms</bdi></td>
<td><bdi>{{ r.p95_ms }} ms</bdi></td>
<td><bdi>${{ '%.2f'|format(r.cost_per_1000_conversations_usd) }}</bdi></td>
<td class="{{ 'bad' if r.personal_data_leaks else '' }}"><bdi>{{ r.personal_data_leaks }}</bdi></td>
<td dir="ltr">{{ r.answer_modes }}</td><td dir="ltr">{{ r.routes }}</td></tr>{% endfor %}
</tbody></table>
<figure>{{ chart_pass }}</figure><figure>{{ chart_cost }}</figure>
</body></html>
"""


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.0%}"


def _html(c: Comparison) -> str:
    rows = c.rows()
    env = Environment(autoescape=True)
    costs = [(r["variant"], r["cost_per_1000_conversations_usd"]) for r in rows]
    return env.from_string(_TEMPLATE).render(
        c=c,
        rows=rows,
        pct=_pct,
        chart_pass=Markup(
            bars_rtl([(r["variant"], r["pass_rate"] or 0.0) for r in rows], title="שיעור הצלחה לפי תצורה", maximum=1.0)
        ),
        chart_cost=Markup(
            bars_rtl(
                costs,
                title="עלות ל-1,000 שיחות (דולר)",
                unit="$",
                maximum=max((v for _, v in costs), default=0) or 1.0,
                colors=["#6a1b9a"],
            )
        ),
    )
