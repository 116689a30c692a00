"""The in-process rate limiter: a budget per rolling minute per key, with the wait to tell the caller."""

from __future__ import annotations

import pytest

from sochen.api.ratelimit import RateLimiter

pytestmark = pytest.mark.unit


def test_budget_per_key_and_the_wait():
    now = [1000.0 * 60]  # the start of a bucket
    limiter = RateLimiter(clock=lambda: now[0])
    assert [limiter.hit("a", 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.hit("a", 3)
    assert 1 <= wait <= 60
    assert limiter.hit("b", 3) == 0.0  # another key has its own budget
    now[0] += 30  # half a minute on: still over budget (the window rolls, it does not reset)
    assert limiter.hit("a", 3) > 0
    now[0] += 61  # a quiet minute later: allowed again
    assert limiter.hit("a", 3) == 0.0


def test_a_burst_at_a_bucket_boundary_does_not_pass_twice_the_budget():
    now = [60.0 * 10 + 59.0]
    limiter = RateLimiter(clock=lambda: now[0])
    first = sum(limiter.hit("k", 10) == 0 for _ in range(10))
    now[0] += 2  # the next bucket has begun
    second = sum(limiter.hit("k", 10) == 0 for _ in range(10))
    assert first == 10 and second <= 1


def test_refused_hits_do_not_count_and_the_table_stays_bounded():
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0], max_keys=100)
    for i in range(1000):
        limiter.hit(f"visitor-{i}", 5)
    assert len(limiter._counts) <= 100
    assert limiter.hit("x", 1) == 0.0
    for _ in range(50):
        assert limiter.hit("x", 1) > 0
    now[0] += 120
    assert limiter.hit("x", 1) == 0.0
