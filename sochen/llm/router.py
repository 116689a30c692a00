"""The sovereignty-aware router: which provider answers a request, and why. It never talks HTTP.

Input: the request (text, optional task type, size of the retrieved context), its sensitivity
(from :func:`sochen.privacy.assess`; anything with ``sensitive`` and ``types`` will do), the
tenant's :class:`~sochen.config.sections.models.ModelsConfig`, the month's API spend and the
provider health board. Output: a :class:`RouteDecision` — the provider, the model, the locality,
a reason (machine code plus Hebrew and English text) and the ordered *chain* of providers that
:func:`sochen.llm.service.run_routed` may fall back through.

The rules, in order:

1. **Sensitive content goes to a local model or nowhere**, in every mode. The chain holds only
   healthy local providers; if there are none the decision is ``degrade`` (route ``none``): hand
   off to a person or send a holding reply. No API provider is ever in a sensitive chain, so no
   failure downstream can send it to one.
2. ``local_only``: healthy local providers.
3. ``api_only``: healthy API providers; when the month's budget is spent, local ones instead.
4. ``hybrid``: a complexity score (:mod:`sochen.llm.complexity`) at or above
   ``complexity_threshold`` prefers the API (local as fallback); below it prefers local (API as
   fallback). A spent budget removes API providers from the chain.
5. Providers whose circuit breaker is open are left out; an empty chain is ``degrade``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ..config.sections.models import ModelsConfig
from .complexity import estimate_complexity
from .health import HealthBoard

__all__ = [
    "REASONS",
    "BudgetState",
    "Reason",
    "RouteDecision",
    "RouteRequest",
    "Sensitivity",
    "SensitivityLike",
    "budget_matters",
    "route",
]

Route = Literal["local", "api", "none"]


class SensitivityLike(Protocol):
    """What the router needs from a privacy assessment (``sochen.privacy.Assessment`` fits)."""

    @property
    def sensitive(self) -> bool:
        """Whether the text holds personal or otherwise sensitive data."""

    @property
    def types(self) -> Collection[str]:
        """Kinds of sensitive data found (``israeli_id``, ``phone``, ``health`` …), never values."""


@dataclass(frozen=True)
class Sensitivity:
    """A plain sensitivity value, for callers without a privacy assessment at hand (and tests)."""

    sensitive: bool = False
    types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reason:
    """Why a request went where it went."""

    code: str
    he: str
    en: str

    def __str__(self) -> str:
        return f"{self.code}: {self.en} / {self.he}"


REASONS: dict[str, Reason] = {
    r.code: r
    for r in [
        Reason("sensitive_local", "מידע רגיש: מעובד במודל מקומי בלבד", "sensitive content: local model only"),
        Reason(
            "sensitive_no_local",
            "מידע רגיש ואין מודל מקומי זמין: העברה לנציג או מענה זמני",
            "sensitive content and no local model available: hand off or send a holding reply",
        ),
        Reason("local_only", "מדיניות הדייר: מודלים מקומיים בלבד", "tenant policy: local models only"),
        Reason("api_only", "מדיניות הדייר: מודלי API", "tenant policy: API models"),
        Reason("simple_local", "בקשה פשוטה: מודל מקומי", "simple request: local model"),
        Reason("complex_api", "בקשה מורכבת: מודל API", "complex request: API model"),
        Reason("api_unavailable", "אין מודל API זמין: מודל מקומי", "no API model available: local model"),
        Reason("local_unavailable", "אין מודל מקומי זמין: מודל API", "no local model available: API model"),
        Reason("budget_exceeded", "תקציב ה-API החודשי נוצל: מודל מקומי", "monthly API budget spent: local model"),
        Reason(
            "no_provider",
            "אין ספק מודל זמין: העברה לנציג או מענה זמני",
            "no model provider available: hand off or send a holding reply",
        ),
        Reason(
            "refused",
            "המודל סירב לענות: העברה לנציג או מענה זמני",
            "the model declined to answer: hand off or send a holding reply",
        ),
        Reason(
            "all_failed",
            "כל ספקי המודל נכשלו: העברה לנציג או מענה זמני",
            "every allowed provider failed: hand off or send a holding reply",
        ),
    ]
}
"""The closed set of route reasons, by code."""


@dataclass(frozen=True)
class RouteRequest:
    """What is being asked."""

    text: str
    sensitivity: SensitivityLike
    task: str | None = None
    """Declared task type (extract, classify, answer, summarise, analyse, compare, draft, …)."""
    context_tokens: int = 0
    """Size of the retrieved context that will go with the request."""


@dataclass(frozen=True)
class BudgetState:
    """The tenant's API spend so far this calendar month (from the ledger)."""

    month_spend_usd: float = 0.0


@dataclass(frozen=True)
class RouteDecision:
    """Where a request goes. ``route == "none"`` means degrade: nothing may answer it."""

    route: Route
    provider: str | None
    model: str | None
    reason: Reason
    sensitive: bool
    sensitivity_types: frozenset[str]
    complexity: float
    chain: tuple[str, ...] = ()
    """Providers to try, in order; the first is :attr:`provider`."""
    signals: tuple[str, ...] = field(default=())

    @property
    def degraded(self) -> bool:
        """Whether no provider may answer (hand off or send a holding reply)."""
        return self.route == "none"

    @property
    def locality(self) -> Literal["local", "api"] | None:
        """Locality of the chosen provider."""
        return None if self.route == "none" else self.route


def budget_matters(request: RouteRequest, models: ModelsConfig) -> bool:
    """Whether the month's API spend can change where `request` goes (if not, the ledger is not read).

    The budget only ever turns an API route into a local one: it cannot matter when no budget is set,
    when the request is sensitive (never an API provider), when the mode is ``local_only``, or when
    the policy names no API provider.
    """
    policy = models.policy
    if policy.monthly_budget_usd is None or policy.mode == "local_only":
        return False
    if request.sensitivity.sensitive:
        return False
    if policy.mode == "api_only":
        return True  # over budget, api_only falls back to the local chain
    return any(models.providers[n].locality == "api" for n in policy.api if n in models.providers)


def route(
    request: RouteRequest,
    models: ModelsConfig,
    *,
    budget: BudgetState | None = None,
    health: HealthBoard | None = None,
) -> RouteDecision:
    """Decide where `request` goes (see the module docstring for the rules)."""
    policy = models.policy
    sensitive = bool(request.sensitivity.sensitive)
    types = frozenset(request.sensitivity.types)
    complexity = estimate_complexity(request.text, task=request.task, context_tokens=request.context_tokens)

    def healthy(names: list[str]) -> list[str]:
        return [n for n in names if health is None or health.is_healthy(n)]

    local = healthy([n for n in policy.local if models.providers[n].locality == "local"])
    api = healthy([n for n in policy.api if models.providers[n].locality == "api"])
    over_budget = (
        budget is not None
        and budget_matters(request, models)
        and budget.month_spend_usd >= (policy.monthly_budget_usd or 0.0)
    )

    chain: list[str]
    if sensitive:
        chain, code = local, "sensitive_local"  # rule 1: never an API provider, whatever the mode
    elif policy.mode == "local_only":
        chain, code = local, "local_only"
    elif policy.mode == "api_only":
        chain, code = (local, "budget_exceeded") if over_budget else (api, "api_only")
    elif over_budget:
        chain, code = local, "budget_exceeded"
    elif complexity.score >= policy.complexity_threshold:
        chain, code = (api + local, "complex_api") if api else (local, "api_unavailable")
    else:
        chain, code = (local + api, "simple_local") if local else (api, "local_unavailable")

    if not chain:
        code = "sensitive_no_local" if sensitive else "no_provider"
        return RouteDecision(
            "none", None, None, REASONS[code], sensitive, types, complexity.score, (), complexity.signals
        )
    first = chain[0]
    config = models.providers[first]
    return RouteDecision(
        config.locality,
        first,
        config.model,
        REASONS[code],
        sensitive,
        types,
        complexity.score,
        tuple(chain),
        complexity.signals,
    )
