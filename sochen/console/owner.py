"""The owner's pages: versions and which is live, eval runs and reports, the gate, promotion, jobs, usage.

Routes under ``/console/t/{tenant}/owner``, every one scoped to the path's tenant by
:func:`~sochen.console.auth.require_role`; every id in a path (version, run, job) is looked up within
that tenant, so another tenant's id answers 404. They call the services of the CLI and ``/v1``:
:mod:`sochen.evals.overview` and :func:`sochen.evals.promote_version` (``sochen tenant promote``),
:func:`sochen.workflows.retry_job` / :func:`~sochen.workflows.cancel_job` (``sochen jobs``),
:func:`sochen.llm.usage.tenant_usage` (``sochen usage``).

Who may do what: every signed-in role of the tenant may look; retrying and cancelling a job needs
the agent role; promoting needs the owner role, a confirmation page, a POST with the CSRF token, and
a version that passes the gate as it is now (else the page says why and nothing changes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from ..db.session import session_scope
from ..db.tenants import TenantNotFoundError, get_tenant
from ..evals import GateResult, PromotionRefused, gate_of_version, promote_version
from ..evals.overview import report_file, runs_overview, versions_overview
from ..evals.store import VersionNotFoundError
from ..llm.settings import LlmSettings
from ..llm.usage import break_even, usage_history
from ..workflows import JobNotFoundError, JobStateError, cancel_job, job_dict, list_jobs, retry_job
from ..workflows.inbound import INBOUND_ACTION
from ..workflows.outbox import tenant_job
from .archive import get_state
from .auth import ConsoleError, ConsoleUser, require_role
from .charts import spend_chart
from .i18n import t
from .pages_i18n import register
from .render import ConsoleRoute, render

if TYPE_CHECKING:  # sochen.api imports this package: its modules are imported where they are used
    from ..api.state import ApiState

__all__ = ["router"]

register()

router = APIRouter(prefix="/console/t/{tenant}/owner", route_class=ConsoleRoute, include_in_schema=False)

JobStatus = Literal["pending", "running", "succeeded", "held", "dead", "cancelled"]
JOB_STATUSES = ("dead", "held", "pending", "running", "succeeded", "cancelled")

REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"
"""The stored HTML report is self-contained (inline styles and SVG) and has no scripts: allow nothing else."""


def _fmt(value: float, unit: str) -> str:
    """A threshold or measured value as the gate states it (shares as percentages)."""
    if unit == "%":
        return f"{value:.1%}"
    if unit == "usd":
        return f"${value:.4f}"
    if unit == "ms":
        return f"{value:.0f} ms"
    return f"{value:g}"


def _base(user: ConsoleUser) -> str:
    return f"/console/t/{user.tenant}/owner"


def _tenant(user: ConsoleUser) -> str:
    assert user.tenant is not None  # require_role checked the path's tenant
    return user.tenant


@router.get("/")
def overview_page(
    request: Request,
    promoted: int | None = Query(None, ge=1),
    released: int = Query(0, ge=0),
    user: ConsoleUser = Depends(require_role("viewer")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Versions (which is live, the gate's verdict per threshold), eval runs and their reports."""
    slug = _tenant(user)
    with session_scope(state.settings.database_url) as session:
        try:
            live = get_tenant(session, slug).live_version
            versions = versions_overview(session, slug)
            runs = runs_overview(session, slug)
        except TenantNotFoundError:
            raise ConsoleError(404, "error.not_found") from None
    return render(
        request,
        "owner/index.html",
        user=user,
        active="owner",
        tab="versions",
        base=_base(user),
        live=live,
        versions=versions,
        runs=runs,
        promoted=promoted,
        released=released,
        fmt=_fmt,
    )


def _gate_or_404(state: ApiState, slug: str, version: int) -> tuple[Any, int | None]:
    with session_scope(state.settings.database_url) as session:
        try:
            gate = gate_of_version(session, slug, version)
            live = get_tenant(session, slug).live_version
        except (TenantNotFoundError, VersionNotFoundError):
            raise ConsoleError(404, "error.not_found") from None
    return gate, live


@router.get("/versions/{version}/promote")
def confirm_page(
    request: Request,
    version: int,
    user: ConsoleUser = Depends(require_role("viewer")),
    state: ApiState = Depends(get_state),
) -> Response:
    """The confirmation step: what promoting ``version`` does, or why it cannot go live."""
    gate, live = _gate_or_404(state, _tenant(user), version)
    return render(
        request,
        "owner/promote.html",
        user=user,
        active="owner",
        base=_base(user),
        gate=gate,
        live=live,
        refused=None,
        fmt=_fmt,
    )


@router.post("/versions/{version}/promote")
def promote_page(
    request: Request,
    version: int,
    user: ConsoleUser = Depends(require_role("owner")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Make ``version`` live through the gate (``sochen tenant promote``); refused with every reason."""
    from ..api.inbound import write_scope

    slug = _tenant(user)
    refused: GateResult | None = None
    with write_scope(state.settings.database_url) as session:
        try:
            result = promote_version(session, slug, version)
        except PromotionRefused as exc:
            refused = exc.gate  # nothing was changed: the gate is checked before the live version is set
        except (TenantNotFoundError, VersionNotFoundError):
            raise ConsoleError(404, "error.not_found") from None
    if refused is not None:
        _, live = _gate_or_404(state, slug, version)
        return render(
            request,
            "owner/promote.html",
            user=user,
            status=409,
            active="owner",
            base=_base(user),
            gate=refused,
            live=live,
            refused=refused,
            fmt=_fmt,
        )
    # Held inbound work released by the promotion is picked up by the workers' poll (as after the CLI's).
    target = f"{_base(user)}/?promoted={result.version}&released={result.released}"
    return RedirectResponse(target, status_code=303)


@router.get("/runs/{run_id}/report")
def report_page(
    run_id: str,
    user: ConsoleUser = Depends(require_role("viewer")),
    state: ApiState = Depends(get_state),
) -> Response:
    """The run's self-contained HTML report as the runner wrote it (the tenant's own runs only)."""
    if not run_id.isalnum() or len(run_id) > 32:
        raise ConsoleError(404, "error.not_found")
    with session_scope(state.settings.database_url) as session:
        path = report_file(session, _tenant(user), run_id)
    if path is None:
        raise ConsoleError(404, "error.not_found")
    return Response(
        path.read_bytes(),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": REPORT_CSP},
    )


@router.get("/jobs")
def jobs_page(
    request: Request,
    status: JobStatus | None = Query(None),
    done: str = Query("", max_length=32),
    count: int = Query(0, ge=0, le=1000),
    user: ConsoleUser = Depends(require_role("viewer")),
    state: ApiState = Depends(get_state),
) -> Response:
    """The tenant's jobs, newest first (dead letters: ``status=dead``), with retry and cancel."""
    with session_scope(state.settings.database_url) as session:
        jobs = [job_dict(j) for j in list_jobs(session, tenant=_tenant(user), status=status, limit=200)]
    return render(
        request,
        "owner/jobs.html",
        user=user,
        active="owner",
        tab="jobs",
        base=_base(user),
        jobs=jobs,
        status_filter=status or "",
        statuses=JOB_STATUSES,
        done=done,
        count=count,
        problem=None,
    )


def _job_action(
    request: Request,
    state: ApiState,
    user: ConsoleUser,
    job_id: str,
    action: Literal["retry", "cancel"],
    attempts: int,
) -> Response:
    from ..api.inbound import write_scope

    slug = _tenant(user)
    woken: list[str] = []
    inbound = False
    problem: str | None = None
    count = 0
    with write_scope(state.settings.database_url) as session:
        try:
            job = tenant_job(session, slug, job_id)
            inbound = job.action == INBOUND_ACTION
            if action == "retry":
                woken = [retry_job(session, job.id, now=datetime.now(UTC), extra_attempts=attempts).id]
                count = 1
            else:
                count = len(cancel_job(session, job.id, now=datetime.now(UTC)))
        except JobNotFoundError:
            raise ConsoleError(404, "error.not_found") from None
        except JobStateError as exc:
            problem = str(exc)
    if problem is not None:
        with session_scope(state.settings.database_url) as session:
            jobs = [job_dict(j) for j in list_jobs(session, tenant=slug, limit=200)]
        return render(
            request,
            "owner/jobs.html",
            user=user,
            status=409,
            active="owner",
            tab="jobs",
            base=_base(user),
            jobs=jobs,
            status_filter="",
            statuses=JOB_STATUSES,
            done="",
            count=0,
            problem=problem,
        )
    if woken:  # wake whoever runs it: the turn worker for an inbound message, the job worker for the rest
        wake = state.queue.enqueue if inbound else state.job_publisher
        if wake is not None:
            wake(woken)
    return RedirectResponse(f"{_base(user)}/jobs?done={action}&count={count}", status_code=303)


@router.post("/jobs/{job_id}/retry")
def retry_page(
    request: Request,
    job_id: str,
    attempts: int = Form(3, ge=1, le=100),
    user: ConsoleUser = Depends(require_role("agent")),
    state: ApiState = Depends(get_state),
) -> Response:
    """A dead, held or cancelled job back to pending (``sochen jobs retry``)."""
    return _job_action(request, state, user, job_id, "retry", attempts)


@router.post("/jobs/{job_id}/cancel")
def cancel_page(
    request: Request,
    job_id: str,
    user: ConsoleUser = Depends(require_role("agent")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Cancel a pending, held or dead job and the jobs that wait for it (``sochen jobs cancel``)."""
    return _job_action(request, state, user, job_id, "cancel", 0)


@router.get("/usage")
def usage_page(
    request: Request,
    month: str = Query("", max_length=7),
    user: ConsoleUser = Depends(require_role("viewer")),
    state: ApiState = Depends(get_state),
) -> Response:
    """Usage and cost of a month per provider and model, the local share, and build vs. buy as a chart."""
    slug = _tenant(user)
    settings = LlmSettings()
    bad_month = False
    with session_scope(state.settings.database_url) as session:
        try:
            history = usage_history(session, slug, months=6, until=month or None, settings=settings)
        except ValueError:
            bad_month = True
            history = usage_history(session, slug, months=6, settings=settings)
    report = history[-1]  # the month asked for, in full
    verdict = break_even(history, settings.selfhost_server_monthly_usd)
    chart = Markup(  # every text inside is escaped by spend_chart
        spend_chart(
            history,
            verdict,
            title=t("owner.chart.spend", user.lang),
            server_label=t("owner.chart.server", user.lang),
            trend_label=t("owner.chart.trend", user.lang),
        )
    )
    return render(
        request,
        "owner/usage.html",
        user=user,
        status=422 if bad_month else 200,
        active="owner",
        tab="usage",
        base=_base(user),
        report=report,
        history=history,
        verdict=verdict,
        chart=chart,
        bad_month=bad_month,
    )
