"""Dependencies of the ``/v1`` routes: who is calling, and may they see this tenant."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import Depends, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from ..db.models import Tenant
from ..db.session import session_scope
from .errors import ApiError
from .inbound import write_scope
from .keys import Principal, lookup_key
from .state import ApiState, get_state
from .tenants import is_slug, unknown_tenant

__all__ = ["TENANT_PATH", "current_principal", "is_id", "tenant_for_caller"]

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def is_id(value: str) -> bool:
    """Whether ``value`` could be a row id (or id prefix); anything else is answered 404 without a query."""
    return _ID.fullmatch(value) is not None


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="api_key",
    description="מפתח API / API key: `Authorization: Bearer sk_sochen_...` (sochen keys create).",
)

TENANT_PATH = Path(
    ...,
    description="מזהה הדייר / tenant slug",
    examples=["clinic"],
)


def _unauthorized(he: str, en: str) -> ApiError:
    return ApiError(401, "unauthorized", he, en, headers={"WWW-Authenticate": "Bearer"})


def current_principal(
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    state: ApiState = Depends(get_state),
) -> Principal:
    """The caller behind ``Authorization: Bearer ...``; 401 when missing, unknown or revoked."""
    if credentials is None or not credentials.credentials:
        raise _unauthorized("חסר מפתח API", "missing API key: send Authorization: Bearer <key>")
    touch = timedelta(seconds=state.api.key_touch_s)
    with write_scope(state.settings.database_url) as session:
        principal = lookup_key(session, credentials.credentials.strip(), touch_after=touch)
    if principal is None:
        raise _unauthorized("מפתח API לא תקף או בוטל", "invalid or revoked API key")
    return principal


def tenant_for_caller(
    tenant: str = TENANT_PATH,
    principal: Principal = Depends(current_principal),
    state: ApiState = Depends(get_state),
) -> str:
    """The path's tenant when it exists and the caller may see it; else 404 (no existence leak)."""
    if not is_slug(tenant) or not principal.may_access(tenant):
        raise unknown_tenant(tenant)
    with session_scope(state.settings.database_url) as session:
        found = session.scalar(select(Tenant.id).where(Tenant.slug == tenant))
    if found is None:
        raise unknown_tenant(tenant)
    return tenant
