"""Benchmark the web chat: how fast a visitor's message is acknowledged, and a reply reaches the stream.

    python bench/webchat.py [--messages 400] [--visitors 40] [--replies 20] [--json-out bench/out/webchat.json]

A fresh SQLite home and a tenant with a web chat; ``sochen serve``'s app under uvicorn in this process
(a thread) on 127.0.0.1 with the inbound queue off (``none``), so the figures are the acknowledgement
itself: origin and token check, rate limits, and the one transaction that stores the inbound item, its
job and the visitor's stream entry. Client: httpx, one request at a time (closed loop).

- *ack*: POST /webchat/{tenant}/messages, p50/p95/p99 over ``--messages`` messages from ``--visitors``
  visitors (each under its per-minute limit, raised for the run).
- *reply → stream*: a visitor's stream is open; the connector's ``send_message`` (what the dispatcher runs
  for the agent's and a person's replies) stores a reply; time until the event arrives, per poll interval.
  In this process the stream is woken at once; ``--no-wakeup`` measures the database poll alone (a reply
  sent by a worker in another process), sent just after a poll: the worst case, about one interval.
Every acknowledged message must be a stored row: the script checks it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ORIGIN = "https://clinic.example.co.il"
SECRET = "bench-webchat-secret-0123456789abcdef"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 2)


def _summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(values_ms),
        "p50_ms": _pct(values_ms, 50),
        "p95_ms": _pct(values_ms, 95),
        "p99_ms": _pct(values_ms, 99),
        "mean_ms": round(statistics.fmean(values_ms), 2),
    }


def _entry_point(home: Path) -> None:
    from importlib.metadata import entry_points

    if any(ep.name == "webchat" for ep in entry_points(group="sochen.connectors")):
        return
    info = home / "ep" / "sochen-webchat-dev-0.0.0.dist-info"  # an install that predates the connector
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sochen\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[sochen.connectors]\nwebchat = sochen.connectors.webchat:WebchatConnector\n", encoding="utf-8"
    )
    sys.path.insert(0, str(info.parent))


def run(messages: int, visitors: int, replies: int, poll_s: list[float]) -> dict[str, Any]:
    """Run both measurements on a fresh home; the figures as a dict."""
    home = Path(tempfile.mkdtemp(prefix="sochen-bench-webchat-"))
    os.environ.update(
        SOCHEN_HOME=str(home), SOCHEN_API_INBOUND_QUEUE="none", SOCHEN_LOG_LEVEL="WARNING", BENCH_WEBCHAT=SECRET
    )
    _entry_point(home)
    import uvicorn

    from sochen.api import ApiSettings, create_app
    from sochen.config import get_settings, parse_tenant_yaml, reset_settings
    from sochen.db.migrate import upgrade
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version

    reset_settings()
    settings = get_settings()
    upgrade(settings.database_url)
    out: dict[str, Any] = {"reply_to_stream": {}}
    for index, poll in enumerate(poll_s):
        slug = f"bench{index}"
        text = (
            f'slug: {slug}\nname: מרפאת בנצ\'מרק\nconnectors:\n  webchat:\n    allowed_origins: ["{ORIGIN}"]\n'
            f"    token_secret_env: BENCH_WEBCHAT\n    visitor_per_min: 600\n    ip_per_min: 6000\n"
            f"    stream_poll_s: {poll}\n"
        )
        cfg = parse_tenant_yaml(text)
        with session_scope(settings.database_url) as session:
            store_version(
                session,
                slug=cfg.slug,
                name=cfg.name,
                config=cfg.model_dump(mode="json"),
                digest=cfg.digest(),
                source_text=text,
                source_path=None,
            )
    app = create_app(settings, api_settings=ApiSettings(inbound_queue="none"))
    port = _port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}/webchat"
    try:
        with httpx.Client(timeout=30, headers={"Origin": ORIGIN}) as client:
            tokens = [client.post(f"{base}/bench0/session", json={}).json()["token"] for _ in range(visitors)]
            latencies = []
            for i in range(messages):
                token = tokens[i % visitors]
                body = json.dumps({"id": f"m{i}", "text": f"שלום, הודעה מספר {i} — מה שעות הפתיחה?"}).encode()
                headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                started = time.perf_counter()
                answer = client.post(f"{base}/bench0/messages", content=body, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"message {i}: HTTP {answer.status_code}: {answer.text[:200]}")
            out["ack"] = _summary(latencies)
            from sqlalchemy import func, select

            from sochen.db.models_api import InboundEventRow

            with session_scope(settings.database_url) as session:
                stored = session.scalar(select(func.count()).select_from(InboundEventRow))
            out["ack"]["stored_rows"] = stored
            if stored != messages:
                raise RuntimeError(f"{messages} acknowledged but {stored} stored")
            for index, poll in enumerate(poll_s):
                out["reply_to_stream"][f"poll_{poll}s"] = _replies(client, base, f"bench{index}", replies, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    return out


def _replies(client: httpx.Client, base: str, slug: str, n: int, settings: Any) -> dict[str, float]:
    from sochen.api.tenants import TenantConnectors
    from sochen.connectors.types import TextMessage

    connector: Any = TenantConnectors(settings.database_url, ttl_s=0).get(slug, "webchat")
    opened = connector.open_session(None)
    took: list[float] = []
    for i in range(n):
        headers = {"Authorization": f"Bearer {opened.token}", "Accept": "text/event-stream"}
        seen = threading.Event()
        ready = threading.Event()

        def listen(
            expected: str = f"תשובה {i}",
            headers: dict[str, str] = headers,
            seen: threading.Event = seen,
            ready: threading.Event = ready,
        ) -> None:
            with client.stream("GET", f"{base}/{slug}/stream?wait=10", headers=headers) as response:
                for line in response.iter_lines():
                    if line.startswith("retry:"):
                        ready.set()
                    if line.startswith("data: ") and json.loads(line[6:])["text"] == expected:
                        seen.set()
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        ready.wait(10)
        time.sleep(0.05)  # let the stream's first read of the visitor's messages happen
        started = time.perf_counter()
        connector.send_message(TextMessage(to=opened.visitor, text=f"תשובה {i}", idempotency_key=f"bench-{slug}-{i}"))
        if not seen.wait(10):
            raise RuntimeError("a reply did not reach the stream within 10 s")
        took.append((time.perf_counter() - started) * 1000)
        listener.join(timeout=15)
        headers["Last-Event-ID"] = str(i + 1)
    return _summary(took)


def main() -> None:
    """Parse the arguments, run, print and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--visitors", type=int, default=40)
    parser.add_argument("--replies", type=int, default=20)
    parser.add_argument("--poll", default="1.0,0.2", help="stream_poll_s values to compare")
    parser.add_argument("--json-out", default=str(ROOT / "bench" / "out" / "webchat.json"))
    parser.add_argument(
        "--no-wakeup",
        action="store_true",
        help="replies found by the stream's database poll only (as when a Celery worker in another process sends)",
    )
    args = parser.parse_args()
    if args.no_wakeup:
        from sochen.connectors.webchat.connector import WAKEUPS

        WAKEUPS.wake = lambda visitor: None  # type: ignore[method-assign]
    figures = run(args.messages, args.visitors, args.replies, [float(p) for p in args.poll.split(",")])
    result = {
        "benchmark": "webchat",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "args": vars(args),
        **figures,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json_out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
