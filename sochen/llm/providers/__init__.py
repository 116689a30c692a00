"""Model providers and the factory that builds them from a tenant's configuration.

Kinds are plugins: :mod:`.registry` finds them in the ``sochen.providers`` entry-point group.

The contract every provider honours is in :mod:`sochen.llm.providers.base`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

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
    ProviderOptions,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    Refused,
    Truncated,
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
    "ProviderOptions",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "Refused",
    "Truncated",
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

    The class comes from the ``sochen.providers`` entry-point group (:mod:`.registry`), built-ins
    included; its options model validates the kind-specific keys, and ``*_env`` references are read
    from `env` (default: the process environment) into :class:`~pydantic.SecretStr`. An unknown kind,
    a bad option or an unset variable is a :class:`ProviderConfigError` that names it.
    """
    from .registry import load_kind

    settings = settings or get_settings()
    cls = load_kind(config.kind).cls
    return cls.from_config(name, config, settings=settings, env=os.environ if env is None else env)


def build_providers(
    models: ModelsConfig,
    *,
    settings: Settings | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Provider]:
    """Every provider a tenant names, by name."""
    return {name: build_provider(name, cfg, settings=settings, env=env) for name, cfg in models.providers.items()}
