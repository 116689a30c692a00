"""``sochen tenant``: apply, list and show tenant configurations."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..config import LoadedTenant, TenantConfigError, load_tenant_file
from .app import app, console, fail, print_json
from .context import db_session

tenant_app = typer.Typer(help="Tenant configurations (YAML).", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")


@tenant_app.command("apply")
def apply(
    file: Path = typer.Argument(..., help="Tenant YAML file."),
    json_out: bool = typer.Option(False, "--json", help="Print the stored version as JSON."),
) -> None:
    """Validate a tenant YAML file and store it as the tenant's next version."""
    from ..db.tenants import store_version

    try:
        loaded = load_tenant_file(file)
    except TenantConfigError as exc:
        fail(str(exc), code=2)
    cfg = loaded.config
    problems = (
        source_problems(loaded) + connector_problems(cfg.connectors) + workflow_problems(cfg) + provider_problems(cfg)
    )
    if problems:
        fail(str(TenantConfigError(str(file), problems)), code=2)
    with db_session() as session:
        version = store_version(
            session,
            slug=cfg.slug,
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text=loaded.source_text,
            source_path=str(file.resolve()),
        )
        result = {"slug": cfg.slug, "name": cfg.name, "version": version.version, "digest": cfg.digest()[:12]}
    if json_out:
        print_json(result)
    else:
        console.print(f"הוחל: {cfg.name} ({cfg.slug}) — version {result['version']}", highlight=False)


class _AnyEnvironment(Mapping[str, str]):
    """At apply time secrets are only referenced: any variable name counts as set (it is read at run time)."""

    def __getitem__(self, key: str) -> str:
        return "set-at-run-time"

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def source_problems(loaded: LoadedTenant) -> list[str]:
    """`knowledge.sources` entries that do not exist (they are relative to the tenant YAML file)."""
    problems = []
    for i, entry in enumerate(loaded.config.knowledge.sources):
        path = loaded.resolve(entry)
        if not path.exists():
            problems.append(
                f"`knowledge.sources[{i}]`: '{entry}' does not exist (looked for {path}; relative paths are "
                f"relative to the tenant YAML file's folder, {loaded.base_dir}): fix the path or create the folder"
            )
    return problems


def _connector_availability(names: list[str]) -> list[str]:
    """Names that are not installed, or installed but left out by SOCHEN_CONNECTORS_ALLOW."""
    from ..config import get_settings
    from ..connectors.registry import installed_names

    installed = installed_names()
    allow = get_settings().connectors_allow
    problems = []
    for name in names:
        if name not in installed:
            hint = difflib.get_close_matches(name, installed, n=1)
            tip = f" — did you mean '{hint[0]}'?" if hint else ""
            problems.append(
                f"`connectors.{name}`: connector '{name}' is not installed{tip} (installed: "
                f"{', '.join(installed) or 'none'}; a plugin connector is installed with pip into Sochen's "
                "environment, see docs/connectors.md)"
            )
        elif allow is not None and name not in allow:
            problems.append(
                f"`connectors.{name}`: connector '{name}' is installed but not allowed on this deployment "
                f"(SOCHEN_CONNECTORS_ALLOW={','.join(allow)}): add '{name}' to it, or remove this section"
            )
    return problems


def connector_problems(connectors: dict[str, dict[str, Any]]) -> list[str]:
    """Check each connector section against the installed connector's configuration model."""
    if not connectors:
        return []
    from ..connectors.errors import ConnectorConfigError, ConnectorRegistryError
    from ..connectors.registry import build_config, discover, secret_fields

    unavailable = _connector_availability(list(connectors))
    if unavailable:
        return unavailable
    try:
        installed = discover(list(connectors), use_settings=False)
    except ConnectorRegistryError as exc:
        return [f"`connectors`: {p}" for p in exc.problems]
    problems = []
    for name, raw in connectors.items():
        for secret in sorted(secret_fields(installed[name].cls.config_model) & set(raw)):
            problems.append(
                f"`connectors.{name}.{secret}`: secrets are never written in the tenant file; put the value in an "
                f"environment variable and write `{secret}_env: VARIABLE_NAME` instead"
            )
        try:
            build_config(installed[name].cls, raw, environ=_AnyEnvironment())
        except ConnectorConfigError as exc:
            problems.extend(f"`connectors.{name}`: {p}" for p in exc.problems)
    return problems


def provider_problems(cfg: Any) -> list[str]:
    """Check each model provider's kind-specific keys against the options model of its registered kind."""
    if not cfg.models.providers:
        return []
    from ..llm.providers.registry import models_problems

    return models_problems(cfg.models)


def workflow_problems(cfg: Any) -> list[str]:
    """Check the workflow rules against the actions and parameter schemas of the tenant's connectors."""
    if not cfg.workflows.rules:
        return []
    from ..connectors.errors import ConnectorRegistryError
    from ..connectors.registry import installed_names
    from ..workflows import catalog_from_registry, validate_rules
    from ..workflows.rules import results_from_registry

    used = sorted({call.action.split(".", 1)[0] for rule in cfg.workflows.rules for call in rule.do})
    installed = set(installed_names())
    missing = [name for name in used if name not in cfg.connectors and name in installed]
    problems = [
        f"`workflows.rules`: action(s) of connector '{name}' are used but `connectors.{name}` is not configured "
        f"(add a `connectors.{name}:` section with its settings)"
        for name in missing
    ]
    wanted = sorted((set(cfg.connectors) | set(used)) & installed)
    try:
        catalog = catalog_from_registry(wanted)
        results = results_from_registry(wanted)
    except ConnectorRegistryError as exc:
        return problems + [f"`workflows`: {p}" for p in exc.problems]
    slots = [(s.name, s.required) for s in cfg.agent.slots]
    return problems + validate_rules(cfg.workflows, catalog, results=results, slots=slots)


@tenant_app.command("schema")
def schema(
    markdown: bool = typer.Option(
        False, "--markdown", help="Print the Markdown reference (docs/tenant-reference.md) instead of JSON Schema."
    ),
) -> None:
    """Print the JSON Schema of the tenant YAML file (every key with its description)."""
    from ..config.reference import tenant_json_schema, tenant_reference_markdown

    if markdown:
        typer.echo(tenant_reference_markdown(), nl=False)
    else:
        print_json(tenant_json_schema())


@tenant_app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List tenants with their newest and live versions."""
    from ..db.tenants import latest_version, list_tenants

    with db_session() as session:
        rows: list[dict[str, Any]] = [
            {
                "slug": t.slug,
                "name": t.name,
                "latest_version": latest_version(session, t.slug).version,
                "live_version": t.live_version,
            }
            for t in list_tenants(session)
        ]
    if json_out:
        print_json(rows)
        return
    table = Table("slug", "שם", "latest", "live")
    for r in rows:
        table.add_row(r["slug"], r["name"], str(r["latest_version"]), str(r["live_version"] or "—"))
    console.print(table)


@tenant_app.command("show")
def show(
    slug: str = typer.Argument(..., help="Tenant slug."),
    version: int | None = typer.Option(None, help="A specific version (default: the newest)."),
    json_out: bool = typer.Option(False, "--json", help="Print the effective configuration as JSON."),
) -> None:
    """Show a tenant's configuration."""
    from sqlalchemy import select

    from ..db.models import TenantVersion
    from ..db.tenants import TenantNotFoundError, get_tenant, latest_version

    with db_session() as session:
        try:
            tenant = get_tenant(session, slug)
            if version is None:
                row = latest_version(session, slug)
            else:
                found = session.scalar(
                    select(TenantVersion).where(TenantVersion.tenant_id == tenant.id, TenantVersion.version == version)
                )
                if found is None:
                    fail(f"tenant '{slug}' has no version {version}")
                row = found
        except TenantNotFoundError as exc:
            fail(str(exc))
        data = {"slug": slug, "version": row.version, "created_at": row.created_at.isoformat(), "config": row.config}
        source = row.source_text
    if json_out:
        print_json(data)
    else:
        # Plain writes, not the console: rich wraps long lines at the terminal's width, and the output
        # must be YAML that `sochen tenant apply` takes back as it is.
        typer.echo(f"# {slug} — version {data['version']} ({data['created_at']})")
        typer.echo(source if source.endswith("\n") else source + "\n", nl=False)
