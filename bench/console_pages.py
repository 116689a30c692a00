"""Server time of the archive and owner pages of the console: p50/p95 per page, printed and written as JSON.

    python bench/console_pages.py [--requests 40] [--json-out bench/out/console_pages.json]

A fresh SOCHEN_HOME (SQLite, Qdrant Edge) with the example law firm (``examples/tenants/lawfirm``, models
replaced by none: extractive answers) and all its documents ingested, the ledger filled with six months
of requests (``--ledger`` rows a month), and ``--jobs`` dead jobs. An owner signs in through the login form
(FastAPI's TestClient, in process: no network, so this is the app's time, not a browser's), then each page
is requested ``--requests`` times after one warm-up request. Ask is a POST through the real answerer.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _setup(home: Path, *, ledger: int, jobs: int) -> str:
    os.environ["SOCHEN_HOME"] = str(home)
    os.environ["SOCHEN_ENVIRONMENT"] = "test"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sochen.config import get_settings, load_tenant_file
    from sochen.console.users import create_user
    from sochen.db.migrate import upgrade
    from sochen.db.models import LlmCall
    from sochen.db.models_outbox import Job
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version
    from sochen.llm.presets import models_preset
    from sochen.rag.ingest import ingest_paths
    from sochen.rag.retriever import Retriever

    url = get_settings().database_url
    upgrade(url)
    path = ROOT / "examples" / "tenants" / "lawfirm" / "tenant.yaml"
    loaded = load_tenant_file(path)
    cfg = loaded.config.model_copy(update={"models": models_preset("model-free")})
    with session_scope(url) as session:
        store_version(
            session,
            slug=cfg.slug,
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text=loaded.source_text,
            source_path=str(path),
        )
    ingest_paths(Retriever(get_settings()), "lawfirm", [path.parent / "docs"])
    now = datetime.now(UTC)
    with session_scope(url) as session:
        create_user(session, login="owner", name="בעלים", role="owner", tenant="lawfirm", password="bench-סיסמה-1234")
        for back in range(6):
            year, month = divmod(now.year * 12 + now.month - 1 - back, 12)
            for i in range(ledger):
                api = i % 4 == 0
                session.add(
                    LlmCall(
                        tenant_slug="lawfirm",
                        request_id=f"r{back}-{i}",
                        provider="openai" if api else "ollama",
                        model="gpt-4o" if api else "qwen2.5:14b-instruct",
                        locality="api" if api else "local",
                        route="api" if api else "local",
                        reason_code="complex" if api else "simple",
                        reason="x",
                        tokens_in=1200,
                        tokens_out=300,
                        cost_usd=0.01 if api else 0.0,
                        latency_ms=800.0,
                        outcome="ok",
                        created_at=datetime(year, month + 1, 1 + i % 27, 12, tzinfo=UTC),
                    )
                )
        for i in range(jobs):
            session.add(
                Job(
                    key=f"bench-{i}",
                    tenant="lawfirm",
                    action="n8n.trigger_workflow",
                    params={},
                    status="dead",
                    attempts=8,
                    last_error="unreachable",
                )
            )
    return url


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--ledger", type=int, default=500, help="ledger rows per month (six months)")
    parser.add_argument("--jobs", type=int, default=200, help="dead jobs")
    parser.add_argument("--json-out", type=Path, default=ROOT / "bench" / "out" / "console_pages.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        _setup(Path(tmp) / "home", ledger=args.ledger, jobs=args.jobs)
        setup_s = time.perf_counter() - started
        from fastapi.testclient import TestClient
        from sqlalchemy import select

        from sochen.api import ApiSettings, create_app
        from sochen.config import get_settings
        from sochen.db.models import Chunk, Document
        from sochen.db.session import session_scope

        with session_scope(get_settings().database_url) as session:
            doc_id, chunk_id = session.execute(
                select(Document.id, Chunk.id).join(Chunk, Chunk.document_id == Document.id).limit(1)
            ).one()
        app = create_app(get_settings(), api_settings=ApiSettings(inbound_queue="none"))
        results: dict[str, Any] = {}
        with TestClient(app) as client:
            form = client.get("/console/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token
            client.post(
                "/console/login",
                data={"login": "owner", "password": "bench-סיסמה-1234", "csrf_token": token.group(1)},
            )
            page = client.get("/console/t/lawfirm/archive").text
            csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page)
            assert csrf
            base = "/console/t/lawfirm"
            pages: dict[str, tuple[str, str, dict[str, str] | None]] = {
                "archive": ("GET", f"{base}/archive", None),
                "ask": ("POST", f"{base}/archive/ask", {"question": "מה תקופת ההודעה המוקדמת לסיום השכירות?"}),
                "search": ("GET", f"{base}/archive/search?q=ריטיינר", None),
                "document": ("GET", f"{base}/archive/documents/{doc_id}?chunk={chunk_id}", None),
                "owner": ("GET", f"{base}/owner/", None),
                "jobs": ("GET", f"{base}/owner/jobs?status=dead", None),
                "usage": ("GET", f"{base}/owner/usage", None),
            }
            for name, (method, url, data) in pages.items():
                times = []
                for i in range(args.requests + 1):
                    t0 = time.perf_counter()
                    if method == "GET":
                        response = client.get(url)
                    else:
                        response = client.post(url, data={**(data or {}), "csrf_token": csrf.group(1)})
                    elapsed = (time.perf_counter() - t0) * 1000
                    assert response.status_code == 200, (name, response.status_code)
                    if i:  # the first request warms caches (the embedder, the catalog)
                        times.append(elapsed)
                results[name] = _percentiles(times)
                print(f"{name:9s} p50 {results[name]['p50_ms']:7.1f} ms   p95 {results[name]['p95_ms']:7.1f} ms")
    report = {
        "bench": "console_pages",
        "requests_per_page": args.requests,
        "ledger_rows_per_month": args.ledger,
        "dead_jobs": args.jobs,
        "setup_s": round(setup_s, 1),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "pages": results,
    }
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.json_out}")


if __name__ == "__main__":
    main()
