"""The web console: server-rendered Hebrew (right-to-left) pages for the people who run a tenant.

``sochen.console.router`` is mounted by :func:`sochen.api.create_app`. Pages are Jinja2 templates
(``templates/``) with HTMX and its SSE extension vendored in ``static/`` (no CDN, no external font: an
air-gapped clinic works). How to add a page — the auth dependency, tenant scoping, :func:`render`,
``t()``, CSRF — is in the docstrings of :mod:`.auth` and :mod:`.render` and in docs/architecture.md.
Routes stay thin: they call the services the CLI and ``/v1`` use (:mod:`sochen.workflows`, ...).
"""

from fastapi import APIRouter

from . import archive, inbox, owner, pages, privacy
from .auth import ConsoleUser, require_role, signed_in
from .render import ConsoleRoute, render

__all__ = ["ConsoleRoute", "ConsoleUser", "render", "require_role", "router", "signed_in"]

router = APIRouter()
router.include_router(pages.router)
router.include_router(inbox.router)
router.include_router(archive.router)  # the lawyer's archive (/console/t/{tenant}/archive)
router.include_router(owner.router)  # the owner's pages (/console/t/{tenant}/owner/)
router.include_router(privacy.router)  # a person's data: find, export, correct, erase (/owner/privacy)
