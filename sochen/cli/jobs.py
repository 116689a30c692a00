"""``sochen jobs``: list, show, retry and cancel outbox jobs (connector actions planned by rules)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .app import app, console, fail, print_json
from .context import db_session

jobs_app = typer.Typer(help="Connector jobs in the outbox: what ran, what failed, what waits.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")

_STATUSES = ("pending", "running", "succeeded", "held", "dead", "cancelled")
_COLOURS = {"succeeded": "green", "dead": "red", "running": "cyan", "pending": "yellow", "cancelled": "dim"}


@jobs_app.command("list")
def list_(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's jobs."),
    status: str | None = typer.Option(None, "--status", help=f"Only jobs in this status: {', '.join(_STATUSES)}."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="At most this many, newest first."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List jobs, newest first."""
    from ..workflows import job_dict, list_jobs

    if status and status not in _STATUSES:
        fail(f"unknown status '{status}'; use one of {', '.join(_STATUSES)}", code=2)
    with db_session() as session:
        rows = [job_dict(j) for j in list_jobs(session, tenant=tenant, status=status, limit=limit)]
    if json_out:
        print_json(rows)
        return
    if not rows:
        console.print("אין משימות / no jobs")
        return
    tenants = len({r["tenant"] for r in rows}) > 1
    columns = ["id", *(["tenant"] if tenants else []), "action", "status", "tries", "when (UTC)"]
    table = Table(*columns, box=box.SIMPLE_HEAD, pad_edge=False)
    cells = []
    for r in rows:
        colour = _COLOURS.get(r["status"], "white")
        when = r["next_attempt_at"] if r["status"] == "pending" else r["updated_at"]
        cells.append(
            [
                r["id"][:12],
                *([escape(r["tenant"])] if tenants else []),
                escape(r["action"]),
                f"[{colour}]{r['status']}[/]",
                f"{r['attempts']}/{r['max_attempts']}",
                (when or "")[5:16].replace("T", " "),
            ]
        )
    used = sum(max(len(Text.from_markup(c[i]).plain) for c in [*cells, columns]) + 3 for i in range(len(columns)))
    room = console.width - used - 3
    if room >= 12:  # the last error only where it fits: `jobs show ID` has all of it
        table.add_column("last error", no_wrap=True)
        for c, r in zip(cells, rows, strict=True):
            error = r["last_error"] or ""
            c.append(escape(error if len(error) <= room else error[: room - 1] + "…"))
    for c in cells:
        table.add_row(*c)
    console.print(table)


@jobs_app.command("show")
def show(
    job_id: str = typer.Argument(..., help="Job id (or a unique prefix of 6+ characters)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One job with its parameters, result and every attempt."""
    from ..workflows import JobNotFoundError, get_job, job_attempts, job_dependencies, job_dict

    with db_session() as session:
        try:
            job = get_job(session, job_id)
        except JobNotFoundError as exc:
            fail(str(exc))
        data = job_dict(job, job_attempts(session, job.id), waits_for=job_dependencies(session, job.id))
    if json_out:
        print_json(data)
        return
    _print_job(data)


@jobs_app.command("retry")
def retry(
    job_id: str = typer.Argument(..., help="Job id (or a unique prefix)."),
    attempts: int = typer.Option(3, "--attempts", min=1, max=100, help="How many more attempts it gets."),
) -> None:
    """Put a dead (or cancelled) job back in the queue; its attempts so far are kept."""
    from ..workflows import JobNotFoundError, JobStateError, retry_job

    with db_session() as session:
        try:
            job = retry_job(session, job_id, now=datetime.now(UTC), extra_attempts=attempts)
        except (JobNotFoundError, JobStateError) as exc:
            fail(str(exc))
        summary = f"job {job.id} is pending again ({job.attempts} attempts so far, up to {job.max_attempts})"
    console.print(summary, highlight=False, soft_wrap=True)


@jobs_app.command("cancel")
def cancel(job_id: str = typer.Argument(..., help="Job id (or a unique prefix).")) -> None:
    """Cancel a pending or dead job (and the pending jobs that wait for its result)."""
    from ..workflows import JobNotFoundError, JobStateError, cancel_job

    with db_session() as session:
        try:
            jobs = cancel_job(session, job_id, now=datetime.now(UTC))
        except (JobNotFoundError, JobStateError) as exc:
            fail(str(exc))
        ids = [j.id for j in jobs]
    console.print(f"cancelled {ids[0]}", highlight=False, soft_wrap=True)
    for other in ids[1:]:
        console.print(f"cancelled {other} (it waited for the first)", highlight=False, soft_wrap=True)


def _print_job(data: dict[str, Any]) -> None:
    colour = _COLOURS.get(data["status"], "white")
    console.print(f"[bold]{data['id']}[/]  {escape(data['action'])}  [{colour}]{data['status']}[/]")
    for label in ("tenant", "rule", "step", "attempts", "max_attempts", "next_attempt_at", "created_at", "key"):
        if data.get(label) is not None:
            console.print(f"  {label}: {escape(str(data[label]))}", highlight=False)
    for dep in data.get("waits_for", []):
        if dep["status"] != "succeeded":
            console.print(f"  waits for: {dep['id']} {escape(dep['action'])} ({dep['status']})", highlight=False)
    if data.get("last_error"):
        console.print(f"  last error: [red]{escape(data['last_error'])}[/]", highlight=False, soft_wrap=True)
    console.print(f"  params: {escape(str(data['params']))}", highlight=False)
    if data.get("result") is not None:
        console.print(f"  result: {escape(str(data['result']))}", highlight=False)
    if data["attempt_log"]:
        console.print("  attempts:")
    for a in data["attempt_log"]:
        colour = {"succeeded": "green", "dead": "red", "retry": "yellow"}.get(a["outcome"], "white")
        kind = f" ({a['error_kind']})" if a["error_kind"] else ""
        when = (a["started_at"] or "")[:19].replace("T", " ")
        line = f"    #{a['number']} [{colour}]{a['outcome']}[/]{kind} — {escape(a['worker'])}, {when}"
        if a["retry_after"]:
            line += f", retry after {a['retry_after']:g}s"
        console.print(line, highlight=False, soft_wrap=True)
        if a["message"]:
            console.print(f"       {escape(a['message'])}", highlight=False, soft_wrap=True)
