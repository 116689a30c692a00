"""Console tests: a migrated database with two tenants, accounts, and signed-in clients.

Use ``signed_in(role, tenant)`` for a TestClient with a session: it creates the account through the
same service as ``sochen users add`` and signs in through the login form (so cookies and CSRF are the
real ones). ``client.csrf`` is the session's token for POSTs (form field ``csrf_token``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from sochen.api import create_app
from sochen.config import get_settings
from sochen.db.migrate import upgrade
from tests.api._support import ENV, apply_tenant
from tests.api.conftest import RecordingQueue, api_settings

from ._browser import browser, served
from ._support import PASSWORD, login, make_user

__all__ = ["PASSWORD", "browser", "login", "make_user", "served"]


@pytest.fixture
def db_url(any_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database with the tenants 'clinic' (WhatsApp, n8n) and 'lawfirm' (no connectors)."""
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    upgrade(any_database_url)
    apply_tenant(any_database_url, "clinic")
    apply_tenant(any_database_url, "lawfirm", connectors=False)
    return any_database_url


@pytest.fixture
def make_client(db_url: str) -> Iterator[Callable[..., TestClient]]:
    """Fresh apps (lifespan running) on the test database, closed at the end."""
    opened: list[TestClient] = []

    def make(**kwargs: object) -> TestClient:
        kwargs.setdefault("queue", RecordingQueue())
        app = create_app(get_settings(), api_settings=api_settings(), **kwargs)  # type: ignore[arg-type]
        client = TestClient(app, raise_server_exceptions=True)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def signed_in(db_url: str, make_client: Callable[..., TestClient]) -> Callable[..., TestClient]:
    """``signed_in(role, tenant="clinic", login=None)``: a client signed in as a new account."""
    counter = [0]

    def make(role: str, tenant: str | None = "clinic", login_name: str | None = None) -> TestClient:
        counter[0] += 1
        name = login_name or f"{role}{counter[0]}@{tenant or 'ops'}.example"
        make_user(db_url, name, role, None if role == "operator" else tenant)
        return login(make_client(), name)

    return make
