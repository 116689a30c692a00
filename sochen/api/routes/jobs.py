"""Outbox jobs over HTTP: list a tenant's, show, retry and cancel one (the ``sochen jobs`` commands).

A tenant key sees only its tenant's jobs; another tenant's job answers 404 as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ...db.models_outbox import Job
from ...db.session import session_scope
from ...workflows import JobNotFoundError, JobStateError, cancel_job, get_job, job_attempts, job_dict, list_jobs
from ..deps import current_principal, is_id, tenant_for_caller
from ..errors import ERROR_RESPONSES, ApiError
from ..inbound import write_scope
from ..keys import Principal
from ..state import ApiState, get_state

__all__ = ["router"]

router = APIRouter(tags=["jobs"])

Status = Literal["pending", "running", "succeeded", "held", "dead", "cancelled"]


class RetryBody(BaseModel):
    """How many more attempts a retried job gets."""

    model_config = ConfigDict(extra="forbid")
    attempts: int = Field(default=3, ge=1, le=100, description="ניסיונות נוספים / more attempts")


def _not_found(job_id: str) -> ApiError:
    return ApiError(404, "job_not_found", "המשימה לא נמצאה", f"no job '{job_id[:64]}'")


def _visible_job(session: Any, job_id: str, principal: Principal) -> Job:
    if not is_id(job_id):
        raise _not_found("…")
    if not principal.is_admin:  # exact ids only: a prefix search would reveal other tenants' jobs
        found = session.get(Job, job_id[:64])
        if found is None or not principal.may_access(found.tenant):
            raise _not_found(job_id)
        return found
    try:
        return get_job(session, job_id[:64])
    except JobNotFoundError as exc:
        raise ApiError(404, "job_not_found", "המשימה לא נמצאה", str(exc)) from None


@router.get(
    "/v1/{tenant}/jobs",
    summary="משימות החיבורים של הדייר / the tenant's connector jobs",
    responses=ERROR_RESPONSES(401, 404, 422),
)
def list_route(
    status: Status | None = Query(None, description="סינון לפי מצב / only this status"),
    limit: int = Query(100, ge=1, le=1000),
    tenant: str = Depends(tenant_for_caller),
    state: ApiState = Depends(get_state),
) -> list[dict[str, Any]]:
    """Jobs, newest first."""
    with session_scope(state.settings.database_url) as session:
        return [job_dict(j) for j in list_jobs(session, tenant=tenant, status=status, limit=limit)]


@router.get(
    "/v1/jobs/{job_id}",
    summary="משימה אחת עם כל הניסיונות / one job with every attempt",
    responses=ERROR_RESPONSES(401, 404),
)
def show_route(
    job_id: str, principal: Principal = Depends(current_principal), state: ApiState = Depends(get_state)
) -> dict[str, Any]:
    """A job (id or unique prefix of 6+ characters), its parameters, result and attempts."""
    with session_scope(state.settings.database_url) as session:
        job = _visible_job(session, job_id, principal)
        return job_dict(job, job_attempts(session, job.id))


@router.post(
    "/v1/jobs/{job_id}/retry",
    summary="הפעלה חוזרת של משימה שנכשלה / retry a dead or cancelled job",
    responses=ERROR_RESPONSES(401, 404, 409),
)
def retry_route(
    job_id: str,
    body: RetryBody | None = Body(default=None),
    principal: Principal = Depends(current_principal),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    """Back to pending, due now; its attempts so far are kept."""
    from ...workflows import retry_job

    def retry(session: Any, attempts: int) -> dict[str, Any]:
        job = _visible_job(session, job_id, principal)
        return job_dict(retry_job(session, job.id, now=datetime.now(UTC), extra_attempts=attempts))

    return _retried(
        state, body, retry, code="job_state", he="לא ניתן להפעיל מחדש משימה במצב זה", wake=state.job_publisher
    )


def _retried(
    state: ApiState,
    body: RetryBody | None,
    retry: Callable[[Any, int], dict[str, Any]],
    *,
    code: str,
    he: str,
    wake: Callable[[list[str]], object] | None,
) -> dict[str, Any]:
    """Run ``retry`` in a write transaction; a state that cannot be retried is 409; then wake its worker."""
    attempts = body.attempts if body is not None else 3
    with write_scope(state.settings.database_url) as session:
        try:
            data = retry(session, attempts)
        except JobStateError as exc:
            raise ApiError(409, code, he, str(exc)) from None
    if wake is not None:
        wake([data["id"]])
    return data


@router.post(
    "/v1/jobs/{job_id}/cancel",
    summary="ביטול משימה / cancel a job",
    responses=ERROR_RESPONSES(401, 404, 409),
)
def cancel_route(
    job_id: str, principal: Principal = Depends(current_principal), state: ApiState = Depends(get_state)
) -> dict[str, Any]:
    """Cancel a pending or dead job and the pending jobs waiting for its result."""
    with write_scope(state.settings.database_url) as session:
        job = _visible_job(session, job_id, principal)
        try:
            cancelled = cancel_job(session, job.id, now=datetime.now(UTC))
        except JobStateError as exc:
            raise ApiError(409, "job_state", "לא ניתן לבטל משימה במצב זה", str(exc)) from None
        return {"cancelled": [j.id for j in cancelled]}


InboundStatus = Literal["processed", "rejected", "pending", "running", "succeeded", "held", "dead", "cancelled"]


def _visible_inbound(session: Any, event_id: str, principal: Principal) -> Any:
    from ...db.models_api import InboundEventRow

    if not is_id(event_id):
        raise ApiError(404, "inbound_not_found", "הפריט הנכנס לא נמצא", "no inbound item '…'")
    row = session.get(InboundEventRow, event_id[:64])
    if row is None or not principal.may_access(row.tenant):
        raise ApiError(404, "inbound_not_found", "הפריט הנכנס לא נמצא", f"no inbound item '{event_id[:64]}'")
    return row


@router.get(
    "/v1/{tenant}/inbound",
    summary="פריטים נכנסים והעבודה עליהם / acknowledged inbound items and their work",
    responses=ERROR_RESPONSES(401, 404, 422),
)
def inbound_list_route(
    status: InboundStatus | None = Query(None, description="סינון לפי מצב / only this status"),
    limit: int = Query(100, ge=1, le=1000),
    tenant: str = Depends(tenant_for_caller),
    state: ApiState = Depends(get_state),
) -> list[dict[str, Any]]:
    """Inbound items, newest first, each with its work's status (held, dead, ...); no message text."""
    from ...workflows.inbound import list_inbound

    with session_scope(state.settings.database_url) as session:
        return list_inbound(session, tenant=tenant, status=status, limit=limit)


@router.get(
    "/v1/inbound/{event_id}",
    summary="פריט נכנס אחד עם כל הניסיונות / one inbound item with every attempt",
    responses=ERROR_RESPONSES(401, 404),
)
def inbound_show_route(
    event_id: str,
    request: Request,
    principal: Principal = Depends(current_principal),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    """An inbound item, its work and attempts (the item as received is not shown over HTTP)."""
    from ...workflows.inbound import inbound_dict
    from ...workflows.privacy_log import record_access
    from .privacy import actor_for

    with session_scope(state.settings.database_url) as session:
        row = _visible_inbound(session, event_id, principal)
        record_access(state.settings.database_url, row.tenant, actor_for(request, principal), "read", "inbound", row.id)
        job = session.get(Job, row.id)
        data = inbound_dict(row, job)
        if job is not None:
            data["attempts"] = job_dict(job, job_attempts(session, job.id))["attempt_log"]
        return data


@router.post(
    "/v1/inbound/{event_id}/retry",
    summary="הפעלה חוזרת של פריט נכנס / run an inbound item again",
    responses=ERROR_RESPONSES(401, 404, 409),
)
def inbound_retry_route(
    event_id: str,
    body: RetryBody | None = Body(default=None),
    principal: Principal = Depends(current_principal),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    """Its dead, held or cancelled work goes back to pending, due now."""
    from ...workflows.inbound import inbound_dict, retry_inbound

    def retry(session: Any, attempts: int) -> dict[str, Any]:
        row = _visible_inbound(session, event_id, principal)
        return inbound_dict(row, retry_inbound(session, row.id, now=datetime.now(UTC), extra_attempts=attempts))

    return _retried(
        state, body, retry, code="inbound_state", he="לא ניתן להפעיל מחדש פריט במצב זה", wake=state.queue.enqueue
    )
