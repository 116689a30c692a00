"""Models per tenant: providers, the sovereignty-aware router, the cost ledger and grounded answers.

- :mod:`sochen.llm.providers` — the provider contract (``providers/base.py``), the registry of
  kinds (``providers/registry.py``, entry-point group ``sochen.providers``) and the built-ins:
  ``ollama``, ``openai`` (any OpenAI-compatible endpoint), ``llamacpp`` (a GGUF served in-process
  by llama.cpp through xllamacpp) and ``scripted`` (the test double); :func:`build_provider` makes
  one from a tenant's configuration.
- :mod:`sochen.llm.fetched` — opt-in GGUF models, fetched on request and verified by SHA-256;
  :mod:`sochen.llm.presets` — named models sections for ``sochen evals run|compare --provider``.
- :mod:`sochen.llm.router` — :func:`route` decides local / API / degrade and why; sensitive
  content goes to a local model or nowhere.
- :mod:`sochen.llm.service` — :func:`run_routed` executes a decision with fallback and writes the
  ledger (:mod:`sochen.llm.ledger`); prices are data (:mod:`sochen.llm.prices`).
- :mod:`sochen.llm.answer` — :func:`grounded_answer` with verified citations.
- :mod:`sochen.llm.testing` — loopback fakes of the Ollama and OpenAI wire protocols.
"""

from __future__ import annotations

from .answer import Answer, Citation, Passage, grounded_answer
from .complexity import Complexity, estimate_complexity
from .health import CircuitBreaker, HealthBoard
from .ledger import month_spend
from .prices import call_cost, price_for
from .providers import (
    Completion,
    Health,
    InvalidRequest,
    Message,
    Provider,
    ProviderConfigError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    Refused,
    Truncated,
    Usage,
    build_provider,
    build_providers,
)
from .router import (
    REASONS,
    BudgetState,
    Reason,
    RouteDecision,
    RouteRequest,
    Sensitivity,
    SensitivityLike,
    route,
)
from .service import RoutedResult, SovereigntyViolation, run_routed
from .settings import LlmSettings

__all__ = [
    "REASONS",
    "Answer",
    "BudgetState",
    "CircuitBreaker",
    "Citation",
    "Completion",
    "Complexity",
    "Health",
    "HealthBoard",
    "InvalidRequest",
    "LlmSettings",
    "Message",
    "Passage",
    "Provider",
    "ProviderConfigError",
    "ProviderError",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "Reason",
    "Refused",
    "RouteDecision",
    "RouteRequest",
    "RoutedResult",
    "Sensitivity",
    "SensitivityLike",
    "SovereigntyViolation",
    "Truncated",
    "Usage",
    "build_provider",
    "build_providers",
    "call_cost",
    "estimate_complexity",
    "grounded_answer",
    "month_spend",
    "price_for",
    "route",
    "run_routed",
]
