"""The cost ledger: one ``llm_calls`` row per attempt or routing decision, and reads over it.

Rows record where a request went and why, tokens, cost, latency and the outcome (``ok``,
``fallback``, ``degraded``, ``error:<kind>``). They record the *types* of sensitive data found,
never values, and never the request or answer text. Sessions are passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..db.models import LlmCall, new_id, utcnow
from .router import RouteDecision

__all__ = ["Attempt", "month_bounds", "month_rows", "month_spend", "parse_month", "record"]


@dataclass(frozen=True)
class Attempt:
    """One provider call (or, with ``provider=None``, the decision to degrade)."""

    provider: str | None
    model: str | None
    locality: str | None
    outcome: str
    attempt: int = 1
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0


def record(
    session: Session,
    *,
    tenant: str,
    decision: RouteDecision,
    attempt: Attempt,
    request_id: str,
    conversation_id: str | None = None,
    task: str | None = None,
    reason_code: str | None = None,
) -> str:
    """Add one ledger row in the caller's transaction (not committed: the caller owns it); its id.

    A Core insert, not an ORM object: every generative turn writes one, and nothing reads it back in
    the same transaction.
    """
    reason = decision.reason
    if reason_code is not None and reason_code != reason.code:
        from .router import REASONS

        reason = REASONS[reason_code]
    row_id = new_id()
    session.execute(
        insert(LlmCall.__table__),
        [
            {
                "id": row_id,
                "tenant_slug": tenant,
                "conversation_id": conversation_id,
                "request_id": request_id,
                "attempt": attempt.attempt or 1,
                "task": task,
                "provider": attempt.provider,
                "model": attempt.model,
                "locality": attempt.locality,
                "route": attempt.locality or "none",
                "reason_code": reason.code,
                "reason": f"{reason.en} / {reason.he}",
                "sensitive": decision.sensitive,
                "sensitivity_types": sorted(decision.sensitivity_types),
                "complexity": decision.complexity,
                "tokens_in": attempt.tokens_in or 0,
                "tokens_out": attempt.tokens_out or 0,
                "cost_usd": attempt.cost_usd or 0,
                "latency_ms": attempt.latency_ms or 0,
                "outcome": attempt.outcome[:32],
                "created_at": utcnow(),
            }
        ],
    )
    return row_id


def parse_month(text: str | None, *, tz: tzinfo = UTC, today: date | None = None) -> date:
    """``YYYY-MM`` → the first day of that month; None → the current month in `tz`."""
    if text is None:
        now = today or datetime.now(tz).date()
        return now.replace(day=1)
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"month must look like 2026-11, not {text!r}") from None


def month_bounds(month: date, tz: tzinfo = UTC) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of a calendar month in `tz`, as UTC datetimes."""
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_spend(session: Session, tenant: str, *, month: date | None = None, tz: tzinfo | str = UTC) -> float:
    """The tenant's API spend (USD) in `month` (default: the current month in `tz`)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    start, end = month_bounds(month or parse_month(None, tz=zone), zone)
    total = session.scalar(
        select(func.coalesce(func.sum(LlmCall.cost_usd), 0.0)).where(
            LlmCall.tenant_slug == tenant,
            LlmCall.locality == "api",
            LlmCall.created_at >= start,
            LlmCall.created_at < end,
        )
    )
    return float(total or 0.0)


def month_rows(session: Session, tenant: str, month: date, tz: tzinfo = UTC) -> Iterable[LlmCall]:
    """Every ledger row of `tenant` in `month`, oldest first."""
    start, end = month_bounds(month, tz)
    return session.scalars(
        select(LlmCall)
        .where(LlmCall.tenant_slug == tenant, LlmCall.created_at >= start, LlmCall.created_at < end)
        .order_by(LlmCall.created_at)
    )
