"""Which connector instance serves a tenant's webhook, cached briefly so the hot path stays fast.

The configuration is the tenant's live version (:mod:`sochen.tenancy`); a tenant not live yet in
production has its deliveries verified with its newest version's secrets, stored, and held.
Secrets come from the environment through :func:`sochen.connectors.registry.build_config`
(the tenant file holds ``app_secret_env: VARIABLE``). Answers, good or bad, are cached for
``ttl_s`` seconds per (tenant, connector); a new tenant version is seen after at most that long.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..connectors.base import Connector
from ..connectors.errors import ConnectorConfigError, ConnectorRegistryError
from ..tenancy import TenantNotFoundError, TenantNotLiveError, TenantResolver
from .errors import ApiError

__all__ = ["SLUG", "TenantConnectors", "is_slug", "not_live", "unknown_tenant"]

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
"""What a tenant slug looks like (the tenant schema's rule); anything else is answered without a query."""


def is_slug(value: str) -> bool:
    """Whether ``value`` could be a tenant slug."""
    return SLUG.fullmatch(value) is not None


log = logging.getLogger(__name__)


def unknown_tenant(slug: str) -> ApiError:
    """404 for a tenant that does not exist (or that the caller may not see)."""
    shown = slug[:63] if is_slug(slug) else "…"
    return ApiError(404, "unknown_tenant", f"הדייר '{shown}' לא נמצא", f"no tenant '{shown}'")


def not_live(slug: str) -> ApiError:
    """409 for a tenant whose configuration is not live yet (production without a promoted version)."""
    return ApiError(
        409,
        "tenant_not_live",
        f"לדייר '{slug[:63]}' אין עדיין גרסה חיה: יש להריץ הערכות ולקדם גרסה",
        f"tenant '{slug[:63]}' has no live version yet: run its evals and `sochen tenant promote`",
    )


class TenantConnectors:
    """Connector instances per (tenant, connector name) for inbound webhooks."""

    def __init__(
        self,
        database_url: str,
        *,
        ttl_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        environ: Mapping[str, str] | None = None,
        classes: Mapping[str, type[Connector[Any]]] | None = None,
        resolver: TenantResolver | None = None,
    ) -> None:
        self.database_url = database_url
        self.ttl_s = ttl_s
        self.clock = clock
        self.environ = environ
        self._classes: dict[str, type[Connector[Any]]] = dict(classes or {})
        self._cache: dict[tuple[str, str], tuple[float, Connector[Any] | ApiError]] = {}
        self._lock = threading.Lock()
        self._resolver: TenantResolver | None = resolver

    def get(self, tenant: str, name: str) -> Connector[Any]:
        """The connector ``name`` of ``tenant``, or an ApiError (404 unknown tenant, 409 not configured)."""
        now = self.clock()
        key = (tenant, name)
        with self._lock:
            hit = self._cache.get(key)
        if hit is None or hit[0] <= now:
            value = self._build(tenant, name)
            with self._lock:
                if len(self._cache) > 10_000:  # bounded: a flood of made-up tenant names cannot grow it
                    self._cache.clear()
                self._cache[key] = (now + self.ttl_s, value)
        else:
            value = hit[1]
        if isinstance(value, ApiError):
            raise value
        return value

    def peek(self, tenant: str, name: str) -> Connector[Any] | None:
        """The cached answer without touching the database: None when absent or stale."""
        with self._lock:
            hit = self._cache.get((tenant, name))
        if hit is None or hit[0] <= self.clock():
            return None
        if isinstance(hit[1], ApiError):
            raise hit[1]
        return hit[1]

    def forget(self) -> None:
        """Drop every cached answer (after applying a tenant, in tests)."""
        with self._lock:
            self._cache.clear()

    def _build(self, tenant: str, name: str) -> Connector[Any] | ApiError:
        raw = self._settings(tenant, name)
        if isinstance(raw, ApiError):
            return raw
        try:
            cls = self._class(name)
        except ConnectorRegistryError as exc:
            return _misconfigured(tenant, name, "; ".join(exc.problems))
        from ..connectors.registry import build_config

        try:
            config = build_config(cls, raw, environ=self.environ)
        except ConnectorConfigError as exc:
            return _misconfigured(tenant, name, "; ".join(exc.problems))
        from ..connectors.base import host_arguments

        return cls(config, **host_arguments(cls, tenant=tenant, database_url=self.database_url))

    def _settings(self, tenant: str, name: str) -> dict[str, Any] | ApiError:
        if not is_slug(tenant):
            return unknown_tenant(tenant)
        resolver = TenantResolver(self.database_url) if self._resolver is None else self._resolver
        try:
            try:
                resolved = resolver.live(tenant)
            except TenantNotLiveError:
                # Deliveries for a tenant not live yet are still verified and stored (with its newest
                # configuration's secrets), then held until it is promoted: acknowledged is never lost.
                resolved = resolver.version(tenant)
        except TenantNotFoundError:
            return unknown_tenant(tenant)
        config = {"connectors": resolved.config.connectors}
        settings = (config.get("connectors") or {}).get(name)
        if not isinstance(settings, dict):
            return ApiError(
                409,
                "connector_not_configured",
                f"לדייר '{tenant}' לא הוגדר החיבור '{name}'",
                f"tenant '{tenant}' has no '{name}' connector configured; add `connectors.{name}` to its "
                "YAML and apply it",
            )
        return settings

    def _class(self, name: str) -> type[Connector[Any]]:
        with self._lock:
            cls = self._classes.get(name)
        if cls is None:
            from ..connectors.registry import load_connector

            cls = load_connector(name).cls  # walks installed distributions: done once per name
            with self._lock:
                self._classes[name] = cls
        return cls


def _misconfigured(tenant: str, name: str, detail: str) -> ApiError:
    # The details (variable names, ...) go to the log, not to an unauthenticated caller.
    log.warning("tenant %s: connector %s is misconfigured: %s", tenant, name, detail)
    return ApiError(
        409,
        "connector_misconfigured",
        f"החיבור '{name}' של הדייר '{tenant}' אינו מוגדר כראוי (פרטים ביומן השרת)",
        f"the '{name}' connector of tenant '{tenant}' is misconfigured (details in the server log)",
    )
