"""``sochen connectors``: installed connectors, their settings schema, and a doctor for a tenant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from .app import app, console, fail, print_json

connectors_app = typer.Typer(
    help="Connectors: installed plugins, their settings and their health.", no_args_is_help=True
)
app.add_typer(connectors_app, name="connectors")


def _discover() -> dict[str, Any]:
    from ..connectors import ConnectorRegistryError, discover

    try:
        return discover()
    except ConnectorRegistryError as exc:
        fail(str(exc), code=2)


@connectors_app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Installed connectors (limited by SOCHEN_CONNECTORS_ALLOW), their distributions and capabilities."""
    rows = [info.to_dict() for info in _discover().values()]
    if json_out:
        print_json(rows)
        return
    table = Table("name", "title", "distribution", "capabilities")
    for r in rows:
        dist = f"{r['distribution']} {r['version']}" if r["distribution"] else "—"
        table.add_row(r["name"], r["title"], dist, ", ".join(r["capabilities"]))
    console.print(table)


def tenant_file_schema(config_model: Any) -> dict[str, Any]:
    """JSON Schema of a connector's settings as written in a tenant file: secrets as ``<name>_env``."""
    from ..connectors.registry import secret_fields

    secrets = secret_fields(config_model)
    schema = config_model.model_json_schema()
    properties: dict[str, Any] = {}
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        field = config_model.model_fields[name]
        if name in secrets:
            properties[f"{name}_env"] = {
                "type": "string",
                "pattern": "^[A-Z_][A-Z0-9_]*$",
                "title": f"{prop.get('title', name)} (environment variable)",
                "description": f"Name of the environment variable holding: {field.description}",
            }
            if name in required:
                required.discard(name)
                required.add(f"{name}_env")
        else:
            properties[name] = prop
    schema["properties"] = properties
    schema["required"] = sorted(required)
    schema["additionalProperties"] = False
    return schema


@connectors_app.command("show")
def show(
    name: str = typer.Argument(..., help="Connector name, e.g. whatsapp."),
    model: bool = typer.Option(False, "--model", help="The settings model itself (secrets inline, not *_env)."),
    actions: bool = typer.Option(False, "--actions", help="Print the actions and their parameter schemas instead."),
) -> None:
    """Print the JSON Schema of a connector's settings, as written under `connectors.NAME` in a tenant file."""
    from ..connectors import ConnectorRegistryError, load_connector

    try:
        info = load_connector(name)
    except ConnectorRegistryError as exc:
        fail(str(exc), code=2)
    if actions:
        print_json(
            {
                action_name: {
                    "description": spec.description,
                    "idempotent": spec.idempotent,
                    "params": spec.params_schema(),
                }
                for action_name, spec in info.cls.actions().items()
            }
        )
        return
    schema = info.cls.config_model.model_json_schema() if model else tenant_file_schema(info.cls.config_model)
    schema["title"] = f"{info.cls.title or name} ({name})"
    print_json(schema)


def _tenant_connectors(tenant: str | None, config_file: Path | None) -> dict[str, Any]:
    import yaml

    if config_file is not None:
        try:
            raw = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            fail(f"cannot read {config_file}: {exc}", code=2)
    elif tenant is not None:
        from ..db.tenants import TenantNotFoundError, latest_version
        from .context import db_session

        with db_session() as session:
            try:
                raw = dict(latest_version(session, tenant).config)
            except TenantNotFoundError as exc:
                fail(str(exc), code=2)
    else:
        return {}
    section = raw.get("connectors", {}) if isinstance(raw, dict) else {}
    if not isinstance(section, dict):
        fail("`connectors` must be a mapping of connector name → settings", code=2)
    return section


@connectors_app.command("doctor")
def doctor(
    tenant: str | None = typer.Option(None, "--tenant", help="Tenant slug: check its connectors (newest version)."),
    config_file: Path | None = typer.Option(
        None, "--config", help="A YAML file with a `connectors:` mapping (e.g. a tenant file) instead of --tenant."
    ),
    run_check: bool = typer.Option(True, "--check/--no-check", help="Call each configured connector's check()."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Installed connectors, and for a tenant: settings validity and check() (exit 1 if anything is wrong)."""
    from ..config import get_settings
    from ..connectors import ConnectorConfigError, build_config
    from ..connectors.base import host_arguments

    infos = _discover()
    section = _tenant_connectors(tenant, config_file)
    problems: list[str] = []
    report: list[dict[str, Any]] = []
    for name in sorted(set(infos) | set(section)):
        info = infos.get(name)
        entry: dict[str, Any] = {"name": name, "installed": info is not None, "configured": name in section}
        if info is not None:
            entry.update({k: v for k, v in info.to_dict().items() if k in ("distribution", "version", "capabilities")})
        if name in section:
            if info is None:
                problems.append(f"{name}: configured for the tenant but not installed (or not allowed)")
            else:
                try:
                    config = build_config(info.cls, section[name] or {})
                except ConnectorConfigError as exc:
                    entry["config"] = exc.problems
                    problems.extend(f"{name}: {p}" for p in exc.problems)
                else:
                    entry["config"] = "ok"
                    if run_check:
                        host = host_arguments(info.cls, tenant=tenant or "", database_url=get_settings().database_url)
                        with info.cls(config, **host) as connector:
                            result = connector.check()
                        entry["check"] = result.model_dump(mode="json")
                        if not result.ok:
                            problems.append(f"{name}: check {result.status.value}: {result.detail}")
        report.append(entry)
    if json_out:
        print_json({"connectors": report, "problems": problems})
    else:
        table = Table("name", "distribution", "capabilities", "config", "check")
        for e in report:
            dist = f"{e.get('distribution')} {e.get('version')}" if e.get("distribution") else "—"
            config_state = e.get("config", "—") if e["configured"] else "not configured"
            if isinstance(config_state, list):
                config_state = "invalid"
            check = e.get("check", {}).get("status", "—")
            table.add_row(e["name"], dist, ", ".join(e.get("capabilities", [])), str(config_state), check)
        console.print(table)
        for p in problems:
            console.print(f"[red]✗[/] {p}", highlight=False)
        if not problems:
            console.print("הכול תקין / all good", highlight=False)
    if problems:
        raise typer.Exit(1)
