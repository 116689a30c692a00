"""The ``privacy`` section of a tenant: how long each kind of personal data is kept.

Periods are in days; ``null`` keeps that kind until a person erases it. Anything tagged as health
data (a customer message the privacy guard found health details in) gets the shorter ``health``
periods. The scheduled purge (``sochen privacy purge``; Celery beat in production, the embedded
worker otherwise) removes what has expired in bounded batches and never what a conversation that a
person is handling, or a job that has not finished, still needs. docs/privacy.md explains each kind.
"""

from __future__ import annotations

from pydantic import Field

from ._base import StrictModel

__all__ = ["HealthPeriods", "PrivacyConfig", "RetentionPeriods"]


class RetentionPeriods(StrictModel):
    """Days to keep each kind of data (``null``: until erased)."""

    inbound_raw: int | None = Field(
        default=30, ge=1, description="Raw webhook bodies and inbound items as received, after they were processed."
    )
    transcripts: int | None = Field(
        default=365, ge=1, description="Conversations and their transcripts, counted from the last message."
    )
    checkpoints: int | None = Field(
        default=90, ge=1, description="The agent's saved conversation state, counted from the last message."
    )
    job_params: int | None = Field(
        default=90, ge=1, description="Parameters, results and attempt messages of finished connector jobs."
    )
    ledger_detail: int | None = Field(
        default=730,
        ge=1,
        description="Which conversation a model call served; the call's figures (tokens, cost, route) stay.",
    )


class HealthPeriods(StrictModel):
    """Shorter periods for data tagged as health information (``null``: the general period)."""

    inbound_raw: int | None = Field(default=7, ge=1, description="Raw inbound items holding health details.")
    transcripts: int | None = Field(default=180, ge=1, description="Conversations with health details.")
    checkpoints: int | None = Field(default=30, ge=1, description="Saved state of conversations with health details.")
    job_params: int | None = Field(default=30, ge=1, description="Finished jobs of conversations with health details.")


class PrivacyConfig(StrictModel):
    """Retention of the tenant's personal data."""

    retention: RetentionPeriods = Field(default_factory=RetentionPeriods, description="Days per kind of data.")
    health: HealthPeriods = Field(default_factory=HealthPeriods, description="Shorter days for health data.")
    purge_batch: int = Field(default=200, ge=1, le=10_000, description="Rows per purge transaction.")
