"""``sochen evals``: run a tenant's scenarios, gate go-live, compare configurations; ``sochen tenant promote``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from .app import app, console, err_console, fail, print_json
from .context import db_session, ready_database_url
from .tenant import tenant_app

evals_app = typer.Typer(help="Scenario evals, the go-live gate and reports.", no_args_is_help=True)
app.add_typer(evals_app, name="evals")


@evals_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor validation)."""
    from ..evals import json_schema

    print_json(json_schema())


@evals_app.command("validate")
def validate(files: list[Path] = typer.Argument(..., help="Scenario YAML files or folders.")) -> None:
    """Validate scenario files and list every problem (file, scenario id, field)."""
    from ..evals.loading import SuiteError, installed_actions, load_files

    paths: list[Path] = []
    for f in files:
        paths.extend(sorted({*f.glob("*.yaml"), *f.glob("*.yml")}) if f.is_dir() else [f])
    try:
        scenarios = load_files(paths, actions=installed_actions())
    except SuiteError as exc:
        fail(str(exc), code=2)
    console.print(f"{len(scenarios)} scenarios in {len(paths)} files: valid", highlight=False)


def _quiet_turn_logs() -> None:
    # One INFO line per turn (a route, a turn, a job) would bury the report under hundreds of lines; the
    # summary says which providers were unavailable, so their per-turn warnings are not repeated either.
    # SOCHEN_LOG_LEVEL=DEBUG shows them all.
    if logging.getLogger().getEffectiveLevel() >= logging.INFO:
        for name in ("sochen.agents", "sochen.evals", "sochen.workflows", "sochen.rag", "sochen.privacy"):
            logging.getLogger(name).setLevel(logging.WARNING)
        logging.getLogger("sochen.llm").setLevel(logging.ERROR)


def _progress(result: Any) -> None:
    mark = "✓" if result.passed else "✗"
    err_console.print(f"{mark} {result.scenario_id} #{result.repetition}", highlight=False)


@evals_app.command("run")
def run(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug."),
    version: int | None = typer.Option(None, "--version", help="Version to evaluate (default: the newest)."),
    repeat: int = typer.Option(1, "--repeat", min=1, max=100, help="Run each scenario N times."),
    jobs: int = typer.Option(4, "--jobs", min=1, max=64, help="Scenarios run in parallel."),
    report_dir: Path | None = typer.Option(None, "--report-dir", help="Where reports go (default under HOME/evals)."),
    scenarios: list[Path] | None = typer.Option(
        None, "--scenarios", help="Scenario files/folders instead of the tenant's `evals.scenarios`."
    ),
    judge: bool = typer.Option(True, "--judge/--no-judge", help="Run model-judged checks (else skipped)."),
    provider: str | None = typer.Option(
        None,
        "--provider",
        help="Replace the version's models (model-free, local, local-qwen, api, or a YAML file with `models:`); "
        "such a run is reported but never stored or counted by the gate.",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the run as JSON."),
) -> None:
    """Run the tenant's scenarios on one exact version in the sandbox; exit 1 when the gate is missed."""
    from ..config import get_settings
    from ..db.tenants import TenantNotFoundError
    from ..evals import SuiteError, run_suite
    from ..evals.loading import installed_actions, load_files
    from ..evals.reports import print_summary
    from ..evals.store import VersionNotFoundError

    ready_database_url()
    _quiet_turn_logs()
    try:
        chosen = None
        if scenarios:
            paths: list[Path] = []
            for p in scenarios:
                paths.extend(sorted({*p.glob("*.yaml"), *p.glob("*.yml")}) if p.is_dir() else [p])
            chosen = load_files(paths, actions=installed_actions())
        replaced = None
        if provider is not None:
            from ..llm.presets import models_preset

            replaced = models_preset(provider)
        result = run_suite(
            get_settings(),
            tenant,
            version=version,
            scenarios=chosen,
            repeat=repeat,
            jobs=jobs,
            report_dir=report_dir,
            judge=judge,
            progress=None if json_out else _progress,
            models=replaced,
            store=replaced is None,
        )
    except SuiteError as exc:
        fail(str(exc), code=2)
    except (TenantNotFoundError, VersionNotFoundError, ValueError) as exc:
        fail(str(exc), code=2)
    if json_out:
        print_json({k: v for k, v in result.as_dict().items() if k != "results"})
    else:
        print_summary(result, console)
    if not result.passed:
        raise typer.Exit(1)


@evals_app.command("gate")
def gate(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug."),
    json_out: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Check the newest version's latest run against its thresholds; exit 1 listing what is missed."""
    from ..db.tenants import TenantNotFoundError
    from ..evals import gate_of_version
    from ..evals.store import VersionNotFoundError

    with db_session() as session:
        try:
            result = gate_of_version(session, tenant)
        except (TenantNotFoundError, VersionNotFoundError) as exc:
            fail(str(exc), code=2)
    if json_out:
        print_json(result.as_dict())
    elif result.passed:
        console.print(f"gate: passed / עבר — {tenant} version {result.version} (run {result.run_id})", highlight=False)
    else:
        err_console.print(f"gate: failed / נכשל — {tenant} version {result.version}", highlight=False)
        for failure in result.failures:
            err_console.print(f"  - {failure}", highlight=False)
    for note in result.notes:
        err_console.print(f"note: {note}", highlight=False)
    if not result.passed:
        raise typer.Exit(1)


@evals_app.command("list")
def list_runs(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug."),
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="Newest runs shown."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the tenant's eval runs, newest first."""
    from ..evals.store import list_runs as runs_of

    with db_session() as session:
        rows: list[dict[str, Any]] = [
            {
                "id": r.id,
                "version": r.version,
                "label": r.label,
                "status": r.status,
                "passed": r.passed,
                "kb_revision": r.kb_revision,
                "pass_rate": (r.metrics or {}).get("pass_rate"),
                "started_at": r.started_at.isoformat(),
                "html": (r.report_paths or {}).get("html"),
            }
            for r in runs_of(session, tenant, limit=limit)
        ]
    if json_out:
        print_json(rows)
        return
    table = Table("run", "version", "status", "gate", "pass rate", "started", "report")
    for r in rows:
        table.add_row(
            r["id"][:12],
            str(r["version"]),
            r["status"],
            "✓" if r["passed"] else "✗",
            "—" if r["pass_rate"] is None else f"{r['pass_rate']:.0%}",
            r["started_at"][:19],
            r["html"] or "",
        )
    console.print(table)


@evals_app.command("compare")
def compare(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug (its documents must be ingested)."),
    configs: list[Path] = typer.Option(..., "--config", help="Tenant YAML variants (two or more)."),
    providers: list[str] | None = typer.Option(
        None,
        "--provider",
        help="Instead of several configs: the first --config with its `models` replaced by each named one "
        "(model-free, local, local-qwen, api, or a YAML file with a `models:` section).",
    ),
    repeat: int = typer.Option(1, "--repeat", min=1, max=100, help="Run each scenario N times."),
    jobs: int = typer.Option(4, "--jobs", min=1, max=64, help="Scenarios run in parallel."),
    report_dir: Path | None = typer.Option(None, "--report-dir", help="Where compare.json/html go."),
    scenarios: list[Path] | None = typer.Option(
        None, "--scenarios", help="Scenario files/folders (default: the suite of the first --config)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Run the same scenarios on several configurations and show them side by side."""
    from ..config import TenantConfigError, get_settings, load_tenant_file
    from ..evals import SuiteError, compare_configs, load_suite
    from ..evals.loading import load_files

    ready_database_url()
    _quiet_turn_logs()
    try:
        loaded = [load_tenant_file(p) for p in configs]
    except TenantConfigError as exc:
        fail(str(exc), code=2)
    labels = [
        p.stem if [q.stem for q in configs].count(p.stem) == 1 else f"{i + 1}:{p.stem}" for i, p in enumerate(configs)
    ]
    variants = [t.config for t in loaded]
    if providers:
        from ..llm.presets import models_preset

        try:
            variants = [loaded[0].config.model_copy(update={"models": models_preset(name)}) for name in providers]
        except ValueError as exc:
            fail(str(exc), code=2)
        labels = list(providers)
    try:
        if scenarios:
            paths: list[Path] = []
            for p in scenarios:
                paths.extend(sorted({*p.glob("*.yaml"), *p.glob("*.yml")}) if p.is_dir() else [p])
            suite = load_files(paths)
        else:
            suite = load_suite(loaded[0])
        settings = get_settings()
        folder = report_dir or settings.home / "evals" / "reports" / tenant / "compare"
        result = compare_configs(
            settings,
            tenant,
            list(zip(labels, variants, strict=True)),
            suite,
            repeat=repeat,
            jobs=jobs,
            report_dir=folder,
        )
    except SuiteError as exc:
        fail(str(exc), code=2)
    except ValueError as exc:
        fail(str(exc), code=2)
    if json_out:
        print_json({"tenant": tenant, "variants": result.rows(), "reports": result.reports})
        return
    table = Table(
        "variant",
        "pass rate",
        "intent",
        "p50 ms",
        "p95 ms",
        "$ / 1,000 conversations",
        "PII leaks",
        "answer modes",
        "routes",
    )
    for r in result.rows():
        table.add_row(
            r["variant"],
            _pct(r["pass_rate"]),
            _pct(r["intent_accuracy"]),
            str(r["p50_ms"]),
            str(r["p95_ms"]),
            f"{r['cost_per_1000_conversations_usd']:.2f}",
            str(r["personal_data_leaks"]),
            str(r["answer_modes"]),
            str(r["routes"]),
        )
    console.print(table)
    for kind, path in result.reports.items():
        console.print(f"{kind}: {path}", highlight=False)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@tenant_app.command("promote")
def promote(
    slug: str = typer.Argument(..., help="Tenant slug."),
    version: int | None = typer.Option(None, "--version", help="Version to make live (default: the newest)."),
) -> None:
    """Make a version live — only with a passing eval run of exactly that version, on the current documents."""
    from ..db.tenants import TenantNotFoundError
    from ..evals import PromotionRefused, promote_version
    from ..evals.store import VersionNotFoundError

    with db_session() as session:
        try:
            result = promote_version(session, slug, version)
        except PromotionRefused as exc:
            fail(str(exc))
        except (TenantNotFoundError, VersionNotFoundError) as exc:
            fail(str(exc), code=2)
    console.print(f"הועלה לאוויר / live: {slug} version {result.version} (eval run {result.run_id})", highlight=False)
