"""Settings of background work (environment, prefix ``SOCHEN_``): the broker, leases, retries."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .dispatcher import BackoffPolicy

__all__ = ["WorkerSettings"]


class WorkerSettings(BaseSettings):
    """How workers reach the broker and how long they may hold a job."""

    model_config = SettingsConfigDict(
        env_prefix="SOCHEN_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    broker_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Celery broker (Redis, or amqp:// for RabbitMQ)."
    )
    broker_key_prefix: str = Field(
        default="", description="Prefix of every Redis key the broker writes (several deployments on one Redis)."
    )
    job_queue: str = Field(default="sochen.jobs", description="Celery queue that job messages go to.")
    job_lease_s: float = Field(
        default=300.0, gt=0, description="Seconds a worker holds a job; must outlast the slowest connector call."
    )
    job_executor: str = Field(
        default="",
        description="'module:callable' returning the executor; empty means the connectors of each "
        "tenant's live configuration.",
    )
    backoff_base_s: float = Field(default=2.0, gt=0, description="First retry waits up to this many seconds.")
    backoff_cap_s: float = Field(default=300.0, gt=0, description="No retry waits longer (except for retry_after).")
    max_retry_after_s: float = Field(default=3600.0, gt=0, description="A service's retry_after is capped at this.")
    sweep_interval_s: float = Field(
        default=5.0, gt=0, description="Beat period of the sweeper that resends jobs whose messages were lost."
    )
    sweep_grace_s: float = Field(
        default=5.0, ge=0, description="A due job is resent only after waiting this long for its own message."
    )
    visibility_timeout_s: float = Field(
        default=3600.0, gt=0, description="Redis: an unacknowledged message is redelivered after this many seconds."
    )

    @property
    def lease(self) -> timedelta:
        """The job lease as a timedelta."""
        return timedelta(seconds=self.job_lease_s)

    def backoff(self) -> BackoffPolicy:
        """The retry policy."""
        return BackoffPolicy(
            base_s=self.backoff_base_s, cap_s=self.backoff_cap_s, max_retry_after_s=self.max_retry_after_s
        )
