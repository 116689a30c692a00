"""The 24-hour customer-service window, tracked per contact (protocols.md §1.7)."""

from __future__ import annotations

import threading
from typing import Protocol

__all__ = ["SERVICE_WINDOW_S", "InMemoryServiceWindows", "ServiceWindowStore", "advance_status"]

SERVICE_WINDOW_S = 24 * 3600


class ServiceWindowStore(Protocol):
    """Where the time of each contact's last inbound message is kept (a database table in production)."""

    def last_inbound(self, wa_id: str) -> float | None:
        """Unix time of the contact's newest inbound message, or None."""
        ...

    def record_inbound(self, wa_id: str, at: float) -> None:
        """Note an inbound message; keeps the newest time, so duplicates and reordering are harmless."""
        ...


class InMemoryServiceWindows:
    """A process-local store (tests, the embedded single-process mode)."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def last_inbound(self, wa_id: str) -> float | None:
        """Unix time of the contact's newest inbound message, or None."""
        with self._lock:
            return self._last.get(wa_id)

    def record_inbound(self, wa_id: str, at: float) -> None:
        """Keep the newest time."""
        with self._lock:
            self._last[wa_id] = max(at, self._last.get(wa_id, at))


_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 4}


def advance_status(current: str | None, incoming: str) -> str:
    """The status a message should show after ``incoming`` arrives, whatever the order.

    Statuses only move forward (sent → delivered → read → played); ``read`` may come without
    ``delivered`` and ``delivered`` may come after ``read``. ``failed`` is final unless a later
    forward status proves delivery.
    """
    if current is None:
        return incoming
    if incoming == "failed":
        return current if _RANK.get(current, 0) >= _RANK["delivered"] else "failed"
    if current == "failed":
        return incoming if _RANK.get(incoming, 0) >= _RANK["delivered"] else current
    return incoming if _RANK.get(incoming, 0) > _RANK.get(current, 0) else current
