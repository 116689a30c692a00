"""Tenant rows and their configuration versions (plain data in, rows out; validation is the caller's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Tenant, TenantVersion

__all__ = [
    "TenantNotFoundError",
    "get_tenant",
    "latest_version",
    "list_tenants",
    "list_versions",
    "store_version",
]


class TenantNotFoundError(LookupError):
    """No tenant with that slug; apply its YAML first."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"no tenant '{slug}' — apply its configuration first: sochen tenant apply FILE")
        self.slug = slug


def get_tenant(session: Session, slug: str) -> Tenant:
    """The tenant with `slug`, or :class:`TenantNotFoundError`."""
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise TenantNotFoundError(slug)
    return tenant


def list_tenants(session: Session) -> list[Tenant]:
    """All tenants, by slug."""
    return list(session.scalars(select(Tenant).order_by(Tenant.slug)))


def latest_version(session: Session, slug: str) -> TenantVersion:
    """The newest configuration version of tenant `slug`."""
    tenant = get_tenant(session, slug)
    version = session.scalar(
        select(TenantVersion).where(TenantVersion.tenant_id == tenant.id).order_by(TenantVersion.version.desc())
    )
    if version is None:  # a tenant row is only ever created together with its first version
        raise TenantNotFoundError(slug)
    return version


def list_versions(session: Session, slug: str, *, limit: int = 50) -> list[TenantVersion]:
    """The configuration versions of tenant `slug`, newest first."""
    tenant = get_tenant(session, slug)
    return list(
        session.scalars(
            select(TenantVersion)
            .where(TenantVersion.tenant_id == tenant.id)
            .order_by(TenantVersion.version.desc())
            .limit(limit)
        )
    )


def store_version(
    session: Session,
    *,
    slug: str,
    name: str,
    config: dict[str, Any],
    digest: str,
    source_text: str,
    source_path: str | None,
) -> TenantVersion:
    """Store a new configuration version (creating the tenant on first apply) and return it."""
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug).with_for_update())
    if tenant is None:
        tenant = Tenant(slug=slug, name=name)
        session.add(tenant)
        session.flush()
    tenant.name = name
    current = session.scalar(select(func.max(TenantVersion.version)).where(TenantVersion.tenant_id == tenant.id))
    version = TenantVersion(
        tenant_id=tenant.id,
        version=(current or 0) + 1,
        config=config,
        digest=digest,
        source_text=source_text,
        source_path=source_path,
    )
    session.add(version)
    session.flush()
    return version
