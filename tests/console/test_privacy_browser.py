"""The owner's privacy page in a real browser (Debian's Chromium through Playwright), against ``sochen serve``.

A signed WhatsApp message from דנה reaches the served app and its embedded worker; the clinic's owner
signs in, finds her by a phone number typed the Israeli way, downloads the export, and erases her after
typing the number again. Hebrew blocks compute to ``direction: rtl``; the screenshots
``owner-privacy.png`` and ``owner-privacy-erased.png`` go to ``bench/out/screenshots/``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from sochen.connectors.testing.fakes import signed_webhook, text_webhook
from sochen.db.models_conversations import Conversation
from sochen.db.session import session_scope

from ._browser import APP_SECRET, CHROMIUM, Served, shoot, wait_until
from ._support import PASSWORD, make_user

CONTACT = "972541112233"
TEXT = "שלום, אני דנה ורוצה לקבוע תור לבדיקה"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra)")


def _conversations(url: str) -> list[str]:
    with session_scope(url) as session:
        return list(session.scalars(select(Conversation.id).where(Conversation.tenant == "clinic")))


def test_owner_finds_exports_and_erases_a_person(served: Served, browser, tmp_path: Path):
    body = text_webhook(
        TEXT,
        wa_id=CONTACT,
        name="דנה כהן",
        message_id="wamid.PRIVACY-1",
        timestamp=str(int(time.time()) - 5),
        phone_number_id=served.graph.phone_number_id,
    )
    response = httpx.post(
        served.url + "/webhooks/whatsapp/clinic", content=body, headers=signed_webhook(body, APP_SECRET), timeout=10
    )
    assert response.status_code == 200, response.text
    conv = wait_until(lambda: _conversations(served.database_url), 60, "the conversation to be stored")[0]
    make_user(served.database_url, "owner@clinic.example", "owner", "clinic", name="ד״ר רונית כהן")

    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="he-IL", accept_downloads=True)
    page.set_default_timeout(30_000)
    page.goto(served.url + "/console/login")
    page.fill("input[name=login]", "owner@clinic.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/t/clinic/**")
    page.goto(served.url + "/console/t/clinic/owner/privacy")
    page.fill("#contact", "054-111-2233")
    page.click("form.privacy-find button[type=submit]")
    page.wait_for_selector("#privacy-found")
    assert page.evaluate("() => getComputedStyle(document.querySelector('#privacy-found h2')).direction") == "rtl"
    assert page.locator(f'[data-conversation="{conv}"] a').get_attribute("href").endswith(f"/conversations/{conv}")
    shoot(page, "owner-privacy", tmp_path)

    with page.expect_download() as download:
        page.click("#export-json")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert TEXT in [t["text"] for c in data["conversations"] for t in c["turns"]]

    page.fill("#confirm", "+972 54-111-2233")
    page.click("#erase-submit")
    page.wait_for_selector("#privacy-receipt")
    assert page.locator("#receipt-status").inner_text() == "הושלמה"
    shoot(page, "owner-privacy-erased", tmp_path)
    assert _conversations(served.database_url) == []
