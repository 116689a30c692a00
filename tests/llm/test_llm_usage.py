"""Prices as data, the monthly usage report and `sochen usage`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from sochen.config.sections.models import PriceConfig
from sochen.db.models import LlmCall
from sochen.llm.prices import call_cost, default_prices, price_for
from sochen.llm.settings import LlmSettings
from sochen.llm.usage import build_vs_buy, percentile, usage_report

pytestmark = pytest.mark.unit


def test_default_prices_and_overrides() -> None:
    assert default_prices()["gpt-4o-mini"] == PriceConfig(input_per_mtok=0.15, output_per_mtok=0.6)
    assert price_for("gpt-4o-2024-08-06") == default_prices()["gpt-4o"]
    assert price_for("gpt-4o-mini-2024-07-18") == default_prices()["gpt-4o-mini"]  # longest prefix wins
    assert price_for("my-finetune") is None
    mine = {"my-finetune": PriceConfig(input_per_mtok=1, output_per_mtok=2)}
    assert call_cost("my-finetune", "api", 1_000_000, 500_000, mine) == pytest.approx(2.0)
    assert call_cost("gpt-4o", "local", 10**9, 10**9) == 0.0
    assert call_cost("unknown", "api", 1, 1) is None


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([10.0], 95) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile(list(map(float, range(101))), 95) == 95.0


def test_build_vs_buy() -> None:
    s = LlmSettings(gpu_hourly_usd=2.0, gpu_tokens_per_s=1000.0)
    small = build_vs_buy(300.0, 50_000_000, s)
    assert small["gpus"] == 1 and small["selfhost_gpu_monthly_usd"] == 1460.0 and small["cheaper"] == "api"
    assert "20–30K" in small["note"]
    big = build_vs_buy(40_000.0, 5_000_000_000, s)
    assert big["gpus"] == 2 and big["cheaper"].startswith("self-hosted")


def _row(**kw: object) -> LlmCall:
    base: dict[str, object] = dict(
        tenant_slug="clinic",
        provider="local1",
        model="llama3.2",
        locality="local",
        route="local",
        reason_code="simple_local",
        reason="x",
        tokens_in=100,
        tokens_out=20,
        cost_usd=0.0,
        latency_ms=100.0,
        outcome="ok",
        created_at=datetime(2026, 11, 10, 12, tzinfo=UTC),
    )
    base.update(kw)
    return LlmCall(**base)


def _month_rows() -> list[LlmCall]:
    return [
        _row(request_id="a", latency_ms=100.0),
        _row(request_id="b", latency_ms=300.0),
        _row(
            request_id="c",
            provider="api1",
            model="gpt-4o",
            locality="api",
            route="api",
            reason_code="complex_api",
            tokens_in=1000,
            tokens_out=500,
            cost_usd=0.0075,
            latency_ms=900.0,
        ),
        _row(
            request_id="d",
            provider="api1",
            model="gpt-4o",
            locality="api",
            route="api",
            reason_code="complex_api",
            outcome="error:timeout",
            tokens_in=0,
            tokens_out=0,
            latency_ms=0.0,
        ),
        _row(request_id="d", attempt=2, reason_code="complex_api", outcome="fallback", latency_ms=200.0),
        _row(
            request_id="e",
            provider=None,
            model=None,
            locality=None,
            route="none",
            reason_code="sensitive_no_local",
            outcome="degraded",
            sensitive=True,
            tokens_in=0,
            tokens_out=0,
            latency_ms=0.0,
        ),
    ]


def test_usage_report() -> None:
    report = usage_report(_month_rows(), tenant="clinic", month=date(2026, 11, 1), settings=LlmSettings())
    assert report["requests"] == 5 and report["calls"] == 6
    assert report["reasons"] == {"simple_local": 2, "complex_api": 2, "sensitive_no_local": 1}
    assert report["outcomes"] == {"ok": 3, "error": 1, "fallback": 1, "degraded": 1}
    assert report["total_cost_usd"] == pytest.approx(0.0075)
    top = report["by_model"][0]
    assert (top["model"], top["route"], top["calls"], top["tokens_in"]) == ("gpt-4o", "api", 2, 1000)
    assert report["latency_ms"] == {"p50": 250.0, "p95": 810.0}
    assert report["sensitive_calls_to_api"] == 0
    assert report["build_vs_buy"]["api_tokens"] == 1500


def test_sochen_usage_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    from sochen.cli import app
    from sochen.cli.context import ready_database_url
    from sochen.db.session import session_scope

    with session_scope(ready_database_url()) as s:
        s.add_all(_month_rows())
        s.add(_row(tenant_slug="other", request_id="z"))
        s.add(_row(request_id="old", created_at=datetime(2026, 10, 1, 12, tzinfo=UTC)))
    runner = CliRunner()
    out = runner.invoke(app, ["usage", "--tenant", "clinic", "--month", "2026-11", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["month"] == "2026-11" and data["requests"] == 5 and data["total_cost_usd"] == pytest.approx(0.0075)
    text = runner.invoke(app, ["usage", "--tenant", "clinic", "--month", "2026-11"])
    assert text.exit_code == 0, text.output
    assert "build vs buy" in text.stdout and "gpt-4o" in text.stdout and "20–30K" in text.stdout
    bad = runner.invoke(app, ["usage", "--tenant", "clinic", "--month", "November"])
    assert bad.exit_code == 2
