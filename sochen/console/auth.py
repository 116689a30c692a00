"""Who is signed in, may they act here: the console's route dependencies.

Every console route declares one dependency and gets a :class:`ConsoleUser`:

- ``user: ConsoleUser = Depends(require_role("viewer"))`` on a ``/console/t/{tenant}/...`` route: the
  user is signed in, may see the path's ``{tenant}`` (their own; an operator: any existing tenant) and
  has at least that role (viewer < agent < owner; an operator passes every check). Otherwise: not
  signed in → redirect to the login page; another tenant, or no such tenant → 404 (nothing tells the
  two apart); too low a role → 403. ``user.tenant`` is then the path's tenant: filter every query by it.
- ``user: ConsoleUser = Depends(signed_in)`` where no tenant is in the path.
- A request that changes state (anything but GET/HEAD/OPTIONS) must carry the session's CSRF token,
  as the form field ``csrf_token`` or the header ``X-CSRF-Token``; both dependencies check it (403).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import Request
from sqlalchemy import select

from ..db.models import Tenant
from ..db.models_console import ConsoleUser as UserRow
from ..db.session import session_scope
from .i18n import LANG_COOKIE
from .security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, SessionData, csrf_matches, unsign_session
from .settings import ConsoleSettings, session_secret

if TYPE_CHECKING:
    from ..config import Settings

__all__ = [
    "ROLE_RANK",
    "ConsoleContext",
    "ConsoleError",
    "ConsoleUser",
    "console_context",
    "require_role",
    "signed_in",
]

ROLE_RANK = {"viewer": 1, "agent": 2, "owner": 3, "operator": 4}
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ConsoleError(Exception):
    """Answer a console request with an error page (or a redirect to the login page when ``status`` is 401)."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        """The catalogue key of the message (:mod:`sochen.console.i18n`)."""


@dataclass(frozen=True)
class ConsoleContext:
    """What every console request needs: process settings, console settings, the signing key."""

    settings: Settings
    console: ConsoleSettings
    secret: bytes

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies carry the Secure flag."""
        if self.console.secure_cookies is not None:
            return self.console.secure_cookies
        return self.settings.environment == "production"


def console_context(request: Request) -> ConsoleContext:
    """The app's console context, built on first use (``app.state.sochen_console``)."""
    found: ConsoleContext | None = getattr(request.app.state, "sochen_console", None)
    if found is None:
        settings = request.app.state.sochen.settings
        console = ConsoleSettings()
        found = ConsoleContext(settings, console, session_secret(console, settings.home))
        request.app.state.sochen_console = found
    return found


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in person, for one request."""

    id: str
    login: str
    name: str
    role: str
    home_tenant: str | None
    """The tenant the account belongs to (None for an operator)."""
    tenant: str | None
    """The tenant this request acts on (the path's, checked); None on routes without one."""
    csrf: str
    lang: str

    def may(self, role: str) -> bool:
        """Whether this user has at least ``role``."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def is_operator(self) -> bool:
        """Whether this is an operator (every tenant)."""
        return self.role == "operator"


def request_lang(request: Request) -> str:
    """The language chosen in the cookie; Hebrew by default."""
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "he"


def _session(request: Request, ctx: ConsoleContext) -> SessionData | None:
    return unsign_session(
        ctx.secret, request.cookies.get(SESSION_COOKIE), max_age_s=ctx.console.session_hours * 3600, now=time.time()
    )


async def _check_csrf(request: Request, data: SessionData) -> None:
    if request.method in _SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached by Starlette: the route reads the same form
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not csrf_matches(data, sent):
        raise ConsoleError(403, "error.csrf")


async def _user(request: Request, tenant: str | None) -> ConsoleUser:
    ctx = console_context(request)
    data = _session(request, ctx)
    if data is None:
        raise ConsoleError(401, "login.title")
    with session_scope(ctx.settings.database_url) as session:
        row = session.get(UserRow, data.user_id)
        if row is None or row.disabled or row.session_epoch != data.epoch:
            raise ConsoleError(401, "login.title")
        if tenant is not None:
            if row.role != "operator" and row.tenant != tenant:
                raise ConsoleError(404, "error.not_found")
            if session.scalar(select(Tenant.id).where(Tenant.slug == tenant)) is None:
                raise ConsoleError(404, "error.not_found")
        user = ConsoleUser(row.id, row.login, row.name, row.role, row.tenant, tenant, data.csrf, request_lang(request))
    await _check_csrf(request, data)
    return user


async def signed_in(request: Request) -> ConsoleUser:
    """The signed-in user (routes without a tenant in the path)."""
    return await _user(request, None)


def require_role(role: str) -> Callable[..., Any]:
    """A dependency: the signed-in user, allowed on the path's ``{tenant}`` with at least ``role``."""
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    async def dependency(request: Request, tenant: str) -> ConsoleUser:
        user = await _user(request, tenant)
        if not user.may(role):
            raise ConsoleError(403, "error.forbidden")
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


def login_url(request: Request) -> str:
    """The login page, coming back to this page after sign-in."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/console/login?next=" + quote(target, safe="")
