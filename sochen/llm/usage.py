"""The monthly usage report behind ``sochen usage``: spend, tokens, route reasons, latency, build vs. buy."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..db.models import LlmCall
from .settings import LlmSettings

__all__ = ["BREAK_EVEN_NOTE", "build_vs_buy", "percentile", "usage_report"]

BREAK_EVEN_NOTE = (
    "Rule of thumb: self-hosting usually pays off only around $20–30K of API spend a month, once "
    "engineering time, redundancy (at least two GPUs) and operations are counted, not just GPU rent. "
    "כלל אצבע: אירוח עצמי משתלם בדרך כלל רק סביב 20–30 אלף דולר הוצאה חודשית על API."
)


def percentile(values: list[float], q: float) -> float | None:
    """The `q`-th percentile (0–100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class _Bucket:
    model: str
    route: str


def build_vs_buy(api_spend_usd: float, api_tokens: int, settings: LlmSettings) -> dict[str, Any]:
    """Compare the month's API spend with serving the same tokens on dedicated self-hosted GPUs."""
    gpu_hours_needed = api_tokens / settings.gpu_tokens_per_s / 3600
    gpus = max(1, math.ceil(gpu_hours_needed / settings.gpu_hours_per_month))
    monthly = gpus * settings.gpu_hourly_usd * settings.gpu_hours_per_month
    return {
        "api_spend_usd": round(api_spend_usd, 4),
        "api_tokens": api_tokens,
        "gpu_hours_needed": round(gpu_hours_needed, 2),
        "gpus": gpus,
        "selfhost_gpu_monthly_usd": round(monthly, 2),
        "gpu_hourly_usd": settings.gpu_hourly_usd,
        "gpu_tokens_per_s": settings.gpu_tokens_per_s,
        "cheaper": "api" if api_spend_usd <= monthly else "self-hosted GPU (before people and operations)",
        "note": BREAK_EVEN_NOTE,
    }


def usage_report(rows: Iterable[LlmCall], *, tenant: str, month: date, settings: LlmSettings) -> dict[str, Any]:
    """Summarise one month of ledger rows."""
    spend: dict[_Bucket, dict[str, float]] = defaultdict(
        lambda: {"calls": 0, "tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0}
    )
    reasons: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    requests: set[str] = set()
    sensitive_to_api = 0
    api_spend = 0.0
    api_tokens = 0
    for row in rows:
        outcomes[row.outcome.split(":")[0] if row.outcome.startswith("error") else row.outcome] += 1
        if row.request_id:
            requests.add(row.request_id)
        if row.outcome == "degraded" or row.outcome in ("ok", "fallback"):
            reasons[row.reason_code or "unknown"] += 1  # one count per request: its final row
        if row.provider is None:
            continue
        bucket = spend[_Bucket(row.model or "?", row.route)]
        bucket["calls"] += 1
        bucket["tokens_in"] += row.tokens_in
        bucket["tokens_out"] += row.tokens_out
        bucket["cost_usd"] += row.cost_usd
        if row.outcome in ("ok", "fallback"):
            latencies.append(row.latency_ms)
        if row.locality == "api":
            api_spend += row.cost_usd
            api_tokens += row.tokens_in + row.tokens_out
            sensitive_to_api += int(bool(row.sensitive))
    by_model = [
        {
            "model": b.model,
            "route": b.route,
            **{k: round(v, 6) if k == "cost_usd" else int(v) for k, v in s.items()},
        }
        for b, s in sorted(spend.items(), key=lambda kv: (-kv[1]["cost_usd"], kv[0].model))
    ]
    return {
        "tenant": tenant,
        "month": month.strftime("%Y-%m"),
        "requests": len(requests),
        "calls": sum(outcomes.values()),
        "outcomes": dict(outcomes.most_common()),
        "total_cost_usd": round(sum(s["cost_usd"] for s in spend.values()), 6),
        "tokens_in": sum(int(s["tokens_in"]) for s in spend.values()),
        "tokens_out": sum(int(s["tokens_out"]) for s in spend.values()),
        "by_model": by_model,
        "reasons": dict(reasons.most_common()),
        "latency_ms": {"p50": _round(percentile(latencies, 50)), "p95": _round(percentile(latencies, 95))},
        "sensitive_calls_to_api": sensitive_to_api,
        "build_vs_buy": build_vs_buy(api_spend, api_tokens, settings),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
