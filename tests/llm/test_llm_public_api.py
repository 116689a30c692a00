"""The public surface of sochen.llm is exactly what is intended, and every name in __all__ exists."""

from __future__ import annotations

import importlib

import pytest

pytestmark = pytest.mark.unit

MODULES = [
    "sochen.llm",
    "sochen.llm.providers",
    "sochen.llm.providers.base",
    "sochen.llm.router",
    "sochen.llm.service",
    "sochen.llm.ledger",
    "sochen.llm.health",
    "sochen.llm.prices",
    "sochen.llm.usage",
    "sochen.llm.answer",
    "sochen.llm.testing",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing


def test_top_level_surface() -> None:
    import sochen.llm as llm

    assert {"route", "run_routed", "build_provider", "grounded_answer", "RouteDecision", "ProviderError"} <= set(
        llm.__all__
    )
    assert sorted(llm.__all__) == sorted(set(llm.__all__))


def test_provider_errors_form_a_closed_set() -> None:
    from sochen.llm.providers import base

    kinds = {c.kind: c.retryable for c in base.ProviderError.__subclasses__()}
    assert kinds == {"timeout": True, "unavailable": True, "rate_limited": True, "invalid": False, "refused": False}
    # An answer cut off at the token cap is a kind of refusal: it ends the route chain the same way.
    assert {c.kind: c.retryable for c in base.Refused.__subclasses__()} == {"truncated": False}
