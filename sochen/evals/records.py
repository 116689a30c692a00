"""What a run records: turns as the runner saw them, checks, and one result per scenario and repetition.

These are plain, JSON-ready dataclasses: the runner fills them, assertions read them, the store
persists them and the reports render them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Check", "JobRecord", "ScenarioResult", "TurnRecord"]

CheckStatus = Literal["pass", "fail", "skip"]


@dataclass
class Check:
    """One assertion's verdict, with a bilingual message naming the turn, what was expected and what came."""

    kind: str
    status: CheckStatus
    turn: int | None
    """1-based turn of the scenario; None for the whole-conversation expectations (``expect_end``)."""
    message: str
    expected: str = ""
    got: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass
class JobRecord:
    """A connector job planned in the turn, and how it went in the sandbox."""

    id: str
    action: str
    params: dict[str, Any]
    """The parameters as the connector received them (planned ones when it did not run)."""
    status: str = "pending"
    error: str | None = None


@dataclass
class TurnRecord:
    """One message of the scenario and everything the turn produced."""

    n: int
    """1-based turn number; 0 for replayed ``start.history`` messages (never checked)."""
    user: str
    kind: str = "text"
    at: str = ""
    intent: str | None = None
    reply: str | None = None
    reply_mode: str | None = None
    route: dict[str, Any] = field(default_factory=dict)
    citations: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    sensitive: bool = False
    sensitivity_types: list[str] = field(default_factory=list)
    status: str = "active"
    """The conversation's status after the turn: active or handoff."""
    slots: dict[str, Any] = field(default_factory=dict)
    """Slots known after the turn (state, plus the slots of lead events, which include channel defaults)."""
    jobs: list[JobRecord] = field(default_factory=list)
    llm: list[dict[str, Any]] = field(default_factory=list)
    """Ledger rows of the turn: provider, model, locality, sensitive, tokens, cost, outcome (no text)."""
    api_leaks: list[str] = field(default_factory=list)
    """Requests to an API provider (sandbox fakes) that carried personal data of this turn."""
    latency_ms: float = 0.0
    error: str | None = None

    @property
    def route_name(self) -> str:
        """'local', 'api' or 'none'."""
        return str(self.route.get("route") or "none")

    @property
    def cost_usd(self) -> float:
        """Model cost of the turn (ledger)."""
        return float(sum(r.get("cost_usd") or 0.0 for r in self.llm))

    @property
    def tokens(self) -> int:
        """Tokens in and out of the turn (ledger)."""
        return int(sum((r.get("tokens_in") or 0) + (r.get("tokens_out") or 0) for r in self.llm))

    @property
    def ledger_leaks(self) -> int:
        """Ledger rows where a sensitive request went to an API provider."""
        return sum(1 for r in self.llm if r.get("locality") == "api" and r.get("sensitive"))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        data["route_name"] = self.route_name
        data["cost_usd"] = self.cost_usd
        return data


@dataclass
class ScenarioResult:
    """One scenario run once (``repetition`` counts from 1)."""

    scenario_id: str
    title: str
    category: str
    repetition: int
    tags: list[str] = field(default_factory=list)
    turns: list[TurnRecord] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    error: str | None = None
    conversation_id: str = ""

    @property
    def scored_turns(self) -> list[TurnRecord]:
        """The scenario's own turns (history excluded)."""
        return [t for t in self.turns if t.n > 0]

    @property
    def failures(self) -> list[Check]:
        """Failed checks."""
        return [c for c in self.checks if c.status == "fail"]

    @property
    def skipped(self) -> list[Check]:
        """Skipped checks (e.g. a judge check with no judge model reachable)."""
        return [c for c in self.checks if c.status == "skip"]

    @property
    def passed(self) -> bool:
        """No failed check and no error. Skipped checks do not fail a scenario; reports show them."""
        return self.error is None and not self.failures

    @property
    def latency_ms(self) -> float:
        """Sum of the turn latencies."""
        return float(sum(t.latency_ms for t in self.turns))

    @property
    def cost_usd(self) -> float:
        """Model cost of the conversation."""
        return float(sum(t.cost_usd for t in self.turns))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "scenario_id": self.scenario_id,
            "title": self.title,
            "category": self.category,
            "repetition": self.repetition,
            "tags": self.tags,
            "passed": self.passed,
            "error": self.error,
            "latency_ms": round(self.latency_ms, 1),
            "cost_usd": round(self.cost_usd, 6),
            "checks": [c.as_dict() for c in self.checks],
            "turns": [t.as_dict() for t in self.turns],
        }
