"""The console's frame: sign-in, sessions, CSRF, throttling, tenant scoping, language, escaping."""

from __future__ import annotations

import pytest

from sochen.console.i18n import CATALOGUE, t
from sochen.console.render import visible_controls
from sochen.console.security import sign_session, unsign_session

from .conftest import PASSWORD, login, make_user

pytestmark = pytest.mark.unit


def test_login_logout_and_session(db_url, make_client):
    make_user(db_url, "Dana@Clinic.example", "agent", "clinic", name="דנה")
    client = make_client()
    first = client.get("/console/t/clinic/inbox", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/console/login?next=")
    login(client, "dana@clinic.example")
    cookie = client.cookies.get("sochen_session")
    assert cookie
    page = client.get("/console/t/clinic/inbox")
    assert page.status_code == 200
    assert '<html lang="he" dir="rtl">' in page.text
    assert "תיבת פניות" in page.text and "דנה" in page.text
    headers = page.headers
    assert "script-src 'self'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"
    out = client.post("/console/logout", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/console/t/clinic/inbox", follow_redirects=False).status_code == 303


def test_session_cookie_flags(db_url, make_client):
    make_user(db_url, "noa", "viewer", "clinic")
    client = make_client()
    page = client.get("/console/login")
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/console/login", data={"login": "noa", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    set_cookie = response.headers["set-cookie"].lower()
    assert "sochen_session=" in set_cookie and "httponly" in set_cookie and "samesite=lax" in set_cookie


def test_wrong_password_and_throttle_per_login(db_url, make_client):
    make_user(db_url, "yossi", "agent", "clinic")
    client = make_client()
    import re

    def attempt(password: str):
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/login").text).group(1)
        return client.post(
            "/console/login",
            data={"login": "yossi", "password": password, "csrf_token": token},
            follow_redirects=False,
        )

    assert [attempt("לא-נכון-בכלל").status_code for _ in range(5)] == [401] * 5
    # Now even the right password is refused for a while, and the page says why.
    refused = attempt(PASSWORD)
    assert refused.status_code == 429 and "יותר מדי ניסיונות" in refused.text
    assert "sochen_session" not in refused.headers.get("set-cookie", "")


def test_throttle_per_address(db_url, make_client, monkeypatch):
    monkeypatch.setenv("SOCHEN_CONSOLE_LOGIN_FAILURES_PER_ADDRESS", "3")
    make_user(db_url, "rina", "agent", "clinic")
    client = make_client()
    import re

    codes = []
    for i in range(4):
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/login").text).group(1)
        codes.append(
            client.post(
                "/console/login",
                data={"login": f"nobody{i}", "password": "x" * 12, "csrf_token": token},
                follow_redirects=False,
            ).status_code
        )
    assert codes == [401, 401, 401, 429]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/login").text).group(1)
    refused = client.post("/console/login", data={"login": "rina", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 429


def test_login_form_needs_its_csrf_token(db_url, make_client):
    make_user(db_url, "avi", "agent", "clinic")
    client = make_client()
    client.get("/console/login")
    response = client.post(
        "/console/login", data={"login": "avi", "password": PASSWORD, "csrf_token": "forged"}, follow_redirects=False
    )
    assert response.status_code == 403 and "sochen_session" not in response.headers.get("set-cookie", "")


def test_post_without_csrf_is_refused(signed_in):
    client = signed_in("agent")
    assert client.post("/console/logout", follow_redirects=False).status_code == 403
    assert client.post("/console/logout", data={"csrf_token": "x"}, follow_redirects=False).status_code == 403
    ok = client.post("/console/logout", headers={"X-CSRF-Token": client.csrf}, follow_redirects=False)
    assert ok.status_code == 303


def test_other_tenant_is_404_and_operator_sees_all(signed_in):
    agent = signed_in("agent", "clinic")
    assert agent.get("/console/t/lawfirm/inbox").status_code == 404
    assert agent.get("/console/t/no-such/inbox").status_code == 404
    operator = signed_in("operator")
    picker = operator.get("/console/")
    assert picker.status_code == 200 and "/console/t/lawfirm/inbox" in picker.text
    assert operator.get("/console/t/lawfirm/inbox").status_code == 200
    assert operator.get("/console/t/no-such/inbox").status_code == 404


def test_disabled_user_and_password_reset_end_sessions(db_url, signed_in):
    from sochen.console.users import disable_user, reset_password
    from sochen.db.session import session_scope

    client = signed_in("agent", login_name="gal")
    assert client.get("/console/t/clinic/inbox").status_code == 200
    with session_scope(db_url) as session:
        reset_password(session, "gal", "סיסמה-חדשה-5678")
    assert client.get("/console/t/clinic/inbox", follow_redirects=False).status_code == 303
    login(client, "gal", "סיסמה-חדשה-5678")
    with session_scope(db_url) as session:
        disable_user(session, "gal")
    assert client.get("/console/t/clinic/inbox", follow_redirects=False).status_code == 303


def test_language_switch(signed_in):
    client = signed_in("viewer")
    client.get("/console/lang?to=en", headers={"referer": "http://testserver/console/t/clinic/inbox"})
    page = client.get("/console/t/clinic/inbox")
    assert '<html lang="en" dir="ltr">' in page.text and "Inbox" in page.text
    client.get("/console/lang?to=he")
    assert '<html lang="he" dir="rtl">' in client.get("/console/t/clinic/inbox").text


def test_catalogue_is_complete_and_hebrew_first():
    for key, (he, en) in CATALOGUE.items():
        assert he and en, key
    assert t("inbox.unread", "he", n=3) == "3 חדשות"
    assert t("inbox.unread", "en", n=3) == "3 unread"


def test_signed_session_rejects_tampering_and_age():
    secret = b"k" * 40
    value = sign_session(secret, "u1", 0, now=1000.0)
    assert unsign_session(secret, value, max_age_s=60, now=1010.0).user_id == "u1"
    assert unsign_session(secret, value, max_age_s=60, now=2000.0) is None
    assert unsign_session(b"x" * 40, value, max_age_s=60, now=1010.0) is None
    body, mac = value.split(".")
    assert unsign_session(secret, body[:-2] + "AA." + mac, max_age_s=60, now=1010.0) is None


def test_bidi_controls_become_visible():
    assert visible_controls("abc\u202edcba\u2066x\u2069") == "abc⟦U+202E⟧dcba⟦U+2066⟧x⟦U+2069⟧"


def test_static_assets_are_served_from_the_package(make_client):
    client = make_client()
    js = client.get("/console/static/htmx.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert client.get("/console/static/console.css").status_code == 200
    assert client.get("/console/static/..%2Fauth.py").status_code == 404
    assert client.get("/console/static/README.md").status_code == 404
