"""Circuit breakers with an injected clock, and the complexity estimate."""

from __future__ import annotations

import pytest

from sochen.llm.complexity import estimate_complexity
from sochen.llm.health import HealthBoard
from sochen.llm.providers import InvalidRequest, ProviderTimeout, ProviderUnavailable, RateLimited, Refused

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_consecutive_failures_and_half_opens() -> None:
    clock = Clock()
    b = HealthBoard(failure_threshold=3, cooldown_s=30, clock=clock)
    for _ in range(2):
        b.record_failure("p", ProviderTimeout("t"))
    assert b.state("p") == "closed"
    b.record_failure("p", ProviderUnavailable("u"))
    assert b.state("p") == "open" and not b.is_healthy("p")
    clock.now = 29.9
    assert b.state("p") == "open"
    clock.now = 30.0
    assert b.state("p") == "half_open" and b.is_healthy("p")
    b.record_failure("p", ProviderTimeout("t"))  # the trial failed: open again at once
    assert b.state("p") == "open"
    clock.now = 61
    b.record_success("p")
    assert b.state("p") == "closed"


def test_success_resets_the_count() -> None:
    b = HealthBoard(failure_threshold=2, clock=Clock())
    b.record_failure("p", ProviderTimeout("t"))
    b.record_success("p")
    b.record_failure("p", ProviderTimeout("t"))
    assert b.state("p") == "closed"


def test_rate_limit_with_retry_after_opens_for_that_long() -> None:
    clock = Clock()
    b = HealthBoard(cooldown_s=30, clock=clock)
    b.record_failure("p", RateLimited("slow down", retry_after=5))
    assert b.state("p") == "open"
    clock.now = 5
    assert b.state("p") == "half_open"


def test_rejections_and_refusals_do_not_count() -> None:
    b = HealthBoard(failure_threshold=1, clock=Clock())
    b.record_failure("p", InvalidRequest("bad"))
    b.record_failure("p", Refused("no"))
    assert b.state("p") == "closed"
    assert b.snapshot() == {"p": "closed"}


@pytest.mark.parametrize(
    "text",
    [
        "מה שעות הפעילות?",
        "איפה החניה הכי קרובה למרפאה",
        "אפשר לקבוע תור למחר בבוקר?",
        "מתי הניתוח שלי?",  # 'ניתוח' here is surgery, not analysis
        "מה כתוב בסעיף 5 לחוזה?",  # 'כתוב' here is 'written'
        "כמה עולה ייעוץ ראשוני",
    ],
)
def test_simple_requests_score_low(text: str) -> None:
    assert estimate_complexity(text).score < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "השווה בין שתי הצעות המחיר",
        "נתח את ההסכם ותגיד לי איפה אני חשוף",
        "נסח מכתב התראה לשוכר שלא שילם",
        "ונמק את ההחלטה על סמך הפסיקה",
        "מצא סתירות בין הסכם השכירות לנספח",
        "כתוב לי מכתב לחברת הביטוח",
        "Compare the two contracts and list the risks",
        "מה היתרונות והחסרונות של כל אחת מהאפשרויות?",
    ],
)
def test_complex_requests_score_high(text: str) -> None:
    assert estimate_complexity(text).score >= 0.5


def test_more_signals_length_and_parts_add_up() -> None:
    one = estimate_complexity("סכם את המסמך").score
    two = estimate_complexity("סכם את המסמך ונמק").score
    assert two > one
    questions = estimate_complexity("מה המחיר? מתי פתוחים? איפה החניה?")
    assert questions.score > 0 and any(s.startswith("parts:") for s in questions.signals)
    assert estimate_complexity("שאלה", context_tokens=5000).score == 0.2
    assert estimate_complexity("x", task="compare").signals[0] == "task:compare"
    assert 0 <= estimate_complexity("השווה נתח נסח נמק " * 200, context_tokens=10**6).score <= 1


def test_niqqud_does_not_hide_a_verb() -> None:
    assert estimate_complexity("הַשְׁוֵה בין ההצעות").score >= 0.5
