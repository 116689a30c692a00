"""The web chat widget in a real browser: Chromium (Debian's, driven by Playwright) on a clinic's page.

A real uvicorn server on 127.0.0.1 serves Sochen (embedded turns and jobs); a tiny host page on another
loopback port — the clinic's site, with hostile CSS — embeds the one ``<script>`` tag. The example clinic
tenant (with its web chat) talks to the fake Zoho, Graph API and n8n. A visitor writes in Hebrew, the
agent answers through the widget, the visitor's phone number completes a lead that lands in the fake
Zoho, a reload resumes the conversation, and a person's reply from the inbox
(:func:`sochen.workflows.conversations.reply_as_person`) appears without a reload.
"""

from __future__ import annotations

import http.server
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sochen.config import get_settings
from sochen.connectors.testing.fakes import FakeGraphApi, FakeN8n, FakeZoho
from tests.api._webchat import ensure_entry_point

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "bench" / "out" / "screenshots"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install -y chromium)"
    ),
]

HOST_PAGE = """<!doctype html>
<html lang="en" dir="ltr"><head><meta charset="utf-8"><title>Clinic site</title>
<style>
  /* The clinic's own CSS must not break the widget (it lives in a shadow DOM). */
  * {{ direction: ltr !important; font-size: 30px !important; color: red !important; }}
  button {{ display: none !important; }}
</style></head>
<body><h1>Dr. Levi's dental clinic</h1>
<script src="{api}/webchat/clinic/widget.js" defer></script>
</body></html>
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def fakes() -> Iterator[tuple[FakeGraphApi, FakeZoho, FakeN8n]]:
    graph, zoho, n8n = FakeGraphApi().start(), FakeZoho().start(), FakeN8n().start()
    n8n.register("new-lead")
    try:
        yield graph, zoho, n8n
    finally:
        for fake in (graph, zoho, n8n):
            fake.stop()


@pytest.fixture
def host_page(tmp_path: Path) -> Iterator[tuple[str, Callable[[str], None]]]:
    """The clinic's site on its own loopback port; ``write(api)`` puts the page there."""
    root = tmp_path / "site"
    root.mkdir()
    port = _free_port()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def write(api: str) -> None:
        (root / "index.html").write_text(HOST_PAGE.format(api=api), encoding="utf-8")

    try:
        yield f"http://127.0.0.1:{port}", write
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def clinic(any_database_url, fakes, host_page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The example clinic (its YAML and documents) with its connectors pointed at the fakes."""
    from typer.testing import CliRunner

    from sochen.cli import app as cli

    if any_database_url.startswith("postgresql"):
        pytest.skip("the browser journey runs once, on the embedded stack")
    ensure_entry_point(tmp_path, monkeypatch)
    graph, zoho, n8n = fakes
    origin, _ = host_page
    example = REPO / "examples" / "tenants" / "clinic"
    folder = tmp_path / "clinic"
    shutil.copytree(example / "docs", folder / "docs")
    config = yaml.safe_load((example / "tenant.yaml").read_text(encoding="utf-8"))
    connectors = config["connectors"]
    connectors["whatsapp"].update(phone_number_id=graph.phone_number_id, graph_url=graph.url)
    connectors["zoho_crm"].update(client_id=zoho.client_id, accounts_url=zoho.accounts_url, api_domain=zoho.api_domain)
    connectors["n8n"]["base_url"] = n8n.url
    connectors["webchat"]["allowed_origins"] = [origin]
    (folder / "tenant.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    for name, value in {
        "CLINIC_WHATSAPP_TOKEN": graph.access_token,
        "CLINIC_WHATSAPP_APP_SECRET": "browser-test-app-secret",
        "CLINIC_WHATSAPP_VERIFY_TOKEN": "browser-test-verify",
        "CLINIC_ZOHO_CLIENT_SECRET": zoho.client_secret,
        "CLINIC_ZOHO_REFRESH_TOKEN": zoho.refresh_token,
        "CLINIC_N8N_SECRET": "browser-test-n8n-secret",
        "CLINIC_WEBCHAT_SECRET": "browser-test-webchat-secret-0123456789abcdef",
    }.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    for args in (["db", "upgrade"], ["tenant", "apply", str(folder / "tenant.yaml")], ["ingest", "--tenant", "clinic"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    return fakes


@pytest.fixture
def server(clinic) -> Iterator[tuple[str, Any]]:
    """Sochen on a real uvicorn server on 127.0.0.1 (embedded turn and job workers); yields (url, app state)."""
    import uvicorn

    from sochen.api import ApiSettings, create_app

    app = create_app(get_settings(), api_settings=ApiSettings(tenant_cache_s=0))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    _wait(lambda: uv.started, timeout=30, what="uvicorn to start")
    try:
        yield f"http://127.0.0.1:{port}", app.state.sochen
    finally:
        uv.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


CONTRAST_JS = """() => {
  const root = document.getElementById('sochen-webchat').shadowRoot;
  const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  return ['.launcher', 'header', '.send', '.msg.in', '.msg.out', 'textarea', '.status'].map((sel) => {
    const el = root.querySelector(sel); if (!el) return 21;
    let bg = getComputedStyle(el).backgroundColor, node = el;
    while (bg === 'rgba(0, 0, 0, 0)' && node.parentElement) { node = node.parentElement; bg = getComputedStyle(node).backgroundColor; }
    if (bg === 'rgba(0, 0, 0, 0)') bg = 'rgb(255, 255, 255)';
    return ratio(getComputedStyle(el).color, bg);
  });
}"""


def _contrasts(page: Any) -> list[float]:
    return list(page.evaluate(CONTRAST_JS))


def _agent_messages(page: Any) -> list[str]:
    """The texts the business sent, as shown (without the screen-reader prefix "העסק:")."""
    shown = page.locator("#sochen-webchat .msg.out:not([data-greeting])").all_inner_texts()
    return [text.removeprefix("העסק:").strip() for text in shown]


def test_a_visitor_conversation_in_hebrew_ends_in_a_lead_and_a_persons_reply_arrives_live(
    server, host_page, browser, clinic
):
    from sqlalchemy import select

    from sochen.db.models_webchat import WebchatVisitor
    from sochen.db.session import session_scope
    from sochen.workflows.conversations import conversation_id_for, reply_as_person

    api, state = server
    origin, write = host_page
    write(api)
    _graph, zoho, _n8n = clinic
    page = browser.new_page(locale="he-IL", viewport={"width": 1000, "height": 800})
    page.set_default_timeout(20_000)
    page.goto(f"{origin}/index.html")

    launcher = page.get_by_role("button", name="צ'אט עם המרפאה")
    dialog = page.get_by_role("dialog", name="צ'אט עם המרפאה")
    # Keyboard only: Enter opens the chat, Escape closes it and gives the focus back to the launcher.
    launcher.focus()
    page.keyboard.press("Enter")
    dialog.wait_for(state="visible")
    assert launcher.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert launcher.evaluate("el => el === el.getRootNode().activeElement")
    launcher.click()
    dialog.wait_for(state="visible")
    textbox = page.get_by_role("textbox", name="ההודעה שלך | Your message")
    assert textbox.evaluate("el => el === el.getRootNode().activeElement")  # focus moved into the chat
    assert page.get_by_role("log").count() == 1
    direction = page.evaluate(
        "() => getComputedStyle(document.getElementById('sochen-webchat').shadowRoot.querySelector('.panel')).direction"
    )
    assert direction == "rtl"
    assert min(_contrasts(page)) >= 4.5  # WCAG AA for every text colour pair the widget draws

    # The visitor asks for an appointment: the agent (anonymous visitor: no phone yet) asks for a number.
    textbox.fill("שלום, שמי שרית חדד ואני רוצה תור לסתימה ביום שלישי ב-9")
    textbox.press("Enter")
    first = _wait(lambda: _agent_messages(page), what="the agent's first reply")
    assert "טלפון" in first[-1]
    textbox.fill("המספר שלי 054-7788990")
    textbox.press("Enter")

    def lead() -> Any:
        leads = zoho.crm.records("Leads")
        return leads[0] if leads else None

    record = _wait(lead, timeout=60, what="the lead in the fake Zoho")
    assert record["Phone"] == "+972547788990" and record["Last_Name"] == "חדד"
    assert record["Lead_Source"] == "Chat"
    replies = _wait(lambda: (r := _agent_messages(page)) and len(r) >= 2 and r, what="the agent's confirmation")
    assert "שרית" in replies[-1]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "webchat.png"))

    # A reload resumes the same visitor with the whole conversation.
    conversation_shown = page.locator("#sochen-webchat .msg:not([data-greeting])").all_inner_texts()
    page.reload()
    page.get_by_role("button", name="צ'אט עם המרפאה").click()
    _wait(
        lambda: page.locator("#sochen-webchat .msg:not([data-greeting])").all_inner_texts() == conversation_shown,
        what="the same history after the reload",
    )
    with session_scope(get_settings().database_url) as session:
        [visitor] = session.scalars(select(WebchatVisitor))
        visitor_id = visitor.id

    # A person answers from the inbox: it reaches the open widget without a reload, once.
    conversation = conversation_id_for("clinic", "webchat", visitor_id)
    text = "כאן דנה מהמרפאה 🙂 קבענו לך תור ליום שלישי ב-9:00"
    reply_as_person(get_settings(), "clinic", conversation, text, author="דנה", publish=state.job_publisher)
    _wait(lambda: text in _agent_messages(page), what="the person's reply in the widget")
    time.sleep(1.5)  # a few more stream polls: the reply must not be shown twice
    assert _agent_messages(page).count(text) == 1
    page.screenshot(path=str(SHOTS / "webchat_person_reply.png"))
    page.close()
