"""The receptionist's journey in a real browser (Debian's Chromium driven by Playwright).

A real ``sochen serve`` process on a free loopback port (embedded worker: turns and jobs in-process),
the fake Graph API on loopback for WhatsApp. Log in; a signed WhatsApp message arrives and appears in
the inbox without a reload; the agent hands off (the badge and the state say so); a person takes over
and replies, and the reply reaches the fake Graph API exactly once; release. Hebrew blocks compute to
``direction: rtl``. Screenshots of each page are saved under the test's tmp dir and bench/out/screenshots/
(the README's docs/img/console-inbox.png comes from ``bench/console_inbox.py --screenshot``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sochen.cli import app as cli
from sochen.connectors.testing.fakes import FakeGraphApi, signed_webhook, text_webhook

from .conftest import PASSWORD, make_user

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
APP_SECRET = "browser-app-secret-not-real"
CONTACT = "972541112233"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install -y chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    graph: FakeGraphApi
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path


def wait_until(check, timeout: float, what: str, step: float = 0.2):
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def tenant_yaml(graph: FakeGraphApi) -> str:
    return f"""slug: clinic
name: מרפאת שיניים
agent:
  services: [הלבנת שיניים, ניקוי אבנית]
connectors:
  whatsapp:
    phone_number_id: "{graph.phone_number_id}"
    graph_url: "{graph.url}"
    access_token_env: BROWSER_WA_TOKEN
    app_secret_env: BROWSER_WA_SECRET
    verify_token_env: BROWSER_WA_VERIFY
"""


@pytest.fixture
def served(isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """``sochen serve`` in its own process on a free port, with a tenant, an agent account and the fake Graph API."""
    graph = FakeGraphApi().start()
    env = {"BROWSER_WA_TOKEN": graph.access_token, "BROWSER_WA_SECRET": APP_SECRET, "BROWSER_WA_VERIFY": "verify"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "tenant.yaml").write_text(tenant_yaml(graph), encoding="utf-8")
    runner = CliRunner()
    for args in (["db", "upgrade"], ["tenant", "apply", str(tmp_path / "tenant.yaml")]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    from sochen.config import get_settings

    database_url = get_settings().database_url
    make_user(database_url, "rutie@clinic.example", "agent", "clinic", name="רותי")
    port = free_port()
    log = tmp_path / "server.log"
    child_env = {**os.environ, "PYTHONPATH": str(REPO), "SOCHEN_CONSOLE_SSE_POLL_S": "0.3"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "from sochen.cli import main; main()", "serve", "--port", str(port)],
            env=child_env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            if process.poll() is not None:
                raise AssertionError("the server exited:\n" + log.read_text(errors="replace")[-3000:])
            try:
                return httpx.get(url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, 60, "the server to answer /healthz")
        yield Served(url, graph, database_url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        graph.stop()


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def shoot(page, name: str, tmp_path: Path) -> Path:
    """Save a screenshot as a test artifact (tmp dir and bench/out/screenshots/)."""
    path = tmp_path / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    keep = REPO / "bench" / "out" / "screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, keep / path.name)
    return path


def deliver(served: Served, text: str, message_id: str) -> None:
    body = text_webhook(
        text,
        wa_id=CONTACT,
        name="דנה כהן",
        message_id=message_id,
        timestamp=str(int(time.time()) - 5),
        phone_number_id=served.graph.phone_number_id,
    )
    response = httpx.post(
        served.url + "/webhooks/whatsapp/clinic", content=body, headers=signed_webhook(body, APP_SECRET), timeout=10
    )
    assert response.status_code == 200, response.text


def sent_texts(graph: FakeGraphApi) -> list[str]:
    return [m.get("text", {}).get("body", "") for m in graph.sent]


def test_receptionist_journey(served: Served, browser, tmp_path: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="he-IL")
    page.set_default_timeout(30_000)
    page.goto(served.url + "/console/t/clinic/inbox")
    assert "/console/login" in page.url
    assert page.eval_on_selector("html", "el => getComputedStyle(el).direction") == "rtl"
    shoot(page, "console-login", tmp_path)
    page.fill("input[name=login]", "rutie@clinic.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/t/clinic/inbox")
    assert page.locator("[data-conversation]").count() == 0
    # The live feed is connected before the message arrives (no reload from here on).
    page.wait_for_function("() => document.body.getAttribute('sse-connect') !== null")
    time.sleep(1.0)

    deliver(served, "שלום, אני רוצה לדבר עם נציג בבקשה", "wamid.BROWSER-1")
    row = page.wait_for_selector('[data-conversation][data-state="needs_person"]', timeout=90_000)
    assert "דנה כהן" in row.inner_text()
    page.wait_for_selector("#handoff-badge .badge", timeout=40_000)  # the badge: every 30 s or on the feed
    preview = page.locator(".conv .preview").first
    assert preview.evaluate("el => getComputedStyle(el).direction") == "rtl"
    shoot(page, "console-inbox", tmp_path)
    # The agent's own holding reply went out through the channel before the person came.
    wait_until(lambda: len(served.graph.sent) >= 1, 30, "the agent's holding reply")
    agent_messages = len(served.graph.sent)

    page.click("[data-conversation] a.open")
    page.wait_for_selector("#transcript")
    body = page.locator(".msg.user .body").first
    assert "לדבר עם נציג" in body.inner_text()
    assert body.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page.click("#act-take")
    page.wait_for_selector(".flash")
    assert "השיחה אצלך" in page.locator(".flash").inner_text()
    reply = "שלום דנה, כאן רותי מהמרפאה. איך אפשר לעזור?"
    page.fill("#reply-form textarea[name=text]", reply)
    page.click("#act-reply")
    page.wait_for_selector(".flash")
    wait_until(lambda: reply in sent_texts(served.graph), 30, "the person's reply at the Graph API")
    # The job's progress reaches the open page through the live feed, without a reload.
    page.wait_for_function(
        """() => document.querySelectorAll(
            '#jobs [data-action="whatsapp.send_message"][data-status="succeeded"]').length === 2""",
        timeout=30_000,
    )  # the agent's holding reply and the person's
    shoot(page, "console-conversation", tmp_path)
    time.sleep(2.0)  # a duplicate send would have happened by now
    assert sent_texts(served.graph).count(reply) == 1
    assert len(served.graph.sent) == agent_messages + 1
    assert served.graph.sent[-1]["to"] == CONTACT

    page.click("#act-release")
    page.wait_for_selector(".flash")
    assert page.locator("#conv-state").get_attribute("class") == "pill active"
    page.goto(served.url + "/console/t/clinic/inbox?state=active")
    page.wait_for_selector('[data-conversation][data-state="active"]')
