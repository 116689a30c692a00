"""The ``models`` section of a tenant: its model providers and the sovereignty policy routing between them."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from ._base import StrictModel

__all__ = ["ModelPolicy", "ModelsConfig", "PriceConfig", "ProviderConfig"]


_KIND = r"^[a-z][a-z0-9_]{0,62}$"
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class ProviderConfig(BaseModel):
    """One model endpoint the tenant may use.

    Only what routing needs is typed here (``kind``, ``model``, ``locality``). Every other key is a
    kind-specific option (``base_url``, ``api_key_env``, ``timeout_s``, ``model_path``, ...), kept as
    written and validated against that kind's own strict options model by the provider registry
    (``sochen.llm.providers.registry``): at ``sochen tenant apply`` and whenever the provider is built.
    The configuration layer cannot know plugin kinds, so it checks only what holds for every kind:
    a ``*_env`` key names an environment variable.
    """

    model_config = ConfigDict(extra="allow", frozen=True, validate_default=True)

    kind: str = Field(
        pattern=_KIND,
        description="A provider kind registered in the `sochen.providers` entry-point group. Built-ins: "
        "'ollama' (native API), 'openai' (OpenAI API or any OpenAI-compatible server), 'llamacpp' "
        "(embedded GGUF model through xllamacpp), 'scripted' (test double; refused in production). "
        "`sochen models kinds` lists what is installed.",
    )
    model: str = Field(min_length=1, description="Model name as the provider knows it (for llamacpp: a label).")
    locality: Literal["local", "api"] = Field(
        description="'local': runs on infrastructure the tenant controls, may see personal data. "
        "'api': a third-party service; never receives personal data."
    )

    @property
    def options(self) -> dict[str, Any]:
        """The kind-specific keys, as written (validated by the provider registry, not here)."""
        return dict(self.model_extra or {})

    @model_validator(mode="after")
    def _env_references(self) -> ProviderConfig:
        bad = [
            key
            for key, value in (self.model_extra or {}).items()
            if key.endswith("_env") and not (isinstance(value, str) and len(value) <= 128 and _ENV_NAME.match(value))
        ]
        if bad:
            raise ValidationError.from_exception_data(
                "ProviderConfig",
                [
                    {
                        "type": PydanticCustomError(
                            "env_reference",
                            "must name an environment variable (capital letters, digits and '_'), "
                            "never hold the secret itself",
                        ),
                        "loc": (key,),
                        "input": "…",
                    }
                    for key in bad
                ],
            )
        return self


class ModelPolicy(StrictModel):
    """Where requests may go."""

    mode: Literal["local_only", "api_only", "hybrid"] = Field(
        default="local_only",
        description="'local_only': local providers only. 'api_only': API providers only, except that "
        "sensitive requests still go local or nowhere. 'hybrid': simple and sensitive work local, "
        "complex work to the API.",
    )
    local: list[str] = Field(default_factory=list, description="Local provider names, in fallback order.")
    api: list[str] = Field(default_factory=list, description="API provider names, in fallback order.")
    complexity_threshold: float = Field(
        default=0.5, ge=0, le=1, description="Hybrid mode: requests scoring at or above this go to the API."
    )
    monthly_budget_usd: float | None = Field(
        default=None,
        ge=0,
        description="API spend per calendar month after which API traffic falls back to local.",
    )


class PriceConfig(StrictModel):
    """Price of one model, in US dollars per million tokens."""

    input_per_mtok: float = Field(ge=0, description="USD per million input tokens.")
    output_per_mtok: float = Field(ge=0, description="USD per million output tokens.")


class ModelsConfig(StrictModel):
    """The tenant's providers and policy."""

    providers: dict[str, ProviderConfig] = Field(
        default_factory=dict, description="Providers by the name the policy uses for them."
    )
    policy: ModelPolicy = Field(default_factory=ModelPolicy, description="The sovereignty policy.")
    prices: dict[str, PriceConfig] = Field(
        default_factory=dict,
        description="Price overrides per model name (defaults cover common OpenAI models).",
    )

    @model_validator(mode="after")
    def _policy_names_known(self) -> ModelsConfig:
        for group in ("local", "api"):
            for name in getattr(self.policy, group):
                provider = self.providers.get(name)
                if provider is None:
                    known = ", ".join(sorted(self.providers)) or "none defined"
                    raise ValueError(f"policy.{group} names provider '{name}', which is not in providers ({known})")
                if provider.locality != group:
                    raise ValueError(
                        f"policy.{group} names provider '{name}', but its locality is '{provider.locality}'"
                    )
        return self
