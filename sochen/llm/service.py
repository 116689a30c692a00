"""Run a request where the router sends it, falling back through the allowed chain, and keep the ledger.

:func:`run_routed` asks :func:`sochen.llm.router.route` for a decision, then tries the providers
of its chain in order. A :class:`~sochen.llm.providers.base.ProviderError` moves on to the next
provider, except :class:`~sochen.llm.providers.base.Refused`, which ends the chain (a refusal is an
answer about the content; shopping for a model that complies is not). Every attempt is a ledger
row; a request that ends without an answer gets a final ``degraded`` row. The circuit breakers
learn from every result.

Sensitive requests never reach an API provider: the router leaves them out of the chain, and this
function checks again against both the configuration and the provider object before each call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.orm import Session

from ..config.sections.models import ModelsConfig
from ..db.models import new_id
from .health import HealthBoard
from .ledger import Attempt, month_spend, record
from .prices import call_cost
from .providers.base import Completion, MessageLike, Provider, ProviderError, Refused
from .router import BudgetState, RouteDecision, RouteRequest, budget_matters, route

__all__ = ["RoutedResult", "SovereigntyViolation", "run_routed"]

log = logging.getLogger("sochen.llm")


class SovereigntyViolation(RuntimeError):
    """A sensitive request was about to reach an API provider. This is a bug; the call is refused."""


@dataclass
class RoutedResult:
    """The outcome of one routed request."""

    request_id: str
    decision: RouteDecision
    completion: Completion | None = None
    provider: str | None = None
    """The provider that answered."""
    attempts: list[Attempt] = field(default_factory=list)
    errors: list[ProviderError] = field(default_factory=list)
    final_reason: str = ""
    """Reason code of the final state: the decision's, or 'all_failed' / 'refused' when it degraded late."""

    @property
    def degraded(self) -> bool:
        """No answer: hand off to a person or send a holding reply."""
        return self.completion is None

    @property
    def text(self) -> str | None:
        """The answer text, if any."""
        return self.completion.text if self.completion is not None else None


def run_routed(
    request: RouteRequest,
    messages: Sequence[MessageLike],
    *,
    tenant: str,
    models: ModelsConfig,
    providers: Mapping[str, Provider],
    session: Session | None,
    health: HealthBoard | None = None,
    budget: BudgetState | None = None,
    schema: type[BaseModel] | None = None,
    timeout: float | None = None,
    conversation_id: str | None = None,
    timezone: str | tzinfo = UTC,
) -> RoutedResult:
    """Route `request`, run `messages` on the chosen provider with fallback, and record every attempt.

    `session` receives the ledger rows (flushed; the caller commits); with None nothing is
    recorded. When `budget` is None it is read from the ledger through `session`.
    """
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    if budget is None and session is not None and budget_matters(request, models):
        budget = BudgetState(month_spend(session, tenant, tz=zone))
    decision = route(request, models, budget=budget, health=health)
    result = RoutedResult(new_id(), decision, final_reason=decision.reason.code)
    log.info(
        "route tenant=%s request=%s route=%s provider=%s reason=%s sensitive=%s types=%s complexity=%.2f",
        tenant,
        result.request_id,
        decision.route,
        decision.provider,
        decision.reason.code,
        decision.sensitive,
        ",".join(sorted(decision.sensitivity_types)),
        decision.complexity,
    )

    def write(attempt: Attempt, reason_code: str | None = None) -> None:
        result.attempts.append(attempt)
        if session is not None:
            record(
                session,
                tenant=tenant,
                decision=decision,
                attempt=attempt,
                request_id=result.request_id,
                conversation_id=conversation_id,
                task=request.task,
                reason_code=reason_code,
            )

    for number, name in enumerate(decision.chain, start=1):
        provider = providers.get(name)
        if provider is None:
            raise KeyError(f"provider '{name}' is in the route chain but was not built")
        locality = models.providers[name].locality
        if decision.sensitive and (locality != "local" or provider.locality != "local"):
            raise SovereigntyViolation(f"sensitive request routed to non-local provider '{name}'")
        try:
            completion = provider.complete(messages, schema=schema, timeout=timeout)
        except ProviderError as exc:
            if health is not None:
                health.record_failure(name, exc)
            result.errors.append(exc)
            log.warning("provider %s failed (%s): %s", name, exc.kind, exc)
            write(Attempt(name, provider.model, locality, f"error:{exc.kind}", number))
            if isinstance(exc, Refused):
                result.final_reason = "refused"
                break
            continue
        if health is not None:
            health.record_success(name)
        usage = completion.usage
        cost = call_cost(completion.model, locality, usage.input_tokens, usage.output_tokens, models.prices)
        if cost is None:
            cost = call_cost(provider.model, locality, usage.input_tokens, usage.output_tokens, models.prices)
        if cost is None:
            log.warning(
                "no price for API model %s; recorded at 0 (add models.prices.%s)",
                completion.model,
                provider.model,
            )
            cost = 0.0
        write(
            Attempt(
                name,
                completion.model,
                locality,
                "ok" if number == 1 else "fallback",
                number,
                usage.input_tokens,
                usage.output_tokens,
                cost,
                completion.latency_ms,
            )
        )
        result.completion, result.provider = completion, name
        return result

    if decision.chain and result.final_reason != "refused":
        result.final_reason = "all_failed"
    write(
        Attempt(None, None, None, "degraded", len(decision.chain) + 1),
        reason_code=result.final_reason if decision.chain else None,
    )
    return result
