"""Model prices as data: defaults for common OpenAI models, overridable per tenant.

The defaults live in ``sochen/llm/data/prices.json`` (USD per million input and output tokens).
A tenant's ``models.prices`` entries win. A name with a date or version suffix falls back to its
longest known prefix (``gpt-4o-2024-08-06`` → ``gpt-4o``). Local calls always cost 0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

from ..config.sections.models import PriceConfig

__all__ = ["PriceConfig", "call_cost", "default_prices", "price_for"]


@lru_cache(maxsize=1)
def default_prices() -> dict[str, PriceConfig]:
    """The bundled price table."""
    raw = json.loads(resources.files("sochen.llm").joinpath("data/prices.json").read_text(encoding="utf-8"))
    return {name: PriceConfig(input_per_mtok=p[0], output_per_mtok=p[1]) for name, p in raw["models"].items()}


def price_for(model: str, overrides: Mapping[str, PriceConfig] | None = None) -> PriceConfig | None:
    """The price of `model`: the tenant's override, else the default, else by prefix; None if unknown."""
    if overrides and model in overrides:
        return overrides[model]
    table = {**default_prices(), **(overrides or {})}
    if model in table:
        return table[model]
    prefixes = [name for name in table if model.startswith(name + "-") or model.startswith(name + ":")]
    return table[max(prefixes, key=len)] if prefixes else None


def call_cost(
    model: str,
    locality: str,
    input_tokens: int,
    output_tokens: int,
    overrides: Mapping[str, PriceConfig] | None = None,
) -> float | None:
    """USD cost of one call; 0 for local models, None for an API model with no known price."""
    if locality != "api":
        return 0.0
    price = price_for(model, overrides)
    if price is None:
        return None
    return (input_tokens * price.input_per_mtok + output_tokens * price.output_per_mtok) / 1_000_000
