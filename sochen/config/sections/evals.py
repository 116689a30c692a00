"""The ``evals`` section of a tenant: where its scenarios are and the thresholds a version must pass to go live."""

from __future__ import annotations

from pydantic import Field

from ._base import StrictModel

__all__ = ["EvalsConfig", "GateThresholds"]


class GateThresholds(StrictModel):
    """A run passes the gate when every threshold holds."""

    min_pass_rate: float = Field(default=0.9, ge=0, le=1, description="Share of scenarios that must pass.")
    min_intent_accuracy: float = Field(default=0.85, ge=0, le=1, description="Share of turns with the expected intent.")
    min_job_recall: float = Field(default=0.9, ge=0, le=1, description="Share of expected connector jobs planned.")
    max_personal_data_leaks: int = Field(
        default=0, ge=0, description="Turns that sent personal data to an API provider (should stay 0)."
    )
    max_p95_latency_ms: float | None = Field(default=None, gt=0, description="Ceiling on the p95 turn latency.")
    max_cost_per_conversation_usd: float | None = Field(
        default=None, ge=0, description="Ceiling on the mean model cost of a conversation."
    )


class EvalsConfig(StrictModel):
    """The tenant's eval suite."""

    scenarios: list[str] = Field(
        default_factory=lambda: ["scenarios"],
        description="Scenario files or folders (relative to the tenant YAML file).",
    )
    gate: GateThresholds = Field(default_factory=GateThresholds, description="Go-live thresholds.")
    judge: str | None = Field(
        default=None, description="Provider name for model-judged checks (default: the first local provider)."
    )
