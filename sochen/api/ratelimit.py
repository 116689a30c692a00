"""Per-key request rate limits kept in the process (the web chat: per visitor and per IP address).

A fixed budget per rolling minute, counted in two adjacent one-minute buckets and weighted (the
"sliding window counter"): cheap, O(1) per request, and never lets a burst at a bucket boundary pass
twice the budget. The table is bounded: past ``max_keys`` the oldest buckets are dropped, so a flood
of made-up keys costs memory once. Several API processes each count their own requests: put a limit
at the proxy in front when the service scales out.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """``hit(key, limit)`` → seconds to wait (0 when allowed); the hit counts only when allowed."""

    def __init__(
        self, *, window_s: float = 60.0, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window_s = window_s
        self.max_keys = max_keys
        self.clock = clock
        self._counts: dict[str, tuple[int, int, int]] = {}  # key -> (bucket index, count, previous count)
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int) -> float:
        """Count a request for ``key``; the seconds until one would be allowed when over ``limit``."""
        now = self.clock()
        bucket, into = divmod(now, self.window_s)
        index = int(bucket)
        with self._lock:
            current, count, previous = self._counts.get(key, (index, 0, 0))
            if current != index:
                previous = count if current == index - 1 else 0
                count = 0
            weight = 1.0 - into / self.window_s
            estimate = count + previous * weight
            if estimate + 1 > limit:
                # Waiting lets the previous bucket's weight fall until one more request fits.
                wait = self.window_s - into if previous == 0 else (estimate + 1 - limit) / previous * self.window_s
                self._counts[key] = (index, count, previous)
                return max(1.0, math.ceil(min(wait, self.window_s)))
            if len(self._counts) >= self.max_keys and key not in self._counts:
                self._evict(index)
            self._counts[key] = (index, count + 1, previous)
            return 0.0

    def _evict(self, index: int) -> None:
        stale = [k for k, (i, _, _) in self._counts.items() if i < index - 1]
        for key in stale or list(self._counts)[: max(1, self.max_keys // 10)]:
            del self._counts[key]
