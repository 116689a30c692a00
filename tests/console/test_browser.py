"""The receptionist's journey in a real browser (Debian's Chromium driven by Playwright).

A real ``sochen serve`` process on a free loopback port (embedded worker: turns and jobs in-process),
the fake Graph API on loopback for WhatsApp. Log in; a signed WhatsApp message arrives and appears in
the inbox without a reload; the agent hands off (the badge and the state say so); a person takes over
and replies, and the reply reaches the fake Graph API exactly once; release. Hebrew blocks compute to
``direction: rtl``. Screenshots of each page are saved under the test's tmp dir and bench/out/screenshots/
(the README's docs/img/console-inbox.png comes from ``bench/console_inbox.py --screenshot``).
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from sochen.connectors.testing.fakes import FakeGraphApi, signed_webhook, text_webhook

from ._browser import APP_SECRET, CHROMIUM, Served, shoot, wait_until
from .conftest import PASSWORD

CONTACT = "972541112233"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install -y chromium)"
    ),
]
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra)")


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


def direction(page, selector: str) -> str:
    """The computed direction of the first match, read in one script run (a live swap cannot detach it midway)."""
    return page.evaluate("s => getComputedStyle(document.querySelector(s)).direction", selector)


def sent_texts(graph: FakeGraphApi) -> list[str]:
    return [m.get("text", {}).get("body", "") for m in graph.sent]


def test_receptionist_journey(served: Served, browser, tmp_path: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="he-IL")
    page.set_default_timeout(30_000)
    page.goto(served.url + "/console/t/clinic/inbox")
    assert "/console/login" in page.url
    assert direction(page, "html") == "rtl"
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
    assert direction(page, ".conv .preview") == "rtl"
    shoot(page, "console-inbox", tmp_path)
    # The agent's own holding reply went out through the channel before the person came.
    wait_until(lambda: len(served.graph.sent) >= 1, 30, "the agent's holding reply")
    agent_messages = len(served.graph.sent)

    page.click("[data-conversation] a.open")
    page.wait_for_selector("#transcript")
    body = page.locator(".msg.user .body").first
    assert "לדבר עם נציג" in body.inner_text()
    assert direction(page, ".msg.user .body") == "rtl"
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
    # On a phone: nothing wider than the screen, the transcript still right to left.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert direction(page, ".msg.user .body") == "rtl"
    shoot(page, "console-conversation-phone", tmp_path)
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(served.url + "/console/t/clinic/inbox?state=active")
    page.wait_for_selector('[data-conversation][data-state="active"]')
