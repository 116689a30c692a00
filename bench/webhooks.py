"""Benchmark webhook acknowledgement: latency p50/p99 at 200 msg/s, and the highest rate sustained.

    python bench/webhooks.py [--rate 200] [--seconds 20] [--backends sqlite,postgresql,postgresql+redis]
                             [--ramp 200,300,400,600,800,1000] [--json-out bench/out/webhooks.json]

Per backend the app runs under uvicorn in a subprocess on 127.0.0.1 (one worker, ``sochen.api:
create_app``) on a fresh database (SQLite in a temporary SOCHEN_HOME, or a new PostgreSQL database),
with a tenant whose app secret comes from the environment. Every request is a realistic signed
text message with a unique wamid, built before the clock starts. Runs, in order:

- *python open loop*: request i is due at ``start + i / rate``, sent by a bounded thread pool;
  *scheduled* latency counts from the due time (no coordinated omission), *service* from the send.
  The server's CPU time per message is measured here. The client shares the 2 cores and the GIL.
- *wrk paced* (when ``wrk`` is installed): closed-loop connections with a pause calibrated to the
  target rate; latency as wrk sees it (C client, nearly free).
- *ramp*: rising rates until one misses (errors, < 95 % of the rate, or p99 > 50 ms);
  *wrk flat out*: 8 connections with no pause, the throughput ceiling.

After each backend the stored rows are counted: every acknowledged message must be a row.
Queues: ``embedded`` (the turn and job workers in a worker process beside the server, as ``sochen serve``
runs them; ``--embedded-worker thread`` puts them in the server's own threads) for sqlite and postgresql; ``celery``
(one ``sochen.process_inbound`` message per event on the local Redis under a throw-away key prefix,
deleted afterwards) for postgresql+redis.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import hmac
import json
import os
import platform
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-app-secret-0123456789abcdef"
PG_ADMIN = os.environ.get("SOCHEN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = "redis://127.0.0.1:6379/0"
TENANT_YAML = """slug: bench
name: מרפאת בנצ'מרק
connectors:
  whatsapp:
    phone_number_id: "277321005464405"
    access_token_env: BENCH_WA_TOKEN
    app_secret_env: BENCH_WA_SECRET
    verify_token_env: BENCH_WA_VERIFY
    graph_url: "%(graph_url)s"
"""
"""The agent's replies go out through the tenant's WhatsApp channel: to a loopback fake of the Graph API
started by this script (nothing here ever targets an address off this machine)."""

_GRAPH: Any = None


def graph_url() -> str:
    """The loopback fake Graph API the bench tenant's replies are sent to (started once)."""
    global _GRAPH
    if _GRAPH is None:
        from sochen.connectors.testing.fakes import FakeGraphApi

        _GRAPH = FakeGraphApi(phone_number_id="277321005464405", access_token="EAAG-bench").start()
    return str(_GRAPH.url)


BODY = (
    '{"object":"whatsapp_business_account","entry":[{"id":"264937493375603","changes":[{"value":{'
    '"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550953877",'
    '"phone_number_id":"277321005464405"},"contacts":[{"profile":{"name":"דנה כהן"},"wa_id":"%(wa)s"}],'
    '"messages":[{"from":"%(wa)s","id":"%(id)s","timestamp":"%(ts)d","text":{"body":'
    '"שלום, אפשר לקבוע תור להלבנת שיניים ביום חמישי?"},"type":"text"}]},"field":"messages"}]}]}'
)
"""A text message as Meta delivers it (compact JSON, Hebrew as UTF-8)."""


def body_for(message_id: str, n: int) -> bytes:
    return (BODY % {"wa": f"97254{n % 10_000_000:07d}", "id": message_id, "ts": 1730231903 + n}).encode("utf-8")


def signed(n: int, run: str) -> tuple[bytes, dict[str, str]]:
    body = body_for(f"wamid.bench.{run}.{n}", n)
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": signature}


# ----------------------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(backend: str, home: Path):
    if backend == "sqlite":
        yield f"sqlite:///{(home / 'sochen.db').as_posix()}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"sochen_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        from sochen.db.session import get_engine

        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str) -> None:
    from sochen.config import parse_tenant_yaml
    from sochen.db.migrate import upgrade
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version

    upgrade(url)
    text = TENANT_YAML % {"graph_url": graph_url()}
    cfg = parse_tenant_yaml(text)
    with session_scope(url) as session:
        store_version(
            session,
            slug=cfg.slug,
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text=text,
            source_path=None,
        )


def cpu_seconds(pid: int, *, children: bool = True) -> float:
    """User + system CPU seconds of a process and its children (uvicorn workers, the embedded worker
    process); with ``children=False`` the serving process alone. Linux /proc only."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if stat.parent.name == str(pid) or (children and fields[1] == str(pid)):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@contextmanager
def server(
    url: str,
    home: Path,
    queue_kind: str,
    prefix: str,
    workers: int = 1,
    embedded_worker: str = "process",
    journal: str = "auto",
):
    port = free_port()
    env = {
        **os.environ,
        "SOCHEN_HOME": str(home),
        "SOCHEN_DATABASE_URL": url,
        "SOCHEN_API_INBOUND_QUEUE": queue_kind,
        "SOCHEN_API_EMBEDDED_WORKER": embedded_worker,
        "SOCHEN_API_INBOUND_JOURNAL": journal,
        "SOCHEN_BROKER_URL": REDIS,
        "SOCHEN_BROKER_KEY_PREFIX": prefix,
        "SOCHEN_LOG_LEVEL": "WARNING",
        "BENCH_WA_TOKEN": "EAAG-bench",
        "BENCH_WA_SECRET": SECRET,
        "BENCH_WA_VERIFY": "bench-verify",
    }
    app = "-m uvicorn sochen.api:create_app --factory --host 127.0.0.1 --log-level warning --no-access-log"
    cmd = [sys.executable, *app.split(), "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=home, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start within 60 s")
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------------------------------- the load


def run_load(base: str, rate: float, seconds: float, *, run: str, senders: int = 16) -> dict[str, Any]:
    total = max(1, int(rate * seconds))
    requests = [signed(n, run) for n in range(total)]
    url = f"{base}/webhooks/whatsapp/bench"
    work: queue.Queue[int | None] = queue.Queue()
    service: list[float] = []
    scheduled: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.5

    def sender() -> None:
        with httpx.Client(timeout=10) as client:
            while True:
                i = work.get()
                if i is None:
                    return
                due = start + i / rate
                body, headers = requests[i]
                sent = time.perf_counter()
                try:
                    response = client.post(url, content=body, headers=headers)
                    ok = response.status_code == 200
                    problem = "" if ok else f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    ok, problem = False, type(exc).__name__
                done = time.perf_counter()
                with lock:
                    if ok:
                        service.append(done - sent)
                        scheduled.append(done - due)
                    else:
                        errors.append(problem)

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    # The load generator's own garbage collections (full ones took 30-65 ms here) would stall every
    # request in flight and be counted as the server's latency: collect now, then none until the run ends.
    gc.collect()
    gc.disable()
    try:
        for t in threads:
            t.start()
        for i in range(total):  # bounded: exactly `total` requests
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            work.put(i)
        for _ in threads:
            work.put(None)
        for t in threads:
            t.join(timeout=60)
    finally:
        gc.enable()
    elapsed = time.perf_counter() - start
    return {
        "run": run,
        "target_rate": rate,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "requests": total,
        "ok": len(service),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "achieved_rate": round(len(service) / elapsed, 1) if elapsed > 0 else 0.0,
        "service_ms": summary(service),
        "scheduled_ms": summary(scheduled),
    }


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(v * 1e3 for v in values)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 2)

    return {
        "p50": pct(50),
        "p90": pct(90),
        "p99": pct(99),
        "max": round(ordered[-1], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


def stored_by_run(url: str) -> Counter[str]:
    """Stored events per run label (message ids are ``wamid.bench.<run>.<n>``)."""
    from sqlalchemy import select

    from sochen.db.models_api import InboundEventRow
    from sochen.db.session import session_scope

    with session_scope(url) as session:
        return Counter(key.split(".")[2] for key in session.scalars(select(InboundEventRow.event_key)))


WRK_SCRIPT = r"""
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  lines = {}
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  step, pause, idx = tonumber(args[2]), tonumber(args[3]), id
end
function request()
  local line = lines[(idx % #lines) + 1]
  idx = idx + step
  local tab = line:find("\t", 1, true)
  return wrk.format("POST", "/webhooks/whatsapp/bench",
    {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = line:sub(1, tab - 1)}, line:sub(tab + 1))
end
function delay() return pause end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"p50": %.3f, "p90": %.3f, "p99": %.3f, "max": %.3f, "mean": %.3f, ' ..
    '"requests": %d, "duration_us": %d, "errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def run_wrk(
    base: str, rate: float | None, seconds: float, *, run: str, connections: int = 4, pause_ms: int | None = None
) -> dict[str, Any]:
    """The same load from wrk (C, no GIL in the client): paced with a per-connection pause, or flat out.

    wrk is closed-loop: each connection waits for its answer, then pauses (default
    ``connections / rate``, which :func:`paced_wrk` corrects for the latency); latency is service latency.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    total = int(max(rate or 0, 1500) * seconds * 1.2) + 100  # unique bodies: more than can be sent
    with tempfile.TemporaryDirectory(prefix="sochen-wrk-") as tmp:
        data, script = Path(tmp) / "bodies.tsv", Path(tmp) / "load.lua"
        with data.open("wb") as f:
            for n in range(total):
                body, headers = signed(n, run)
                f.write(headers["X-Hub-Signature-256"].encode() + b"\t" + body + b"\n")
        script.write_text(WRK_SCRIPT)
        pause = pause_ms if pause_ms is not None else int(1000 * connections / rate) if rate else 0
        threads = min(connections, 2)
        flags = f"-t{threads} -c{connections} -d{int(seconds)}s --timeout 10s -s {script} {base} -- {data}"
        cmd = [wrk, *flags.split(), str(threads), str(pause)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
        out = done.stdout + done.stderr
    line = next((x for x in out.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        return {"failed": out[-500:]}
    w = json.loads(line[4:])
    elapsed = w["duration_us"] / 1e6
    return {
        "client": "wrk",
        "run": run,
        "target_rate": rate or "max",
        "connections": connections,
        "requests": w["requests"],
        "errors": w["errors"],
        "ok": w["requests"] - w["errors"],
        "achieved_rate": round(w["requests"] / elapsed, 1) if elapsed else 0.0,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "service_ms": {k: round(w[k], 2) for k in ("p50", "p90", "p99", "max", "mean")},
    }


def paced_wrk(base: str, rate: float, seconds: float, *, run: str, connections: int = 4) -> dict[str, Any]:
    """wrk at about ``rate``: calibrate the pause on a 3-second run (twice at most), then measure."""
    pause = int(1000 * connections / rate)
    calibration: list[dict[str, Any]] = []
    for attempt in range(2):  # bounded
        probe = run_wrk(base, rate, 3, run=f"{run}-cal{attempt}", connections=connections, pause_ms=pause)
        if "service_ms" not in probe or not probe["achieved_rate"]:
            return probe
        calibration.append(probe)
        # cycle per connection = pause + latency; aim it at connections / rate.
        pause = max(0, int(pause + 1000 * connections * (1 / rate - 1 / probe["achieved_rate"])))
        if abs(probe["achieved_rate"] - rate) <= 0.03 * rate:
            break
    measured = run_wrk(base, rate, seconds, run=run, connections=connections, pause_ms=pause)
    return {**measured, "calibration": calibration}


def clear_redis(prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    queue_kind = args.queue if args.queue != "auto" else "celery" if backend.endswith("+redis") else "embedded"
    use_wrk = shutil.which("wrk") is not None and not args.no_wrk
    ramp = [float(r) for r in args.ramp.split(",") if r.strip()]
    prefix = f"sochen-bench-{uuid.uuid4().hex[:8]}:"
    result: dict[str, Any] = {
        "backend": backend,
        "queue": queue_kind,
        "workers": args.workers,
        "embedded_worker": args.embedded_worker if queue_kind == "embedded" else None,
        "inbound_journal": args.inbound_journal,
        "ramp_client": "wrk" if use_wrk else "python",
    }
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="sochen-bench-") as tmp:
        home = Path(tmp)
        with database(backend.split("+")[0], home) as url:
            prepare(url)
            with server(url, home, queue_kind, prefix, args.workers, args.embedded_worker, args.inbound_journal) as (
                base,
                pid,
            ):
                runs.append(run_load(base, 50, 2, run="warmup"))
                cpu0, own0 = cpu_seconds(pid), cpu_seconds(pid, children=False)
                main = run_load(base, args.rate, args.seconds, run="main")
                main["server_cpu_ms_per_message"] = round((cpu_seconds(pid) - cpu0) * 1e3 / max(1, main["ok"]), 2)
                own = cpu_seconds(pid, children=False) - own0
                main["serving_process_cpu_ms_per_message"] = round(own * 1e3 / max(1, main["ok"]), 2)
                result["python_open_loop"] = main
                if use_wrk:
                    result["wrk_paced"] = paced_wrk(base, args.rate, args.seconds, run="wrkpaced")
                    runs.append(result["wrk_paced"])
                steps = []
                for rate in ramp:  # bounded: one run per listed rate, stopping at the first miss
                    if use_wrk:
                        step = paced_wrk(
                            base, rate, args.ramp_seconds, run=f"wrk{int(rate)}", connections=max(4, int(rate // 50))
                        )
                    else:
                        step = run_load(base, rate, args.ramp_seconds, run=f"ramp{int(rate)}")
                    steps.append(step)
                    if not sustained(step):
                        break
                result["ramp"] = steps
                if use_wrk:
                    result["wrk_max"] = run_wrk(base, None, args.ramp_seconds, run="wrkmax", connections=8)
                    runs.append(result["wrk_max"])
            stored = stored_by_run(url)
    runs += [main, *steps]
    result["max_sustained_rate"] = max((s["achieved_rate"] for s in steps if sustained(s)), default=0)
    runs += [c for r in runs for c in r.get("calibration", [])]
    acked = Counter({r["run"]: int(r["ok"]) for r in runs if "run" in r})
    result["stored_rows"] = sum(stored.values())
    result["acknowledged"] = sum(acked.values())
    # Per run: every 200 is a row. (wrk stops counting at its deadline while the server still finishes,
    # and stores, what is in flight, so a run may have a few more rows than acknowledgements.)
    result["every_ack_stored"] = all(stored[run] >= n for run, n in acked.items())
    if queue_kind == "celery":
        result["redis_keys_removed"] = clear_redis(prefix)
    return result


def sustained(step: dict[str, Any]) -> bool:
    """No errors, p99 within 50 ms (scheduled latency when measured), at least 90 % of the target rate.

    (wrk's pacing is closed-loop and lands within a few per cent of the target; the achieved rate
    is what is reported.)
    """
    latency = step.get("scheduled_ms") or step.get("service_ms") or {}
    return (
        step.get("errors", 1) == 0
        and step.get("achieved_rate", 0) >= 0.9 * step.get("target_rate", 1e9)
        and latency.get("p99", 1e9) <= 50.0
    )


def line(label: str, r: dict[str, Any]) -> str:
    if "service_ms" not in r:
        return f"   {label}: {r}"
    text = f"   {label}: {r['achieved_rate']} msg/s, {r['errors']} errors; service p50 {r['service_ms'].get('p50')} ms"
    text += f" p99 {r['service_ms'].get('p99')} ms"
    if r.get("scheduled_ms"):
        text += f"; scheduled p50 {r['scheduled_ms'].get('p50')} ms p99 {r['scheduled_ms'].get('p99')} ms"
    if "server_cpu_ms_per_message" in r:
        text += f"; server CPU {r['server_cpu_ms_per_message']} ms/message"
        text += f" ({r.get('serving_process_cpu_ms_per_message')} in the serving process)"
    return text + f" (load average {r['load_average_1m']})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="Target messages per second of the main runs.")
    parser.add_argument("--seconds", type=float, default=20.0, help="Length of the main runs.")
    parser.add_argument("--backends", default="sqlite,postgresql,postgresql+redis")
    parser.add_argument("--ramp", default="200,300,400,600,800,1000", help="Rates of the ramp ('' for none).")
    parser.add_argument("--ramp-seconds", type=float, default=8.0)
    parser.add_argument(
        "--queue",
        default="auto",
        choices=["auto", "embedded", "none"],
        help="Server inbound queue: auto = embedded (celery for +redis backends); none = store only.",
    )
    parser.add_argument(
        "--embedded-worker",
        default="process",
        choices=["process", "thread"],
        help="Embedded queue: turns in a worker process (the default of sochen serve) or in server threads.",
    )
    parser.add_argument(
        "--inbound-journal",
        default="auto",
        choices=["auto", "on", "off"],
        help="SOCHEN_API_INBOUND_JOURNAL of the server (sochen.api.journal): auto = SQLite with the worker process.",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (sochen serve --workers).")
    parser.add_argument("--no-wrk", action="store_true", help="Use only the Python load generator.")
    parser.add_argument("--json-out", type=Path, default=ROOT / "bench" / "out" / "webhooks.json")
    args = parser.parse_args()
    results = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        print(f"== {backend}, {args.workers} worker(s): {args.rate:.0f} msg/s for {args.seconds:.0f} s", flush=True)
        r = bench_backend(backend, args)
        print(line("python open loop", r["python_open_loop"]), flush=True)
        if "wrk_paced" in r:
            print(line("wrk paced", r["wrk_paced"]), flush=True)
        for step in r["ramp"]:
            print(line(f"ramp {step['target_rate']:.0f}/s ({r['ramp_client']})", step), flush=True)
        if "wrk_max" in r:
            print(line("wrk flat out, 8 connections", r["wrk_max"]), flush=True)
        print(
            f"   max sustained (p99 <= 50 ms, no errors): {r['max_sustained_rate']:.0f} msg/s achieved; "
            f"stored rows {r['stored_rows']} >= acknowledged {r['acknowledged']}: {r['every_ack_stored']}",
            flush=True,
        )
        results.append(r)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    machine["note"] = "shared machine: load_average_1m of each run shows what else was running"
    out = {"machine": machine, "rate": args.rate, "seconds": args.seconds, "results": results}
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.json_out}")


if __name__ == "__main__":
    main()
