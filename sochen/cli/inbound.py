"""``sochen inbound``: the webhook items Sochen acknowledged, and where their work stands (list, show, retry)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from .app import app, console, fail, print_json
from .context import db_session, ready_database_url

inbound_app = typer.Typer(
    help="Acknowledged webhook items (messages, statuses, automation calls) and their work.", no_args_is_help=True
)
app.add_typer(inbound_app, name="inbound")

_STATUSES = ("processed", "rejected", "pending", "running", "succeeded", "held", "dead", "cancelled")


@inbound_app.command("list")
def list_(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's items."),
    status: str | None = typer.Option(None, "--status", help=f"Only this status: {', '.join(_STATUSES)}."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="At most this many, newest first."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Inbound items, newest first, with their work's status (held = waiting for a live version)."""
    from ..workflows.inbound import list_inbound

    if status and status not in _STATUSES:
        fail(f"unknown status '{status}'; use one of {', '.join(_STATUSES)}", code=2)
    with db_session() as session:
        rows = list_inbound(session, tenant=tenant, status=status, limit=limit)
    if json_out:
        print_json(rows)
        return
    if not rows:
        console.print("אין פריטים נכנסים / no inbound items")
        return
    table = Table("id", "tenant", "channel", "kind", "status", "work", "tries", "received (UTC)", box=box.SIMPLE_HEAD)
    for r in rows:
        work = r["work"] or {}
        table.add_row(
            r["id"][:12],
            escape(r["tenant"]),
            escape(r["channel"]),
            r["kind"],
            r["status"],
            work.get("status", "—"),
            f"{work.get('attempts', 0)}/{work.get('max_attempts', 0)}" if work else "—",
            (r["received_at"] or "")[5:16].replace("T", " "),
        )
    console.print(table)


@inbound_app.command("show")
def show(
    event_id: str = typer.Argument(..., help="Inbound item id."),
    payload: bool = typer.Option(False, "--payload", help="Include the item as received (may hold personal data)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One inbound item, its work and every attempt."""
    from ..db.models_api import InboundEventRow
    from ..db.models_outbox import Job
    from ..workflows import job_attempts, job_dict
    from ..workflows.inbound import inbound_dict

    with db_session() as session:
        row = session.get(InboundEventRow, event_id)
        if row is None:
            fail(f"no inbound item '{event_id[:64]}'")
        job = session.get(Job, row.id)
        data = inbound_dict(row, job, payload=payload)
        tenant = row.tenant
        if job is not None:
            data["attempts"] = job_dict(job, job_attempts(session, job.id))["attempt_log"]
    from ..workflows.privacy_log import Actor, record_access

    record_access(ready_database_url(), tenant, Actor.cli(), "read", "inbound", event_id, {"payload": payload})
    if json_out:
        print_json(data)
        return
    for key in ("id", "tenant", "channel", "kind", "status", "error", "received_at", "processed_at"):
        if data.get(key) is not None:
            console.print(f"{key}: {escape(str(data[key]))}", highlight=False)
    work = data.get("work") or {}
    for key, value in work.items():
        console.print(f"work.{key}: {escape(str(value))}", highlight=False)
    for a in data.get("attempts", []):
        console.print(
            f"  #{a['number']} {a['outcome']:10} {a['started_at'] or ''} {escape(a['message'] or '')}", highlight=False
        )


@inbound_app.command("retry")
def retry(
    event_id: str = typer.Argument(..., help="Inbound item id."),
    attempts: int = typer.Option(3, "--attempts", min=1, max=100, help="How many more attempts it gets."),
) -> None:
    """Run an item again: its dead, held or cancelled work goes back to the queue, due now."""
    from ..workflows import JobStateError
    from ..workflows.inbound import retry_inbound

    with db_session() as session:
        try:
            job = retry_inbound(session, event_id, now=datetime.now(UTC), extra_attempts=attempts)
        except (LookupError, JobStateError) as exc:
            fail(str(exc))
        summary = f"inbound item {job.id} is pending again ({job.attempts} attempts so far, up to {job.max_attempts})"
    console.print(summary, highlight=False, soft_wrap=True)
