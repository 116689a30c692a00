"""Builders shared by the model-layer tests (plain functions, so tests can pass arguments)."""

from __future__ import annotations

from sochen.config.sections.models import ModelsConfig, ProviderConfig


def ollama_config(url: str, **kw: object) -> ProviderConfig:
    return ProviderConfig(kind="ollama", model="llama3.2", locality="local", base_url=url, **kw)  # type: ignore[arg-type]


def openai_config(url: str, **kw: object) -> ProviderConfig:
    fields: dict[str, object] = {
        "model": "gpt-4o-mini",
        "locality": "api",
        "base_url": url,
        "api_key_env": "TEST_KEY",
    }
    fields.update(kw)
    return ProviderConfig(kind="openai", **fields)  # type: ignore[arg-type]


def hybrid_models(**policy: object) -> ModelsConfig:
    """A hybrid tenant with two local scripted providers and two API scripted providers."""
    providers = {
        "local1": {"kind": "scripted", "model": "local-a", "locality": "local"},
        "local2": {"kind": "scripted", "model": "local-b", "locality": "local"},
        "api1": {"kind": "scripted", "model": "gpt-4o-mini", "locality": "api"},
        "api2": {"kind": "scripted", "model": "gpt-4o", "locality": "api"},
    }
    pol: dict[str, object] = {"mode": "hybrid", "local": ["local1", "local2"], "api": ["api1", "api2"]}
    pol.update(policy)
    return ModelsConfig.model_validate({"providers": providers, "policy": pol})
