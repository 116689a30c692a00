"""run_routed: fallback, sovereignty, degradation, circuit breakers, and the ledger rows it writes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from sochen.config.sections.models import ModelsConfig
from sochen.config.settings import Settings
from sochen.db.models import LlmCall
from sochen.db.session import session_scope
from sochen.llm.health import HealthBoard
from sochen.llm.ledger import month_spend
from sochen.llm.providers import (
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    Refused,
    Truncated,
    build_providers,
)
from sochen.llm.providers.scripted import ScriptedProvider
from sochen.llm.router import RouteRequest, Sensitivity
from sochen.llm.service import SovereigntyViolation, run_routed

from ._helpers import hybrid_models

pytestmark = pytest.mark.unit

PII = Sensitivity(True, frozenset({"israeli_id"}))
SIMPLE = "מה שעות הפעילות?"
COMPLEX = "השווה בין שתי ההצעות ונמק"


def providers(models: ModelsConfig, settings: Settings) -> dict[str, ScriptedProvider]:
    built = build_providers(models, settings=settings)
    out: dict[str, ScriptedProvider] = {}
    for name, p in built.items():
        assert isinstance(p, ScriptedProvider)
        p.default = f"answer from {name}"
        out[name] = p
    return out


def rows(url: str) -> list[LlmCall]:
    with session_scope(url) as s:
        return list(s.scalars(select(LlmCall).order_by(LlmCall.attempt)))


def msgs(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_simple_request_answered_locally_and_recorded(ledger_url: str, settings: Settings) -> None:
    models = hybrid_models()
    ps = providers(models, settings)
    with session_scope(ledger_url) as s:
        result = run_routed(
            RouteRequest(SIMPLE, Sensitivity(), task="answer"),
            msgs(SIMPLE),
            tenant="clinic",
            models=models,
            providers=ps,
            session=s,
            conversation_id="conv-1",
        )
    assert result.text == "answer from local1" and result.provider == "local1" and not result.degraded
    [row] = rows(ledger_url)
    assert (row.tenant_slug, row.conversation_id, row.provider, row.model, row.locality, row.route) == (
        "clinic",
        "conv-1",
        "local1",
        "local-a",
        "local",
        "local",
    )
    assert (row.reason_code, row.outcome, row.attempt, row.task) == ("simple_local", "ok", 1, "answer")
    assert row.request_id == result.request_id and row.cost_usd == 0.0
    assert row.tokens_in > 0 and row.tokens_out > 0 and row.complexity is not None
    assert "local model" in row.reason


def test_api_call_is_priced(ledger_url: str, settings: Settings) -> None:
    models = hybrid_models()
    ps = providers(models, settings)
    with session_scope(ledger_url) as s:
        result = run_routed(
            RouteRequest(COMPLEX, Sensitivity()),
            msgs(COMPLEX),
            tenant="clinic",
            models=models,
            providers=ps,
            session=s,
        )
    [row] = rows(ledger_url)
    assert result.provider == "api1" and row.locality == "api" and row.reason_code == "complex_api"
    expected = (row.tokens_in * 0.15 + row.tokens_out * 0.6) / 1e6  # gpt-4o-mini default price
    assert row.cost_usd == pytest.approx(expected)


def test_tenant_price_override_wins(ledger_url: str, settings: Settings) -> None:
    raw = hybrid_models().model_dump()
    raw["prices"] = {"gpt-4o-mini": {"input_per_mtok": 1000.0, "output_per_mtok": 0.0}}
    models = ModelsConfig.model_validate(raw)
    ps = providers(models, settings)
    with session_scope(ledger_url) as s:
        run_routed(
            RouteRequest(COMPLEX, Sensitivity()),
            msgs(COMPLEX),
            tenant="t",
            models=models,
            providers=ps,
            session=s,
        )
    [row] = rows(ledger_url)
    assert row.cost_usd == pytest.approx(row.tokens_in * 1000.0 / 1e6)


def test_fallback_through_the_chain_records_every_attempt(ledger_url: str, settings: Settings) -> None:
    models = hybrid_models()
    ps = providers(models, settings)
    ps["api1"].add(".", RateLimited("busy", retry_after=20))
    ps["api2"].add(".", ProviderTimeout("slow"))
    health = HealthBoard(failure_threshold=1)
    with session_scope(ledger_url) as s:
        result = run_routed(
            RouteRequest(COMPLEX, Sensitivity()),
            msgs(COMPLEX),
            tenant="t",
            models=models,
            providers=ps,
            session=s,
            health=health,
        )
    assert result.provider == "local1" and result.text == "answer from local1"
    assert [r.outcome for r in rows(ledger_url)] == ["error:rate_limited", "error:timeout", "fallback"]
    assert [r.provider for r in rows(ledger_url)] == ["api1", "api2", "local1"]
    assert len({r.request_id for r in rows(ledger_url)}) == 1
    assert health.state("api1") == "open" and health.state("api2") == "open"
    nxt = run_routed(
        RouteRequest(COMPLEX, Sensitivity()),
        msgs(COMPLEX),
        tenant="t",
        models=models,
        providers=ps,
        session=None,
        health=health,
    )
    assert nxt.decision.reason.code == "api_unavailable" and nxt.provider == "local1"


def test_sensitive_never_falls_back_to_the_api(ledger_url: str, settings: Settings) -> None:
    models = hybrid_models()
    ps = providers(models, settings)
    ps["local1"].add(".", ProviderUnavailable("down"))
    ps["local2"].add(".", ProviderTimeout("slow"))
    with session_scope(ledger_url) as s:
        result = run_routed(
            RouteRequest(COMPLEX, PII), msgs(COMPLEX), tenant="t", models=models, providers=ps, session=s
        )
    assert result.degraded and result.final_reason == "all_failed"
    assert ps["api1"].calls == [] and ps["api2"].calls == []
    recorded = rows(ledger_url)
    assert [r.outcome for r in recorded] == ["error:unavailable", "error:timeout", "degraded"]
    assert all(r.sensitive and r.sensitivity_types == ["israeli_id"] for r in recorded)
    assert all(r.locality != "api" for r in recorded)
    assert recorded[-1].route == "none" and recorded[-1].reason_code == "all_failed"


def test_sensitive_with_only_the_api_healthy_degrades_without_calling_anything(
    ledger_url: str, settings: Settings
) -> None:
    models = hybrid_models()
    ps = providers(models, settings)
    health = HealthBoard()
    health.trip("local1")
    health.trip("local2")
    with session_scope(ledger_url) as s:
        result = run_routed(
            RouteRequest(SIMPLE, PII),
            msgs(SIMPLE),
            tenant="t",
            models=models,
            providers=ps,
            session=s,
            health=health,
        )
    assert result.degraded and result.decision.reason.code == "sensitive_no_local"
    assert all(p.calls == [] for p in ps.values())
    [row] = rows(ledger_url)
    assert (row.route, row.outcome, row.reason_code, row.provider) == (
        "none",
        "degraded",
        "sensitive_no_local",
        None,
    )


def test_refusal_ends_the_chain(ledger_url: str, settings: Settings) -> None:
    models = hybrid_models()
    ps = providers(models, settings)
    ps["local1"].add(".", Refused("no"))
    with session_scope(ledger_url) as s:
        result = run_routed(
            RouteRequest(SIMPLE, Sensitivity()),
            msgs(SIMPLE),
            tenant="t",
            models=models,
            providers=ps,
            session=s,
        )
    assert result.degraded and result.final_reason == "refused" and ps["local2"].calls == []
    assert [r.reason_code for r in rows(ledger_url)] == ["simple_local", "refused"]


def test_an_answer_cut_off_at_the_token_cap_ends_the_chain_and_spares_the_breaker(
    ledger_url: str, settings: Settings
) -> None:
    # A runaway generation is the request's doing, not the provider's: no fallback, no breaker failure.
    models = hybrid_models()
    ps = providers(models, settings)
    ps["local1"].add(".", Truncated("cut off at the output-token cap"))
    health = HealthBoard(failure_threshold=1)
    with session_scope(ledger_url) as s:
        result = run_routed(
            RouteRequest(SIMPLE, Sensitivity()),
            msgs(SIMPLE),
            tenant="t",
            models=models,
            providers=ps,
            session=s,
            health=health,
        )
    assert result.degraded and result.final_reason == "refused" and ps["local2"].calls == []
    assert [r.outcome for r in rows(ledger_url)] == ["error:truncated", "degraded"]
    assert health.state("local1") == "closed"  # one failure would have opened it (threshold 1)


def test_defence_in_depth_against_a_mislabelled_provider(settings: Settings) -> None:
    models = hybrid_models()
    ps = providers(models, settings)
    # A provider object whose own locality disagrees with the policy is refused for sensitive content.
    ps["local1"] = ScriptedProvider("local1", models.providers["api1"], settings=settings, default="x")
    with pytest.raises(SovereigntyViolation):
        run_routed(RouteRequest(SIMPLE, PII), msgs(SIMPLE), tenant="t", models=models, providers=ps, session=None)


def test_budget_is_read_from_the_ledger(ledger_url: str, settings: Settings) -> None:
    models = hybrid_models(monthly_budget_usd=5)
    ps = providers(models, settings)
    with session_scope(ledger_url) as s:
        s.add(
            LlmCall(
                tenant_slug="t",
                provider="api1",
                model="gpt-4o",
                locality="api",
                route="api",
                reason="x",
                reason_code="complex_api",
                cost_usd=5.0,
                outcome="ok",
            )
        )
        s.add(
            LlmCall(
                tenant_slug="other",
                provider="api1",
                model="gpt-4o",
                locality="api",
                route="api",
                reason="x",
                cost_usd=50.0,
                outcome="ok",
            )
        )
        s.add(
            LlmCall(
                tenant_slug="t",
                provider="api1",
                model="gpt-4o",
                locality="api",
                route="api",
                reason="x",
                cost_usd=50.0,
                outcome="ok",
                created_at=datetime(2020, 1, 15, tzinfo=UTC),
            )
        )
    with session_scope(ledger_url) as s:
        assert month_spend(s, "t") == pytest.approx(5.0)
        assert month_spend(s, "t", month=date(2020, 1, 1)) == pytest.approx(50.0)
        result = run_routed(
            RouteRequest(COMPLEX, Sensitivity()),
            msgs(COMPLEX),
            tenant="t",
            models=models,
            providers=ps,
            session=s,
        )
    assert result.decision.reason.code == "budget_exceeded" and result.provider == "local1"


def test_ledger_never_stores_text(ledger_url: str, settings: Settings) -> None:
    models = hybrid_models()
    ps = providers(models, settings)
    secret = "ת.ז. 123456782 וטלפון 050-1234567"
    with session_scope(ledger_url) as s:
        run_routed(RouteRequest(secret, PII), msgs(secret), tenant="t", models=models, providers=ps, session=s)
    [row] = rows(ledger_url)
    stored = " ".join(str(getattr(row, c.key)) for c in LlmCall.__table__.columns)
    assert "123456782" not in stored and "050-1234567" not in stored
