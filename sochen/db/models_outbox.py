"""The transactional outbox: domain events, the connector jobs planned from them, and every attempt.

Rows are written in the same transaction as the conversation state that produced them
(:func:`sochen.workflows.record_event_and_jobs`), so nothing is queued that was not committed and
nothing committed is lost. The dispatcher (:mod:`sochen.workflows.dispatcher`) is the only writer of
``status``, leases and attempts after that.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .crypto import EncryptedJSON, EncryptedText
from .models import Base, new_id, utcnow

__all__ = ["JOB_STATUSES", "DomainEvent", "Job", "JobAttempt", "JobDependency"]

JOB_STATUSES = ("pending", "running", "succeeded", "held", "dead", "cancelled")
"""pending: waiting to run (maybe not before ``next_attempt_at``, maybe after other jobs);
running: claimed under a lease; succeeded; held: waiting for a condition outside the job (its tenant
has no live version yet) and released when it holds; dead: failed for good, or too often (a person
decides); cancelled: by a person."""


class DomainEvent(Base):
    """A typed fact produced by the agent (``lead.captured``, ``reply``, ...), stored once per key."""

    __tablename__ = "domain_events"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_domain_events_tenant_created", "tenant", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(64))
    """Idempotency key: the same fact recorded twice is stored once."""
    tenant: Mapped[str] = mapped_column(String(63))
    type: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str | None] = mapped_column(String(64), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(), default=dict)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """One connector action to run, with its rendered parameters and idempotency key."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_outbox_jobs_status_due", "status", "next_attempt_at"),
        Index("ix_outbox_jobs_tenant_status", "tenant", "status"),
        Index("ix_outbox_jobs_tenant_external", "tenant", "external_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(64))
    """Idempotency key, passed to the connector so a repeated call has one effect."""
    tenant: Mapped[str] = mapped_column(String(63))
    event_id: Mapped[str | None] = mapped_column(
        ForeignKey("domain_events.id", ondelete="CASCADE"), default=None, index=True
    )
    rule: Mapped[str | None] = mapped_column(String(200), default=None)
    """Which rule planned it (its name, else 'rules[i]')."""
    step: Mapped[str | None] = mapped_column(String(63), default=None)
    """The step id within the rule, when later steps refer to its result."""
    action: Mapped[str] = mapped_column(String(128))
    """'connector.action'."""
    params: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(), default=dict)
    deferred: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(), default=dict)
    """Parameters rendered just before running, from the results of earlier steps: ``templates``
    ([[path parts], source] pairs) and what rendering needs besides (``now``, ``timezone``, ``holidays``)."""
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    plan_error: Mapped[str | None] = mapped_column(Text, default=None)
    """Set when the rule could not be rendered for this event: the job was born dead and cannot be retried."""
    result: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON(), default=None)
    lease_owner: Mapped[str | None] = mapped_column(String(100), default=None)
    """'worker:token' of the current claim; completion is accepted only from this owner."""
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)
    """The id the service gave what this job created (a sent message's id), to match later reports to it."""
    delivery_status: Mapped[str | None] = mapped_column(String(16), default=None)
    """For a sent message: accepted, sent, delivered, read/played or failed, as the channel reported it."""
    delivery_error: Mapped[str | None] = mapped_column(Text, default=None)
    """The channel's code and title when delivery failed."""
    delivery_updated_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    enqueued_at: Mapped[datetime | None] = mapped_column(default=None)
    """When a broker message was last sent for it (the sweeper does not resend sooner than it should)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class JobDependency(Base):
    """``job_id`` runs only after ``depends_on_id`` has succeeded (it uses that step's result)."""

    __tablename__ = "outbox_job_dependencies"

    job_id: Mapped[str] = mapped_column(ForeignKey("outbox_jobs.id", ondelete="CASCADE"), primary_key=True)
    depends_on_id: Mapped[str] = mapped_column(
        ForeignKey("outbox_jobs.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class JobAttempt(Base):
    """One try at running a job: who, when, and how it ended."""

    __tablename__ = "outbox_job_attempts"
    __table_args__ = (UniqueConstraint("job_id", "number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("outbox_jobs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    """running, succeeded, retry (failed, will be tried again), dead (failed for good), lost (the
    worker's lease expired before it reported: it crashed or hung), superseded (it finished after
    another worker had taken the job over)."""
    error_kind: Mapped[str | None] = mapped_column(String(32), default=None)
    message: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    retry_after: Mapped[float | None] = mapped_column(Float, default=None)
    """Seconds the service asked us to wait, when it said."""
