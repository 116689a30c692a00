"""API keys: ``sk_sochen_`` + 32 random bytes (URL-safe base64), stored only as their sha256.

An admin key (no tenant) reaches every tenant; a tenant key reaches only its own tenant, and for
any other the service answers as if the tenant did not exist. The key is printed once at creation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db.models_api import ApiKey

__all__ = [
    "KEY_PREFIX",
    "ApiKeyNotFoundError",
    "Principal",
    "create_key",
    "hash_key",
    "key_dict",
    "list_keys",
    "lookup_key",
    "revoke_key",
]

KEY_PREFIX = "sk_sochen_"


class ApiKeyNotFoundError(LookupError):
    """No key with that id."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: an admin, or one tenant."""

    key_id: str
    tenant: str | None

    @property
    def is_admin(self) -> bool:
        """Whether the key reaches every tenant."""
        return self.tenant is None

    def may_access(self, tenant: str) -> bool:
        """Whether this caller may see ``tenant``."""
        return self.tenant is None or hmac.compare_digest(self.tenant.encode(), tenant.encode())


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, *, tenant: str | None, label: str = "") -> tuple[ApiKey, str]:
    """A new key row and the key itself (shown once; only its hash is stored)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(tenant=tenant, key_hash=hash_key(key), prefix=key[: len(KEY_PREFIX) + 6], label=label[:200])
    session.add(row)
    session.flush()
    return row, key


def list_keys(session: Session, *, tenant: str | None = None) -> list[ApiKey]:
    """Keys, oldest first (optionally one tenant's)."""
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if tenant:
        query = query.where(ApiKey.tenant == tenant)
    return list(session.scalars(query))


def revoke_key(session: Session, key_id: str, *, now: datetime | None = None) -> ApiKey:
    """Revoke a key by id (or a unique id prefix of 6+ characters); revoking twice is harmless."""
    row = session.get(ApiKey, key_id)
    if row is None and len(key_id) >= 6:
        found = list(session.scalars(select(ApiKey).where(ApiKey.id.like(f"{key_id}%")).limit(2)))
        row = found[0] if len(found) == 1 else None
    if row is None:
        raise ApiKeyNotFoundError(f"no API key '{key_id}'")
    if row.revoked_at is None:
        row.revoked_at = now or datetime.now(UTC)
        session.flush()
    return row


def lookup_key(session: Session, key: str, *, touch_after: timedelta | None = None) -> Principal | None:
    """The caller a presented key stands for, or None (unknown or revoked).

    The lookup is by hash, so timing reveals nothing about stored keys. ``last_used_at`` is updated
    when older than ``touch_after`` (never, when None).
    """
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    row = session.execute(
        select(ApiKey.id, ApiKey.tenant, ApiKey.revoked_at, ApiKey.last_used_at).where(ApiKey.key_hash == hash_key(key))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    if touch_after is not None:
        now = datetime.now(UTC)
        last = row.last_used_at
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        if last is None or now - last >= touch_after:
            session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    return Principal(key_id=row.id, tenant=row.tenant)


def key_dict(row: ApiKey) -> dict[str, Any]:
    """JSON-ready description (never the key or its hash)."""

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()

    return {
        "id": row.id,
        "tenant": row.tenant,
        "admin": row.tenant is None,
        "prefix": row.prefix,
        "label": row.label,
        "created_at": iso(row.created_at),
        "last_used_at": iso(row.last_used_at),
        "revoked_at": iso(row.revoked_at),
    }
