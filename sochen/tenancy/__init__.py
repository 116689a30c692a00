"""One answer to "which configuration serves this tenant": the live-tenant resolver.

The contract (the source of truth; docs/architecture.md links here):

- **Live traffic is served by the promoted version, and only by it.** :meth:`TenantResolver.live`
  returns the tenant's promoted version (``Tenant.live_version``, set by ``sochen tenant promote``
  only after its evals passed the gate) with its configuration and knowledge-base revision.
  Every path that serves traffic — the webhooks' inbound processing, ``/v1`` (ask, documents), the
  workflows' connectors, the conversation graph and its retriever — receives that
  :class:`ResolvedTenant` from its edge and never looks a tenant up by itself.
- **No promoted version.** In production the tenant is not live: :class:`TenantNotLiveError`
  (inbound work is *held*, not failed, and resumes on promotion). Elsewhere (development, tests)
  the newest version serves so that a new tenant can be tried before its first gate run; the
  :class:`ResolvedTenant` says so (``live=False``) and the resolver logs it once per version,
  never once per message.
- **"The newest version" exists only where a person asks for it**: :meth:`TenantResolver.version`
  (``sochen chat``, ``sochen evals run``, ``sochen search``, ingestion).

Resolution is one indexed query; validated configurations are cached per stored version (a
version is immutable), so the resolver is cheap enough to call once per turn.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..config.tenant import TenantConfig
from ..db.models import Tenant, TenantVersion
from ..db.session import session_scope
from ..db.tenants import TenantNotFoundError

__all__ = [
    "ResolvedTenant",
    "TenantNotFoundError",
    "TenantNotLiveError",
    "TenantResolver",
    "VersionNotFoundError",
    "resolver_for",
]

log = logging.getLogger("sochen.tenancy")


class TenantNotLiveError(LookupError):
    """Live traffic needs a promoted version: run the tenant's evals and `sochen tenant promote`."""

    def __init__(self, slug: str) -> None:
        super().__init__(
            f"tenant '{slug}' has no live version yet: run `sochen evals run --tenant {slug}` "
            f"and `sochen tenant promote {slug}`"
        )
        self.slug = slug


class VersionNotFoundError(LookupError):
    """The tenant has no such configuration version."""


@dataclass(frozen=True)
class ResolvedTenant:
    """A tenant as one request sees it: which stored version, its configuration, its knowledge revision."""

    id: str
    slug: str
    version: int
    version_id: str
    digest: str
    kb_revision: int
    config: TenantConfig
    live: bool
    """True when ``version`` is the promoted one; False only for a person's explicit choice or the
    non-production fallback of a tenant that has none promoted."""
    source_path: str | None = None
    kb_generation: int = 0
    """Which of the tenant's vector collections is live (read with ``kb_revision``; see ``sochen ingest --rebuild``)."""


class TenantResolver:
    """Resolves tenants of one database (see the module docstring)."""

    def __init__(self, database_url: str, *, production: bool = False) -> None:
        self.database_url = database_url
        self.production = production
        self._configs: dict[str, TenantConfig] = {}
        self._warned: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def live(self, slug: str) -> ResolvedTenant:
        """The version that serves live traffic (see the module docstring)."""
        with session_scope(self.database_url) as session:
            tenant = session.execute(
                select(Tenant.id, Tenant.kb_revision, Tenant.live_version, Tenant.kb_generation).where(
                    Tenant.slug == slug
                )
            ).first()
            if tenant is None:
                raise TenantNotFoundError(slug)
            number = tenant.live_version
            if number is None and self.production:
                raise TenantNotLiveError(slug)
            row = self._version_row(session, tenant.id, number)
        if row is None:
            raise TenantNotFoundError(slug)
        resolved = self._resolved(
            slug, tenant.id, (tenant.kb_revision, tenant.kb_generation), row, live=number is not None
        )
        if number is None:
            key = (slug, resolved.version)
            with self._lock:
                first = key not in self._warned
                self._warned.add(key)
            if first:
                log.warning(
                    "tenant %s has no promoted version: version %d serves until one is promoted "
                    "(refused in production)",
                    slug,
                    resolved.version,
                )
        return resolved

    def version(self, slug: str, version: int | None = None) -> ResolvedTenant:
        """A version a person asked for by number (default: the newest applied)."""
        with session_scope(self.database_url) as session:
            tenant = session.execute(
                select(Tenant.id, Tenant.kb_revision, Tenant.live_version, Tenant.kb_generation).where(
                    Tenant.slug == slug
                )
            ).first()
            if tenant is None:
                raise TenantNotFoundError(slug)
            row = self._version_row(session, tenant.id, version)
        if row is None:
            if version is None:
                raise TenantNotFoundError(slug)
            raise VersionNotFoundError(f"tenant '{slug}' has no version {version}")
        return self._resolved(
            slug, tenant.id, (tenant.kb_revision, tenant.kb_generation), row, live=row.version == tenant.live_version
        )

    @staticmethod
    def _version_row(session: Session, tenant_id: str, number: int | None) -> Row[Any] | None:
        query = select(
            TenantVersion.id,
            TenantVersion.version,
            TenantVersion.digest,
            TenantVersion.config,
            TenantVersion.source_path,
        ).where(TenantVersion.tenant_id == tenant_id)
        if number is not None:
            query = query.where(TenantVersion.version == number)
        return session.execute(query.order_by(TenantVersion.version.desc()).limit(1)).first()

    def _resolved(self, slug: str, tenant_id: str, kb: tuple[int, int], row: Row[Any], *, live: bool) -> ResolvedTenant:
        version_id, number, digest, raw, source = tuple(row)
        with self._lock:
            config = self._configs.get(version_id)
        if config is None:
            config = TenantConfig.model_validate(raw)
            with self._lock:
                self._configs[version_id] = config
        return ResolvedTenant(
            id=tenant_id,
            slug=slug,
            version=number,
            version_id=version_id,
            digest=digest,
            kb_revision=kb[0],
            config=config,
            live=live,
            source_path=source,
            kb_generation=kb[1],
        )


@lru_cache(maxsize=16)
def _cached(database_url: str, production: bool) -> TenantResolver:
    return TenantResolver(database_url, production=production)


def resolver_for(settings: Settings) -> TenantResolver:
    """The process's resolver for ``settings`` (one per database; its caches are shared)."""
    return _cached(settings.database_url, settings.environment == "production")
