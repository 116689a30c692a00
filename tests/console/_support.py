"""Helpers of the console tests: accounts and signing in through the real login form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sochen.db.session import session_scope

PASSWORD = "סיסמה-ארוכה-1234"
_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
_HEADER = re.compile(r'"X-CSRF-Token": "([^"]+)"')


def make_user(db_url: str, login: str, role: str, tenant: str | None, *, name: str = "") -> str:
    """Create an account with :data:`PASSWORD`; returns its id."""
    from sochen.console.users import create_user

    with session_scope(db_url) as session:
        user, _ = create_user(session, login=login, name=name or login, role=role, tenant=tenant, password=PASSWORD)
    return user.id


def login(client: TestClient, login: str, password: str = PASSWORD) -> TestClient:
    """Sign in through the form; sets ``client.csrf`` (the session's token)."""
    page = client.get("/console/login")
    token = _FIELD.search(page.text)
    assert token, page.text
    response = client.post(
        "/console/login",
        data={"login": login, "password": password, "csrf_token": token.group(1), "next": "/console/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    landing = client.get(response.headers["location"])
    found = _HEADER.search(landing.text)
    assert found, landing.text
    client.csrf = found.group(1)  # type: ignore[attr-defined]
    return client
