"""Executors that worker subprocesses load through SOCHEN_JOB_EXECUTOR (module:callable)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from sochen.connectors.errors import ConnectorError, ErrorKind


def noop_executor() -> Any:
    """Does nothing, successfully (benchmarks, the Celery smoke test)."""

    def execute(tenant: str, action: str, params: dict[str, Any], key: str) -> dict[str, Any]:
        return {"ok": True}

    return execute


def effect_executor() -> Any:
    """Applies an effect per idempotency key in SOCHEN_TEST_EFFECTS (a folder), idempotently.

    Every call appends to ``calls.log``; the effect itself is a file ``effect-<key>`` created only
    if absent, and each creation is appended to ``effects.log`` — so a repeated call is visible in
    ``calls.log`` and a duplicated effect would be visible in ``effects.log``.

    ``params.block``: "before" or "after" the effect, the call writes ``started-<key>-<pid>`` and
    then waits (bounded) for a file ``release`` — the test kills the worker meanwhile.
    ``params.fail_first``: raise a retryable error on the first call for this key.
    """
    root = Path(os.environ["SOCHEN_TEST_EFFECTS"])

    def execute(tenant: str, action: str, params: dict[str, Any], key: str) -> dict[str, Any]:
        pid = os.getpid()
        _append(root / "calls.log", {"key": key, "pid": pid})
        (root / f"started-{key}-{pid}").touch()
        if params.get("fail_first") and not (root / f"failed-{key}").exists():
            (root / f"failed-{key}").touch()
            raise ConnectorError(ErrorKind.UNREACHABLE, "first call fails", retry_after=0.1)
        if params.get("block") == "before":
            _wait_for_release(root)
        effect = root / f"effect-{key}"
        try:
            with effect.open("x") as f:  # created once, whoever calls: the idempotent effect
                f.write(str(pid))
            _append(root / "effects.log", {"key": key, "pid": pid})
        except FileExistsError:
            pass
        if params.get("block") == "after":
            _wait_for_release(root)
        return {"key": key, "pid": pid}

    return execute


def _wait_for_release(root: Path) -> None:
    deadline = time.monotonic() + 60
    while not (root / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _append(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
