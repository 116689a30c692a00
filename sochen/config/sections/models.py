"""The ``models`` section of a tenant: its model providers and the sovereignty policy routing between them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ._base import EnvVarName, StrictModel

__all__ = ["ModelPolicy", "ModelsConfig", "PriceConfig", "ProviderConfig"]


class ProviderConfig(StrictModel):
    """One model endpoint the tenant may use."""

    kind: Literal["ollama", "openai", "llamacpp", "scripted"] = Field(
        description="'ollama' (native API), 'openai' (OpenAI API or any OpenAI-compatible server), "
        "'llamacpp' (embedded GGUF model), 'scripted' (test double; refused in production)."
    )
    model: str = Field(description="Model name as the provider knows it (for llamacpp: a label).")
    locality: Literal["local", "api"] = Field(
        description="'local': runs on infrastructure the tenant controls, may see personal data. "
        "'api': a third-party service; never receives personal data."
    )
    base_url: str | None = Field(
        default=None, description="Ollama host or OpenAI-compatible base URL; empty uses the client default."
    )
    api_key_env: EnvVarName | None = Field(
        default=None, description="Environment variable holding the API key (never the key itself)."
    )
    model_path: str | None = Field(
        default=None,
        description="llamacpp: path to the GGUF file (empty uses the bundled tiny model). "
        "scripted: a YAML file of rules (see sochen.llm.providers.scripted).",
    )
    timeout_s: float = Field(default=60.0, gt=0, le=600, description="Per-request timeout in seconds.")
    keep_alive: str | None = Field(default=None, description="Ollama keep_alive, e.g. '5m'.")
    temperature: float = Field(default=0.2, ge=0, le=2, description="Sampling temperature.")


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
