"""The console's frame: static files, sign-in and out, the language switch, the tenant picker."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ..db.models import Tenant
from ..db.session import session_scope
from .auth import ConsoleError, ConsoleUser, console_context, signed_in
from .i18n import LANG_COOKIE
from .render import ConsoleRoute, render
from .security import SESSION_COOKIE, sign_session
from .users import authenticate

__all__ = ["router", "safe_next"]

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

STATIC = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_STATIC_FILES = {p.name for p in STATIC.iterdir() if p.suffix in _STATIC_TYPES}


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a console path on this site only (no open redirect)."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """A vendored asset (HTMX, its SSE extension, the stylesheet): no CDN, no external font."""
    if name not in _STATIC_FILES:
        raise ConsoleError(404, "error.not_found")
    path = STATIC / name
    return Response(
        path.read_bytes(), media_type=_STATIC_TYPES[path.suffix], headers={"Cache-Control": "public, max-age=3600"}
    )


_LOGIN_CSRF = "sochen_login_csrf"


def _login_form(request: Request, *, status: int = 200, next: str = "", login: str = "", error: str = "") -> Response:
    """The sign-in form with a fresh double-submit CSRF token (cookie + field: no session exists yet)."""
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        user=None,
        status=status,
        next=safe_next(next),
        login=login,
        error=error,
        login_csrf=token,
    )
    secure = console_context(request).secure_cookies
    response.set_cookie(_LOGIN_CSRF, token, httponly=True, samesite="strict", secure=secure, path="/console/login")
    return response


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    """The sign-in form."""
    return _login_form(request, next=next)


@router.post("/login")
def login_submit(
    request: Request,
    login: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the password (throttled per login and per address); on success set the session cookie."""
    ctx = console_context(request)
    expected = request.cookies.get(_LOGIN_CSRF, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        return _login_form(request, status=403, next=next, login=login[:254], error="error.csrf")
    address = request.client.host if request.client else "unknown"
    with session_scope(ctx.settings.database_url) as session:
        outcome = authenticate(
            session,
            login,
            password,
            address=address,
            per_login=ctx.console.login_failures_per_login,
            per_address=ctx.console.login_failures_per_address,
            window=timedelta(minutes=ctx.console.login_window_minutes),
        )
        user = outcome.user
        cookie = sign_session(ctx.secret, user.id, user.session_epoch) if user is not None else None
    if cookie is None:
        error = "login.throttled" if outcome.throttled else "login.invalid"
        status = 429 if outcome.throttled else 401
        return _login_form(request, status=status, next=next, login=login[:254], error=error)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.delete_cookie(_LOGIN_CSRF, path="/console/login")
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(ctx.console.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=ctx.secure_cookies,
        path="/console",
    )
    return response


@router.post("/logout")
def logout(user: Annotated[ConsoleUser, Depends(signed_in)]) -> Response:
    """End the session (the cookie is removed; CSRF-checked like every POST)."""
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/lang")
def switch_language(request: Request, to: str = "he") -> Response:
    """Hebrew or English, kept in a cookie; back to the page the switch was pressed on."""
    referer = request.headers.get("referer", "")
    path = "/console/"
    if referer.startswith(str(request.base_url)):
        path = safe_next("/" + referer[len(str(request.base_url)) :])
    response = RedirectResponse(path, status_code=303)
    response.set_cookie(
        LANG_COOKIE, "en" if to == "en" else "he", max_age=365 * 24 * 3600, samesite="lax", path="/console"
    )
    return response


@router.get("/")
def index(request: Request, user: Annotated[ConsoleUser, Depends(signed_in)]) -> Response:
    """A tenant's user goes to their inbox; an operator picks a tenant."""
    if user.home_tenant is not None:
        return RedirectResponse(f"/console/t/{user.home_tenant}/inbox", status_code=303)
    ctx = console_context(request)
    with session_scope(ctx.settings.database_url) as session:
        tenants = [
            (slug, name) for slug, name in session.execute(select(Tenant.slug, Tenant.name).order_by(Tenant.slug))
        ]
    return render(request, "tenants.html", user=user, tenants=tenants)
