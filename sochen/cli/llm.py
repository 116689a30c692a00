"""``sochen usage``: the model ledger of one tenant for one month."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from .app import app, console, fail, print_json
from .context import db_session


@app.command("usage")
def usage(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug."),
    month: str | None = typer.Option(None, "--month", help="Calendar month YYYY-MM (default: this month)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Model spend and tokens per model and route, route reasons, latency, and build versus buy."""
    from ..llm.usage import tenant_usage

    with db_session() as session:
        try:
            report = tenant_usage(session, tenant, month)
        except ValueError as exc:
            fail(str(exc), code=2)
    if json_out:
        print_json(report)
        return
    _print(report)


def _print(report: dict[str, Any]) -> None:
    console.print(
        f"[bold]{report['tenant']}[/] — {report['month']}: {report['requests']} requests, "
        f"{report['calls']} ledger rows, ${report['total_cost_usd']:.4f}"
        + (f" of ${report['monthly_budget_usd']:.2f} budget" if report.get("monthly_budget_usd") is not None else ""),
        highlight=False,
    )
    table = Table("model", "route", "calls", "tokens in", "tokens out", "USD", title="spend per model and route")
    for row in report["by_model"]:
        table.add_row(
            row["model"],
            row["route"],
            str(row["calls"]),
            f"{row['tokens_in']:,}",
            f"{row['tokens_out']:,}",
            f"{row['cost_usd']:.4f}",
        )
    console.print(table)
    reasons = Table("reason", "requests", title="route reasons")
    for code, count in report["reasons"].items():
        reasons.add_row(code, str(count))
    console.print(reasons)
    lat = report["latency_ms"]
    console.print(f"latency p50 {lat['p50']} ms · p95 {lat['p95']} ms · outcomes {report['outcomes']}", highlight=False)
    if report["sensitive_calls_to_api"]:
        console.print(f"[bold red]sensitive calls sent to an API: {report['sensitive_calls_to_api']}[/]")
    bvb = report["build_vs_buy"]
    console.print(
        f"build vs buy: API ${bvb['api_spend_usd']:.2f} this month for {bvb['api_tokens']:,} tokens; "
        f"the same on {bvb['gpus']} self-hosted GPU(s) at ${bvb['gpu_hourly_usd']}/h "
        f"≈ ${bvb['selfhost_gpu_monthly_usd']:,.0f}/month ({bvb['gpu_hours_needed']} GPU-hours of work at "
        f"{bvb['gpu_tokens_per_s']:.0f} tokens/s) → cheaper: {bvb['cheaper']}.",
        highlight=False,
    )
    console.print(bvb["note"], highlight=False)
