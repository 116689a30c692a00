"""Readiness: is the database reachable and migrated, the broker reachable (Celery), the index openable.

Each check runs in a worker thread with a time limit, so a hung dependency makes the check fail
instead of hanging the probe.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from ..db.session import get_engine
from .state import ApiState

__all__ = ["readiness"]

_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="sochen-readyz")


def _database(state: ApiState) -> str:
    with get_engine(state.settings.database_url).connect() as conn:
        conn.execute(text("SELECT 1"))
    return "reachable"


def _migrations(state: ApiState) -> str:
    from ..db.migrate import current_revision, head_revision

    url = state.settings.database_url
    current, head = current_revision(url), head_revision(url)
    if current != head:
        raise RuntimeError(f"schema at {current or 'nothing'}, code expects {head}: run `sochen db upgrade`")
    return f"at {head}"


def _broker(state: ApiState) -> str:
    celery: Any = getattr(state.queue, "celery", None)
    if celery is None:
        return "not used"
    with celery.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
    return "reachable"


def _vector_index(state: ApiState) -> str:
    store = state.retriever().store
    count = len(store.collections())
    kind = (
        "server"
        if store.is_server
        else ("embedded (Qdrant Edge)" if getattr(store, "filters_in_engine", False) else "local")
    )
    return f"{kind}, {count} collections"


CHECKS: dict[str, Callable[[ApiState], str]] = {
    "database": _database,
    "migrations": _migrations,
    "broker": _broker,
    "vector_index": _vector_index,
}


def readiness(state: ApiState, *, timeout_s: float = 5.0) -> tuple[bool, dict[str, Any]]:
    """(all ok, per-check results ``{name: {ok, detail, ms}}``)."""
    started = {name: time.perf_counter() for name in CHECKS}
    futures = {name: _POOL.submit(check, state) for name, check in CHECKS.items()}
    results: dict[str, Any] = {}
    deadline = time.monotonic() + timeout_s
    for name, future in futures.items():
        try:
            detail = future.result(timeout=max(0.0, deadline - time.monotonic()))
            ok = True
        except concurrent.futures.TimeoutError:
            ok, detail = False, f"no answer within {timeout_s:.0f}s"
        except Exception as exc:  # each failure is reported, never raised
            ok, detail = False, f"{type(exc).__name__}: {str(exc)[:300]}"
        results[name] = {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started[name]) * 1e3, 1)}
    return all(r["ok"] for r in results.values()), results
