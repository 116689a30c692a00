"""Model providers and the factory that builds them from a tenant's configuration.

The contract every provider honours is in :mod:`sochen.llm.providers.base`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import SecretStr

from ...config.sections.models import ModelsConfig, ProviderConfig
from ...config.settings import Settings, get_settings
from .base import (
    Completion,
    Health,
    InvalidRequest,
    Message,
    MessageLike,
    Provider,
    ProviderConfigError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    Refused,
    Usage,
)

__all__ = [
    "Completion",
    "Health",
    "InvalidRequest",
    "Message",
    "MessageLike",
    "Provider",
    "ProviderConfigError",
    "ProviderError",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "Refused",
    "Usage",
    "build_provider",
    "build_providers",
]


def build_provider(
    name: str,
    config: ProviderConfig,
    *,
    settings: Settings | None = None,
    env: Mapping[str, str] | None = None,
) -> Provider:
    """Build the provider `name` from its configuration. No I/O happens here.

    ``api_key_env`` is resolved from `env` (default: the process environment) into a
    :class:`~pydantic.SecretStr`; an unset variable is a :class:`ProviderConfigError` that names it.
    """
    settings = settings or get_settings()
    environ = os.environ if env is None else env
    api_key: SecretStr | None = None
    if config.api_key_env:
        value = environ.get(config.api_key_env)
        if not value:
            raise ProviderConfigError(
                f"provider '{name}': environment variable {config.api_key_env} (api_key_env) is not set"
            )
        api_key = SecretStr(value)
    if config.kind == "ollama":
        from .ollama import OllamaProvider

        return OllamaProvider(name, config, api_key=api_key)
    if config.kind == "openai":
        from .openai import OpenAIProvider

        return OpenAIProvider(name, config, api_key=api_key)
    if config.kind == "llamacpp":
        from .llamacpp import LlamaCppProvider

        return LlamaCppProvider(name, config)
    if config.kind == "scripted":
        from .scripted import ScriptedProvider

        return ScriptedProvider(name, config, settings=settings)
    raise ProviderConfigError(f"provider '{name}': unknown kind '{config.kind}'")  # pragma: no cover


def build_providers(
    models: ModelsConfig,
    *,
    settings: Settings | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Provider]:
    """Every provider a tenant names, by name."""
    return {name: build_provider(name, cfg, settings=settings, env=env) for name, cfg in models.providers.items()}
