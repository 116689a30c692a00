"""Server time of the owner's privacy page as the access log grows: p50/p95, printed and written as JSON.

    python bench/console_privacy.py [--contacts 500] [--log 1000,10000] [--requests 10]
                                    [--json-out bench/out/console_privacy.json]

A fresh SOCHEN_HOME (SQLite) with the tenant of ``bench/privacy_erase.py`` (``--contacts`` people, each
in every store). An owner signs in through the login form (FastAPI's TestClient, in process: the app's
time, not a browser's). For each access-log size, entries are appended through ``record_access`` (the
append rate is reported) and then:

- ``page``: ``GET /owner/privacy`` (the form and the log's newest entry);
- ``audit``: ``GET /owner/privacy/audit``, which verifies the whole hash chain (it grows with the log);
- ``find``: ``POST /owner/privacy/find`` for one person (scans the tenant's rows; adds a log entry);
- ``export``: ``POST /owner/privacy/export`` (the JSON download).

Wall-clock figures on this (shared) machine; compare runs only on the same machine.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "bench-סיסמה-1234"


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--log", default="1000,10000", help="access-log sizes (entries), ascending")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--json-out", type=Path, default=ROOT / "bench" / "out" / "console_privacy.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SOCHEN_HOME"] = str(Path(tmp) / "home")
        os.environ["SOCHEN_ENVIRONMENT"] = "test"
        os.environ.pop("SOCHEN_DATABASE_URL", None)
        from fastapi.testclient import TestClient
        from privacy_erase import seed

        from sochen.api import ApiSettings, create_app
        from sochen.config import get_settings, reset_settings
        from sochen.console.users import create_user
        from sochen.db.migrate import upgrade
        from sochen.db.session import session_scope
        from sochen.workflows.privacy_log import Actor, record_access, verify_chain

        reset_settings()
        url = get_settings().database_url
        upgrade(url)
        seed(url, args.contacts)
        with session_scope(url) as session:
            create_user(session, login="owner", name="בעלים", role="owner", tenant="clinic", password=PASSWORD)
        contact = f"+97250{1000000 + args.contacts // 2:07d}"
        actor = Actor("cli", "bench", "bench")
        app = create_app(get_settings(), api_settings=ApiSettings(inbound_queue="none"))
        rows: list[dict[str, Any]] = []
        with TestClient(app) as client:
            form = client.get("/console/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token
            client.post("/console/login", data={"login": "owner", "password": PASSWORD, "csrf_token": token.group(1)})
            base = "/console/t/clinic/owner/privacy"
            csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get(base).text)
            assert csrf
            data = {"contact": contact, "csrf_token": csrf.group(1)}
            for size in [int(n) for n in args.log.split(",") if n.strip()]:
                have = verify_chain(url, "clinic").entries
                t0 = time.perf_counter()
                for i in range(max(0, size - have)):
                    record_access(url, "clinic", actor, "read", "conversation", f"bench-{i}")
                appended = max(0, size - have)
                append_s = time.perf_counter() - t0
                row: dict[str, Any] = {
                    "log_entries": size,
                    "appends_per_s": round(appended / append_s, 1) if appended else None,
                }
                for name, method, path, body in (
                    ("page", "GET", base, None),
                    ("audit", "GET", f"{base}/audit", None),
                    ("find", "POST", f"{base}/find", data),
                    ("export", "POST", f"{base}/export", {**data, "file": "json"}),
                ):
                    times = []
                    for i in range(args.requests + 1):
                        t0 = time.perf_counter()
                        response = client.get(path) if method == "GET" else client.post(path, data=body)
                        elapsed = (time.perf_counter() - t0) * 1000
                        assert response.status_code == 200, (name, response.status_code)
                        if i:  # the first request warms caches
                            times.append(elapsed)
                    row[name] = _percentiles(times)
                    print(
                        f"log {size:6d}  {name:6s} p50 {row[name]['p50_ms']:8.1f} ms  p95 {row[name]['p95_ms']:8.1f} ms"
                    )
                assert verify_chain(url, "clinic").ok
                rows.append(row)
    report = {
        "bench": "console_privacy",
        "contacts": args.contacts,
        "requests": args.requests,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "sizes": rows,
    }
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.json_out}")


if __name__ == "__main__":
    main()
