"""The lawyer's and the owner's journeys in a real browser (Debian's Chromium through Playwright).

A real uvicorn server on 127.0.0.1 serves the app on the test database; every wait is bounded.
Screenshots of each main page go to ``bench/out/screenshots/`` (kept by CI as artifacts).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sochen.config import get_settings
from sochen.db.models import Tenant
from sochen.db.session import session_scope
from sochen.evals import run_suite
from tests.api._support import ENV
from tests.api.conftest import RecordingQueue, api_settings

from ._browser import shoot
from ._pages import BROKEN_PDF, LAWFIRM, add_ledger_row, broken_yaml, make_world
from ._support import PASSWORD, make_user

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 30_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


@contextmanager
def live_server() -> Iterator[str]:
    """The app under uvicorn on a free loopback port, stopped at the end."""
    import uvicorn

    from sochen.api import create_app

    app = create_app(get_settings(), api_settings=api_settings(), queue=RecordingQueue())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture
def world(any_database_url, tmp_path, monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    clinic = make_world(any_database_url, tmp_path / "world", lawfirm_docs=("fee_schedule.md", "lease.pdf"))
    yield clinic
    from sochen.agents.graph import forget_checkpointers

    forget_checkpointers()


def sign_in(browser: Any, base: str, login: str) -> Any:
    """A new page signed in as ``login`` through the form."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="he-IL")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(f"{base}/console/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/console/login" not in url)
    return page


def direction(page: Any, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).direction")


def test_a_lawyer_asks_opens_a_cited_clause_and_uploads(world, any_database_url, browser, tmp_path):
    make_user(any_database_url, "lawyer@lawfirm.example", "agent", "lawfirm", name="עו״ד מיכל לוי")
    with live_server() as base:
        page = sign_in(browser, base, "lawyer@lawfirm.example")
        page.goto(f"{base}/console/t/lawfirm/archive")
        assert direction(page, "main") == "rtl" and direction(page, "#docs-title") == "rtl"
        page.fill("#question", "מה תקופת ההודעה המוקדמת לסיום השכירות לפני תום התקופה?")
        page.click(".ask button[type=submit]")
        page.wait_for_selector("#answer .citation a.cite-link")
        assert direction(page, "#answer .answer-text") == "rtl"
        answer = page.inner_text("#answer .answer-text")
        assert "90 יום" in answer
        first = page.locator("#answer .citation").first
        quote = first.locator("blockquote").inner_text()
        assert "עמ׳" in first.locator("a.cite-link").inner_text()  # the clause's page in the PDF
        shoot(page, "archive-answer", tmp_path)

        first.locator("a.cite-link").click()
        page.wait_for_selector("article.passage.cited")
        cited = page.locator("article.passage.cited")
        assert cited.is_visible() and "3.3" in cited.inner_text() and quote[:30] in cited.inner_text()
        assert page.locator("article.passage.cited mark").count() == 1
        assert direction(page, "article.passage.cited .passage-text") == "rtl"
        in_view = page.eval_on_selector(
            "article.passage.cited", "el => { const r = el.getBoundingClientRect(); return r.top < innerHeight; }"
        )
        assert in_view
        shoot(page, "archive-document", tmp_path)

        page.goto(f"{base}/console/t/lawfirm/archive/search?q=ריטיינר")
        page.wait_for_selector("#hits .hit")
        shoot(page, "archive-search", tmp_path)

        page.goto(f"{base}/console/t/lawfirm/archive")
        docx = LAWFIRM / "docs" / "engagement_agreement.docx"
        page.set_input_files(
            ".upload-form input[type=file]",
            [
                {"name": "הסכם התקשרות.docx", "mimeType": "application/octet-stream", "buffer": docx.read_bytes()},
                {"name": "חוזה פגום.pdf", "mimeType": "application/pdf", "buffer": BROKEN_PDF},
            ],
        )
        assert page.locator("#chosen-files li").count() == 2
        page.click(".upload-form button[type=submit]")
        page.wait_for_selector("#uploads li.upload.failed", timeout=120_000)
        ok = page.locator("#uploads li.upload.ok")
        failed = page.locator("#uploads li.upload.failed")
        assert ok.count() == 1 and "הסכם התקשרות.docx" in ok.inner_text()
        assert failed.count() == 1 and "חוזה פגום.pdf" in failed.inner_text()
        assert "הקובץ פגום או קטוע" in failed.locator(".reason").inner_text()
        assert direction(page, "#uploads li.upload.failed .reason") == "rtl"
        assert page.eval_on_selector("#upload-progress", "el => el.value === el.max && el.max > 0")
        assert "הסכם התקשרות.docx" in page.inner_text("#documents")  # the list was refreshed, no reload
        shoot(page, "archive-upload", tmp_path)


def _live(url: str) -> int | None:
    with session_scope(url) as session:
        return session.scalar(select(Tenant.live_version).where(Tenant.slug == "clinic"))


def test_promote_is_refused_for_a_failing_version_and_allowed_after_a_passing_run(
    world, any_database_url, browser, tmp_path
):
    make_user(any_database_url, "owner@clinic.example", "owner", "clinic", name="ד״ר רונית כהן")
    make_user(any_database_url, "viewer@clinic.example", "viewer", "clinic", name="צופה")
    assert world.apply(broken_yaml()) == 2
    failing = run_suite(get_settings(), "clinic", version=2, jobs=2)
    assert not failing.passed
    with live_server() as base:
        owner = sign_in(browser, base, "owner@clinic.example")
        owner.goto(f"{base}/console/t/clinic/owner/")
        version2 = owner.locator("article.version[data-version='2']")
        assert version2.get_attribute("data-passed") == "false"
        assert version2.locator("a.button").count() == 0  # no promote button for a failing version
        assert direction(owner, "article.version[data-version='2'] h3") == "rtl"
        owner.goto(f"{base}/console/t/clinic/owner/versions/2/promote")
        assert owner.locator("#confirm-promote").count() == 0
        assert "(min_pass_rate)" in owner.inner_text(".reasons")
        assert owner.locator("tr[data-threshold='min_pass_rate'].bad").count() == 1
        shoot(owner, "owner-promote-refused", tmp_path)

        # A passing run of version 1 (the clinic as first applied), then promotion with confirmation.
        passing = run_suite(get_settings(), "clinic", version=1, jobs=2)
        assert passing.passed
        owner.goto(f"{base}/console/t/clinic/owner/")
        version1 = owner.locator("article.version[data-version='1']")
        assert version1.get_attribute("data-passed") == "true"
        shoot(owner, "owner-versions", tmp_path)
        version1.locator("a.button").click()
        owner.wait_for_selector("#confirm-promote")
        shoot(owner, "owner-promote-confirm", tmp_path)
        owner.click("#confirm-promote")
        owner.wait_for_selector(".flash")
        assert "גרסה 1 חיה כעת" in owner.inner_text(".flash")
        assert _live(any_database_url) == 1
        assert owner.locator("article.version[data-version='1'] .pill.live").count() == 1

        owner.goto(f"{base}/console/t/clinic/owner/runs/{passing.run_id}/report")
        assert direction(owner, "body") == "rtl"
        shoot(owner, "owner-eval-report", tmp_path)
        owner.goto(f"{base}/console/t/clinic/owner/jobs")
        shoot(owner, "owner-jobs", tmp_path)
        today = datetime.now(ZoneInfo("Asia/Jerusalem"))  # the clinic's months are Israel's
        for back, spend in enumerate((1450.0, 1100.0, 800.0, 450.0)):  # this month and the three before
            year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
            when = datetime(year, month + 1, 5, 12, tzinfo=UTC)
            add_ledger_row(any_database_url, "clinic", when, locality="api", cost=spend, request=f"api{back}")
            for i in range(4):
                add_ledger_row(any_database_url, "clinic", when, locality="local", cost=0.0, request=f"l{back}{i}")
        owner.goto(f"{base}/console/t/clinic/owner/usage")
        owner.wait_for_selector("svg.spend-chart")
        assert owner.locator("svg.spend-chart rect.bar").count() == 6
        assert "80%" in owner.inner_text("#local-share")  # 4 of 5 requests this month went to the local model
        shoot(owner, "owner-usage", tmp_path)

        # A viewer sees the verdicts but cannot promote, even on the confirmation page.
        viewer = sign_in(browser, base, "viewer@clinic.example")
        viewer.goto(f"{base}/console/t/clinic/owner/")
        assert viewer.locator("a.button").count() == 0
        viewer.goto(f"{base}/console/t/clinic/owner/versions/1/promote")
        assert viewer.locator("#confirm-promote").count() == 0
        assert "רק בעלים" in viewer.inner_text("main")
        shoot(viewer, "owner-viewer-cannot-promote", tmp_path)
        # A cross-tenant URL answers 404 in the browser too.
        response = viewer.goto(f"{base}/console/t/lawfirm/owner/")
        assert response is not None and response.status == 404
