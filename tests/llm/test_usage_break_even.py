"""Usage per provider, the share of requests answered locally, the months before, and the break-even."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sochen.db.migrate import upgrade
from sochen.db.models import LlmCall
from sochen.db.session import session_scope
from sochen.llm.settings import LlmSettings
from sochen.llm.usage import break_even, tenant_usage, usage_history, usage_report

pytestmark = pytest.mark.unit


def _row(request: str, *, provider: str | None, locality: str | None, outcome: str = "ok", **kw: object) -> LlmCall:
    base: dict[str, object] = dict(
        tenant_slug="clinic",
        request_id=request,
        provider=provider,
        model=None if provider is None else f"{provider}-model",
        locality=locality,
        route=locality or "none",
        reason_code="simple",
        reason="x",
        tokens_in=100,
        tokens_out=20,
        cost_usd=0.0,
        latency_ms=100.0,
        outcome=outcome,
    )
    return LlmCall(**{**base, **kw})


def test_per_provider_and_the_share_of_requests_answered_by_a_local_model() -> None:
    rows = [
        _row("r1", provider="ollama", locality="local"),
        _row("r2", provider="ollama", locality="local"),
        # r3: the local model failed, the API answered: one request, answered by the API.
        _row("r3", provider="ollama", locality="local", outcome="error:unreachable"),
        _row("r3", provider="openai", locality="api", outcome="fallback", cost_usd=0.02, attempt=2),
        _row("r4", provider="openai", locality="api", cost_usd=0.03),
        # r5: sensitive, nothing local could answer: degraded, no model.
        _row("r5", provider=None, locality=None, outcome="degraded"),
    ]
    report = usage_report(rows, tenant="clinic", month=date(2026, 11, 1), settings=LlmSettings())
    assert report["answered_by"] == {"local": 2, "api": 2, "none": 1}
    assert report["local_share"] == 0.4
    by_provider = {(p["provider"], p["locality"]): p for p in report["by_provider"]}
    assert by_provider[("openai", "api")]["calls"] == 2 and by_provider[("openai", "api")]["cost_usd"] == 0.05
    assert by_provider[("ollama", "local")]["calls"] == 3 and by_provider[("ollama", "local")]["cost_usd"] == 0
    assert report["api_spend_usd"] == 0.05
    empty = usage_report([], tenant="clinic", month=date(2026, 11, 1), settings=LlmSettings())
    assert empty["local_share"] is None and empty["by_provider"] == []


def test_break_even_from_the_trend_of_monthly_api_spend() -> None:
    months = [{"api_spend_usd": v} for v in (100.0, 200.0, 300.0, 400.0)]
    rising = break_even(months, 1000.0)
    assert rising["trend_usd_per_month"] == 100.0 and rising["months_to_break_even"] == 6.0
    assert rising["share"] == 0.4 and rising["cheaper"] == "api"
    flat = break_even([{"api_spend_usd": 50.0}] * 3, 1000.0)
    assert flat["months_to_break_even"] is None and flat["trend_usd_per_month"] == 0.0
    above = break_even([{"api_spend_usd": 900.0}, {"api_spend_usd": 1200.0}], 1000.0)
    assert above["months_to_break_even"] == 0.0 and above["cheaper"] == "self-hosted server"
    falling = break_even([{"api_spend_usd": v} for v in (800.0, 400.0)], 1000.0)
    assert falling["months_to_break_even"] is None
    assert break_even([], 1000.0)["current_api_spend_usd"] == 0.0


def test_tenant_usage_and_history_read_calendar_months_in_the_tenants_zone(any_database_url: str) -> None:
    database_url = any_database_url
    upgrade(database_url)
    with session_scope(database_url) as session:
        # 22:30 UTC on 31 October is 00:30 on 1 November in Israel: a November row.
        session.add(
            _row(
                "a",
                provider="openai",
                locality="api",
                cost_usd=5.0,
                created_at=datetime(2026, 10, 31, 22, 30, tzinfo=UTC),
            )
        )
        session.add(
            _row("b", provider="openai", locality="api", cost_usd=2.0, created_at=datetime(2026, 9, 15, tzinfo=UTC))
        )
    with session_scope(database_url) as session:
        november = tenant_usage(session, "clinic", "2026-11")
        assert november["api_spend_usd"] == 5.0 and november["monthly_budget_usd"] is None
        history = usage_history(session, "clinic", months=3, until=date(2026, 11, 1))
        assert [m["month"] for m in history] == ["2026-09", "2026-10", "2026-11"]
        assert [m["api_spend_usd"] for m in history] == [2.0, 0.0, 5.0]
        assert usage_history(session, "clinic", months=2, until="2026-11")[-1] == november
        with pytest.raises(ValueError, match="2026-11"):
            tenant_usage(session, "clinic", "November")
        with pytest.raises(ValueError, match="2026-11"):
            usage_history(session, "clinic", until="November")
