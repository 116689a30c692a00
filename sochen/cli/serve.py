"""``sochen serve`` (the HTTP service under uvicorn) and ``sochen keys`` (API keys)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from .app import app, console, err_console, fail, print_json
from .context import db_session, ready_database_url

keys_app = typer.Typer(help="API keys for /v1 (admin, or limited to one tenant).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 behind a proxy)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (PostgreSQL for more than 1)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Run the HTTP service: webhooks, /v1 (ask, documents, jobs), /healthz, /readyz, /metrics, /docs."""
    import uvicorn

    from ..config import get_settings

    settings = get_settings()
    ready_database_url()
    if workers > 1 and settings.is_sqlite:
        err_console.print(
            "[yellow]אזהרה / warning:[/] several workers on SQLite take turns writing, and the embedded Qdrant "
            "store opens in one process only; use PostgreSQL and a Qdrant server to scale out.",
            highlight=False,
        )
    err_console.print(
        f"Sochen API on http://{host}:{port}  (docs: /docs · המסוף | console: /console/ — sochen users add)",
        highlight=False,
    )
    uvicorn.run(
        "sochen.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=True,
    )


@keys_app.command("create")
def create(
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Limit the key to this tenant."),
    admin: bool = typer.Option(False, "--admin", help="An admin key: every tenant and every job."),
    label: str = typer.Option("", "--label", help="What the key is for (shown in `keys list`)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from ..api.keys import create_key, key_dict
    from ..db.tenants import TenantNotFoundError, get_tenant

    if bool(tenant) == admin:
        fail("give exactly one of --tenant SLUG or --admin", code=2)
    with db_session() as session:
        if tenant:
            try:
                get_tenant(session, tenant)
            except TenantNotFoundError as exc:
                fail(str(exc))
        row, key = create_key(session, tenant=tenant, label=label)
        info = key_dict(row)
    if json_out:
        print_json({**info, "key": key})
        return
    scope = f"tenant {tenant}" if tenant else "admin"
    console.print(f"נוצר מפתח / key created ({scope}, id {info['id']}):", highlight=False)
    console.print(key, highlight=False, markup=False, soft_wrap=True)
    err_console.print("שמרו אותו עכשיו: הוא לא יוצג שוב / store it now: it is not shown again.", highlight=False)


@keys_app.command("list")
def list_(
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Only this tenant's keys."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List keys (never the keys themselves)."""
    from ..api.keys import key_dict, list_keys

    with db_session() as session:
        rows = [key_dict(k) for k in list_keys(session, tenant=tenant)]
    if json_out:
        print_json(rows)
        return
    if not rows:
        console.print("אין מפתחות / no keys")
        return
    table = Table("id", "scope", "prefix", "label", "created", "last used", "revoked")
    for r in rows:
        table.add_row(
            r["id"],
            escape(r["tenant"] or "admin"),
            r["prefix"] + "…",
            escape(r["label"]),
            (r["created_at"] or "")[:19],
            (r["last_used_at"] or "—")[:19],
            (r["revoked_at"] or "")[:19],
        )
    console.print(table)


@keys_app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="Key id (or a unique prefix of 6+ characters).")) -> None:
    """Revoke a key: requests with it are refused from now on."""
    from ..api.keys import ApiKeyNotFoundError, revoke_key

    with db_session() as session:
        try:
            row = revoke_key(session, key_id)
        except ApiKeyNotFoundError as exc:
            fail(str(exc))
        key = row.id
    console.print(f"בוטל / revoked {key}", highlight=False)
