"""Browser-test fixtures of the console: a real ``sochen serve`` on a free loopback port, and Chromium.

- ``served``: the server (its own process, embedded worker) with the tenant ``clinic`` (WhatsApp pointed
  at a started :class:`FakeGraphApi`, app secret :data:`APP_SECRET`) and an agent account
  ``rutie@clinic.example`` / ``_support.PASSWORD``. ``served.url``, ``served.graph``, ``served.database_url``.
- ``browser``: Playwright's Chromium launched from ``/usr/bin/chromium`` (never a downloaded browser).
- ``shoot(page, name, tmp_path)`` saves a screenshot artifact; ``wait_until(check, timeout, what)`` polls.
Tests using them should skip when Chromium or Playwright is missing (see test_browser.py).
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
from sochen.connectors.testing.fakes import FakeGraphApi

from ._support import make_user

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
APP_SECRET = "browser-app-secret-not-real"


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
    """Chromium from /usr/bin/chromium, driven by Playwright."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra)")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
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
