"""The monthly usage report behind ``sochen usage`` and the console: spend, tokens, routes, build vs. buy.

:func:`tenant_usage` is the one entry point for a tenant's month (the CLI and the console's owner page
call it); :func:`usage_history` gives the months before it and :func:`break_even` where the tenant's API
spend stands against one self-hosted server's monthly cost (``LlmSettings.selfhost_server_monthly_usd``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ..db.models import LlmCall
from .ledger import month_rows, parse_month
from .settings import LlmSettings

__all__ = [
    "BREAK_EVEN_NOTE",
    "break_even",
    "build_vs_buy",
    "percentile",
    "tenant_usage",
    "usage_history",
    "usage_report",
]

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
    providers: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: {"calls": 0, "tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0}
    )
    answered_by: dict[str, str] = {}  # request → where its answer came from: 'local', 'api' or 'none'
    for row in rows:
        outcomes[row.outcome.split(":")[0] if row.outcome.startswith("error") else row.outcome] += 1
        if row.request_id:
            requests.add(row.request_id)
        if row.outcome == "degraded" or row.outcome in ("ok", "fallback"):
            reasons[row.reason_code or "unknown"] += 1  # one count per request: its final row
            answered_by[row.request_id or row.id] = (row.locality or "none") if row.provider else "none"
        if row.provider is None:
            continue
        per_provider = providers[(row.provider, row.locality or "none")]
        per_provider["calls"] += 1
        per_provider["tokens_in"] += row.tokens_in
        per_provider["tokens_out"] += row.tokens_out
        per_provider["cost_usd"] += row.cost_usd
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
    by_provider = [
        {
            "provider": name,
            "locality": locality,
            **{k: round(v, 6) if k == "cost_usd" else int(v) for k, v in s.items()},
        }
        for (name, locality), s in sorted(providers.items(), key=lambda kv: (-kv[1]["cost_usd"], kv[0]))
    ]
    where = Counter(answered_by.values())
    routed = sum(where.values())
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
        "by_provider": by_provider,
        "answered_by": {"local": where["local"], "api": where["api"], "none": where["none"]},
        "local_share": round(where["local"] / routed, 4) if routed else None,
        "reasons": dict(reasons.most_common()),
        "latency_ms": {"p50": _round(percentile(latencies, 50)), "p95": _round(percentile(latencies, 95))},
        "sensitive_calls_to_api": sensitive_to_api,
        "api_spend_usd": round(api_spend, 6),
        "build_vs_buy": build_vs_buy(api_spend, api_tokens, settings),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _zone(session: Session, tenant: str) -> tuple[ZoneInfo, dict[str, Any]]:
    """The tenant's time zone (months are its calendar months) and its newest configuration."""
    from ..db.tenants import TenantNotFoundError, latest_version

    try:
        config = latest_version(session, tenant).config
    except TenantNotFoundError:
        config = {}
    return ZoneInfo(str(config.get("timezone") or "Asia/Jerusalem")), config


def tenant_usage(
    session: Session, tenant: str, month: str | date | None = None, *, settings: LlmSettings | None = None
) -> dict[str, Any]:
    """:func:`usage_report` of one calendar month of ``tenant`` in its time zone, with its monthly budget.

    ``month`` is ``YYYY-MM`` or the first day of a month (default: this month). A bad month raises
    ``ValueError`` with a message that says the expected form.
    """
    settings = settings or LlmSettings()
    zone, config = _zone(session, tenant)
    first_day = month if isinstance(month, date) else parse_month(month, tz=zone)
    report = usage_report(
        month_rows(session, tenant, first_day, zone), tenant=tenant, month=first_day, settings=settings
    )
    report["monthly_budget_usd"] = ((config.get("models") or {}).get("policy") or {}).get("monthly_budget_usd")
    return report


def _months_back(first_day: date, count: int) -> list[date]:
    """``count`` first days of months ending with ``first_day``, oldest first."""
    out = []
    year, month = first_day.year, first_day.month
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def usage_history(
    session: Session,
    tenant: str,
    *,
    months: int = 6,
    until: str | date | None = None,
    settings: LlmSettings | None = None,
) -> list[dict[str, Any]]:
    """:func:`tenant_usage` of the ``months`` calendar months up to ``until``, oldest first.

    ``until`` is ``YYYY-MM`` or a date in the last month (default: this month in the tenant's zone);
    a bad month raises ``ValueError``. The last item is that month's full report.
    """
    settings = settings or LlmSettings()
    zone, _ = _zone(session, tenant)
    last = until.replace(day=1) if isinstance(until, date) else parse_month(until, tz=zone)
    return [tenant_usage(session, tenant, first, settings=settings) for first in _months_back(last, months)]


def break_even(history: list[dict[str, Any]], server_monthly_usd: float) -> dict[str, Any]:
    """Where the monthly API spend stands against one self-hosted server's monthly cost.

    ``share`` is the last month's spend over the server's cost (1.0 = break-even). The trend is a
    least-squares line through the months' spend; when it rises and the last month is below the
    server's cost, ``months_to_break_even`` is how many more months at that pace until it crosses.
    """
    spend = [float(m.get("api_spend_usd") or 0.0) for m in history]
    current = spend[-1] if spend else 0.0
    slope = 0.0
    if len(spend) >= 2:
        n = len(spend)
        mean_x, mean_y = (n - 1) / 2, sum(spend) / n
        var = sum((i - mean_x) ** 2 for i in range(n))
        slope = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(spend)) / var if var else 0.0
    months_left: float | None = None
    if current >= server_monthly_usd:
        months_left = 0.0
    elif slope > 0:
        months_left = round((server_monthly_usd - current) / slope, 1)
    return {
        "server_monthly_usd": server_monthly_usd,
        "current_api_spend_usd": round(current, 4),
        "share": round(current / server_monthly_usd, 4) if server_monthly_usd else None,
        "trend_usd_per_month": round(slope, 4),
        "months_to_break_even": months_left,
        "cheaper": "self-hosted server" if current > server_monthly_usd else "api",
        "note": BREAK_EVEN_NOTE,
    }
