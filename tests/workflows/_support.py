"""Shared helpers of the workflow tests: a clock, a scripted executor, events and rules."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sochen.config.sections.workflows import WorkflowsConfig
from sochen.connectors.errors import ConnectorError, ErrorKind
from sochen.workflows import Event

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # a Thursday, 10:00 in Israel


class FakeClock:
    """A UTC clock that moves only when told."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class ScriptedExecutor:
    """An executor that answers from a script per action (results or exceptions), recording calls."""

    def __init__(self, script: dict[str, list[Any]] | None = None) -> None:
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.calls: list[tuple[str, str, dict[str, Any], str]] = []
        self._lock = threading.Lock()

    def __call__(self, tenant: str, action: str, params: dict[str, Any], key: str) -> dict[str, Any]:
        with self._lock:
            self.calls.append((tenant, action, params, key))
            queue = self.script.get(action)
            answer = queue.pop(0) if queue else {"ok": True, "action": action}
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(tenant, action, params, key)  # type: ignore[no-any-return]
        return answer  # type: ignore[no-any-return]


def unreachable(retry_after: float | None = None) -> ConnectorError:
    return ConnectorError(ErrorKind.UNREACHABLE, "HTTP 503: down for maintenance", retry_after=retry_after)


def rate_limited(retry_after: float) -> ConnectorError:
    return ConnectorError(ErrorKind.RATE_LIMITED, "HTTP 429: slow down", retry_after=retry_after)


def permanent() -> ConnectorError:
    return ConnectorError(ErrorKind.INVALID_REQUEST, "Last_Name is mandatory", code="MANDATORY_NOT_FOUND")


def lead_event(turn: int = 1, **slots: Any) -> Event:
    payload_slots = {"name": "דנה כהן", "phone": "050-123-4567", **slots}
    return Event.create(
        "lead.captured",
        tenant="clinic",
        conversation_id="conv-1",
        turn=turn,
        payload={"intent": "book_appointment", "slots": payload_slots},
        occurred_at=T0,
    )


def workflows(rules: list[dict[str, Any]], **extra: Any) -> WorkflowsConfig:
    return WorkflowsConfig.model_validate({"rules": rules, **extra})


SIMPLE_RULES: list[dict[str, Any]] = [
    {
        "name": "lead to CRM",
        "on": "lead.captured",
        "do": [
            {
                "action": "zoho_crm.upsert_lead",
                "params": {"last_name": "{{ event.slots.name }}", "phone": "{{ event.slots.phone | e164 }}"},
            }
        ],
    }
]


def wait_until(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.1) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass (bounded; for real processes only)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
