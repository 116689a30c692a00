"""Benchmark the console's inbox page with 1,000 conversations: page-load time p50/p95 over HTTP.

    python bench/console_inbox.py [--conversations 1000] [--requests 200] [--backend sqlite|postgresql]
                                  [--label NAME]

A fresh database (SQLite in a temporary SOCHEN_HOME, or a new PostgreSQL database) gets a tenant and
N conversations (each a Hebrew customer message and an agent reply; a fifth of them handed off, a
tenth closed, a few read by the measuring user), then ``sochen serve`` runs in a subprocess on a free
loopback port (embedded worker, one uvicorn worker). The client signs in through the login form and
requests, one at a time (after 10 warm-up requests): the full inbox page (``/console/t/T/inbox``),
the filtered "needs a person" page, and the list fragment the live feed swaps in (``/inbox/list``).
Latency is the client's wall time per request: the server's work (session check, queries, template)
plus loopback HTTP; the client runs in another process on the same machine. The Argon2 sign-in is
outside the measurement. Prints a table and writes ``bench/results/console_inbox_<label>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("SOCHEN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-password-0123456789"
TENANT_YAML = """slug: clinic
name: מרפאת בנצ'מרק
connectors:
  whatsapp:
    phone_number_id: "277321005464405"
    access_token_env: BENCH_WA_TOKEN
    app_secret_env: BENCH_WA_SECRET
    verify_token_env: BENCH_WA_VERIFY
"""
MESSAGES = [
    "שלום, כמה עולה ניקוי אבנית?",
    "אני רוצה לקבוע תור להלבנת שיניים ב-12/12 בשעה 17:00",
    "Hi, do you speak English? אני מעדיפה עברית",
    "יש לי כאב חזק בשן, אפשר היום?",
    "מה שעות הפתיחה ביום ו׳?",
]


NAMES = ["דנה כהן", "יוסי לוי", "Sarah Cohen", "מוחמד חורי", "רותם אברהם", "נועה ביטון", "אבי מזרחי", "שירה פרץ"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(database_url: str, conversations: int) -> None:
    """Tenant, an agent account and ``conversations`` conversations, straight into the database."""
    from sochen.config import parse_tenant_yaml
    from sochen.console.users import create_user
    from sochen.db.migrate import upgrade
    from sochen.db.models_console import ConsoleReadMark
    from sochen.db.models_conversations import Conversation, ConversationTurn
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version

    upgrade(database_url)
    cfg = parse_tenant_yaml(TENANT_YAML)
    now = datetime.now(UTC)
    with session_scope(database_url) as session:
        store_version(
            session,
            slug=cfg.slug,
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text=TENANT_YAML,
            source_path=None,
        )
        user, _ = create_user(session, login="bench", name="בודק", role="agent", tenant="clinic", password=PASSWORD)
        for i in range(conversations):
            conv_id = uuid.uuid4().hex
            at = now - timedelta(minutes=i)
            status, reason = ("handoff", "human_request") if i % 5 == 0 else ("active", None)
            if i % 10 == 3:
                status = "closed"
            session.add(
                Conversation(
                    id=conv_id,
                    tenant="clinic",
                    channel="whatsapp",
                    contact_id=f"97250{i:07d}",
                    contact_name=NAMES[i % len(NAMES)],
                    status=status,
                    handoff_reason=reason,
                    turns=2,
                    created_at=at,
                    updated_at=at,
                )
            )
            for turn in (1, 2):
                session.add(
                    ConversationTurn(
                        conversation_id=conv_id,
                        turn=turn,
                        role="user",
                        text=MESSAGES[(i + turn) % len(MESSAGES)],
                        message_id=f"wamid.{i}.{turn}",
                        created_at=at,
                    )
                )
                session.add(
                    ConversationTurn(
                        conversation_id=conv_id,
                        turn=turn,
                        role="agent",
                        text="תודה! נחזור אליך בהקדם.",
                        created_at=at,
                        details={"route": {"route": "none", "reason": "template"}},
                    )
                )
            if i % 7 == 0:
                session.flush()
                session.add(ConsoleReadMark(user_id=user.id, conversation_id=conv_id, turns_seen=1))


def sign_in(client: httpx.Client) -> None:
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    response = client.post(
        "/console/login", data={"login": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 303, response.text[:500]


def measure(client: httpx.Client, path: str, requests: int) -> dict[str, Any]:
    for _ in range(10):
        assert client.get(path).status_code == 200
    times, sizes = [], []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        sizes.append(len(response.content))
    times.sort()
    return {
        "path": path,
        "requests": requests,
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "max_ms": round(times[-1], 2),
        "bytes": int(statistics.median(sizes)),
    }


def screenshot(base: str, target: Path) -> None:
    """Sign in with Chromium and save the inbox as a PNG (the README's picture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 760}, locale="he-IL")
            page.goto(base + "/console/login")
            page.fill("input[name=login]", "bench")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("[data-conversation]")
            page.wait_for_timeout(1500)  # the badge and the live feed's first refresh
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))
        finally:
            browser.close()
    print(f"screenshot: {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--label", default="")
    parser.add_argument("--screenshot", type=Path, help="Also save a PNG of the inbox (Playwright, /usr/bin/chromium).")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="sochen-bench-console-"))
    env = {
        **os.environ,
        "SOCHEN_HOME": str(home),
        "SOCHEN_ENVIRONMENT": "development",
        "PYTHONPATH": str(ROOT),
        "BENCH_WA_TOKEN": "EAAG-bench",
        "BENCH_WA_SECRET": "bench-secret",
        "BENCH_WA_VERIFY": "bench-verify",
        "SOCHEN_LOG_LEVEL": "WARNING",
    }
    pg_name = None
    if args.backend == "postgresql":
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        pg_name = f"sochen_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        env["SOCHEN_DATABASE_URL"] = make_url(PG_ADMIN).set(database=pg_name).render_as_string(hide_password=False)
    os.environ.update(env)
    from sochen.config import get_settings, reset_settings

    reset_settings()
    database_url = get_settings().database_url
    started = time.perf_counter()
    seed(database_url, args.conversations)
    seed_s = time.perf_counter() - started
    port = free_port()
    log = home / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from sochen.cli import main; main()",
                "serve",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    results: list[dict[str, Any]] = []
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                raise SystemExit("the server exited:\n" + log.read_text(errors="replace")[-3000:])
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not answer /healthz within 90 s")
            time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=30) as client:
            sign_in(client)
            for path in (
                "/console/t/clinic/inbox",
                "/console/t/clinic/inbox?state=needs_person",
                "/console/t/clinic/inbox/list",
            ):
                results.append(measure(client, path, args.requests))
        if args.screenshot:
            screenshot(base, args.screenshot)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        if pg_name:
            from sqlalchemy import create_engine, text

            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))

    print(f"inbox with {args.conversations} conversations ({args.backend}), {args.requests} requests each:")
    print(f"{'path':45} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'bytes':>8}")
    for r in results:
        print(f"{r['path']:45} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f} {r['bytes']:8d}")
    label = args.label or f"{args.backend}_{args.conversations}"
    out = ROOT / "bench" / "results" / f"console_inbox_{label}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "console_inbox",
                "backend": args.backend,
                "conversations": args.conversations,
                "page_size": 50,
                "seed_s": round(seed_s, 1),
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
