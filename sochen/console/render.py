"""Templates, the render helper and the console's route class (error pages, security headers).

- :func:`render` fills every page's common context (``t``, ``has_text(key)``, ``lang``, ``user``, ``tenant``,
  ``csrf_field()``, ``csrf_token``, the nav) and renders a template of ``sochen/console/templates``.
- Autoescaping is on everywhere, and every ``{{ value }}`` first passes :func:`visible_controls`,
  which makes bidi control characters visible (``⟦U+202E⟧``): a customer's text cannot reorder the page.
- :class:`ConsoleRoute` (the router's ``route_class``) turns :class:`~sochen.console.auth.ConsoleError`
  into a redirect to the login page (401) or an error page, and adds security headers (CSP: scripts
  and styles only from this server) to every console response.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from markupsafe import Markup

from .auth import ConsoleError, ConsoleUser, login_url, request_lang
from .i18n import CATALOGUE, bound
from .security import CSRF_FIELD

__all__ = ["TEMPLATES", "ConsoleRoute", "nav_entries", "render", "visible_controls"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def visible_controls(value: object) -> object:
    """Bidi embedding/override/isolate controls (U+202A–202E, U+2066–2069) shown as ``⟦U+XXXX⟧``."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _BIDI.sub(lambda m: f"⟦U+{ord(m.group()):04X}⟧", value)
    return value


def _finalize(value: object) -> object:
    return "" if value is None else visible_controls(value)


DISPLAY_ZONE = ZoneInfo("Asia/Jerusalem")


def when(value: datetime | None) -> str:
    """A time as people here read it: Israel's clock, ``dd/mm HH:MM`` (SQLite's naive values are UTC)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(DISPLAY_ZONE).strftime("%d/%m %H:%M")


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    finalize=_finalize,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["when"] = when


def nav_entries(user: ConsoleUser | None) -> list[tuple[str, str, str]]:
    """(key, catalogue key, URL) of the main navigation for ``user``'s current tenant."""
    if user is None or user.tenant is None:
        return []
    base = f"/console/t/{user.tenant}"
    entries = [("inbox", "nav.inbox", f"{base}/inbox"), ("archive", "nav.archive", f"{base}/archive")]
    if user.may("owner"):
        entries.append(("owner", "nav.owner", f"{base}/owner/"))
    return entries


def render(
    request: Request,
    template: str,
    *,
    user: ConsoleUser | None,
    status: int = 200,
    active: str = "",
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` with the common context (see the module docstring) and ``context``."""
    lang = user.lang if user is not None else request_lang(request)
    csrf = user.csrf if user is not None else ""

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf)

    html = _env.get_template(template).render(
        request=request,
        t=bound(lang),
        has_text=CATALOGUE.__contains__,
        lang=lang,
        dir="ltr" if lang == "en" else "rtl",
        user=user,
        tenant=user.tenant if user is not None else None,
        csrf_token=csrf,
        csrf_field=csrf_field,
        nav=nav_entries(user),
        active=active,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def _error_page(request: Request, error: ConsoleError) -> Response:
    if error.status == 401:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": login_url(request)})
        return RedirectResponse(login_url(request), status_code=303)
    return render(request, "error.html", user=None, status=error.status, message_key=error.key)


class ConsoleRoute(APIRoute):
    """The console's routes: error pages instead of JSON, and security headers on every response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler (dependencies included) with the console's error handling."""
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except ConsoleError as error:
                response = _error_page(request, error)
            except RequestValidationError:
                response = _error_page(request, ConsoleError(400, "error.title"))
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return handler
