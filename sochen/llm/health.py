"""Provider health: one circuit breaker per provider, with an injected clock.

A breaker is *closed* (healthy) until ``failure_threshold`` consecutive failures (errors that say
the provider is in trouble: timeouts, unavailability, rate limits) open it for ``cooldown_s``
seconds. A rate limit with ``Retry-After`` opens it at once for exactly that long. When the
cool-down has passed the breaker is *half-open*: the provider counts as healthy again and the next
result decides — a success closes it, a failure reopens it. Requests the provider rejected
(``invalid``) or refused say nothing about its health and leave the breaker alone.

The board is in-memory per process; the router reads it, :func:`sochen.llm.service.run_routed`
writes it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .providers.base import ProviderError, RateLimited

__all__ = ["BreakerState", "CircuitBreaker", "HealthBoard"]

Clock = Callable[[], float]
BreakerState = Literal["closed", "open", "half_open"]


@dataclass
class CircuitBreaker:
    """The health of one provider."""

    failure_threshold: int = 3
    cooldown_s: float = 30.0
    failures: int = 0
    open_until: float | None = None

    def state(self, now: float) -> BreakerState:
        """'closed', 'open' or 'half_open' at time `now`."""
        if self.open_until is None:
            return "closed"
        return "open" if now < self.open_until else "half_open"

    def success(self) -> None:
        """A call succeeded: close the breaker."""
        self.failures = 0
        self.open_until = None

    def failure(self, now: float, *, hold_s: float | None = None) -> None:
        """A call failed; open the breaker when the threshold is reached or `hold_s` is given."""
        self.failures += 1
        half_open = self.open_until is not None and now >= self.open_until
        if hold_s is not None or half_open or self.failures >= self.failure_threshold:
            self.open_until = now + (hold_s if hold_s is not None else self.cooldown_s)


class HealthBoard:
    """Circuit breakers by provider name."""

    def __init__(self, *, failure_threshold: int = 3, cooldown_s: float = 30.0, clock: Clock = time.monotonic) -> None:
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self.clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}
        self._lock = threading.Lock()

    def _breaker(self, name: str) -> CircuitBreaker:
        breaker = self._breakers.get(name)
        if breaker is None:
            breaker = self._breakers[name] = CircuitBreaker(self.failure_threshold, self.cooldown_s)
        return breaker

    def state(self, name: str) -> BreakerState:
        """The breaker state of provider `name`."""
        with self._lock:
            return self._breaker(name).state(self.clock())

    def is_healthy(self, name: str) -> bool:
        """Whether requests may be sent to `name` now (closed or half-open)."""
        return self.state(name) != "open"

    def record_success(self, name: str) -> None:
        """Note a successful call."""
        with self._lock:
            self._breaker(name).success()

    def record_failure(self, name: str, error: ProviderError | None = None) -> None:
        """Note a failed call; errors that do not reflect on the provider's health are ignored."""
        if error is not None and not error.retryable:
            return
        hold = error.retry_after if isinstance(error, RateLimited) else None
        with self._lock:
            self._breaker(name).failure(self.clock(), hold_s=hold)

    def trip(self, name: str, *, for_s: float | None = None) -> None:
        """Open the breaker of `name` now (e.g. after a failed health check)."""
        with self._lock:
            breaker = self._breaker(name)
            breaker.failures = max(breaker.failures, self.failure_threshold)
            breaker.open_until = self.clock() + (for_s if for_s is not None else self.cooldown_s)

    def snapshot(self) -> dict[str, BreakerState]:
        """States of every provider seen so far."""
        with self._lock:
            now = self.clock()
            return {name: b.state(now) for name, b in sorted(self._breakers.items())}
