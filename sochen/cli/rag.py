"""``sochen ingest``, ``sochen search`` and ``sochen docs``: the knowledge base from the terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..config import get_settings

if TYPE_CHECKING:
    from ..rag.retriever import Retriever, TenantContext
from .app import app, console, err_console, fail, print_json
from .context import db_session, ready_database_url

docs_app = typer.Typer(help="Documents of a tenant's knowledge base.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")


def _retriever() -> Retriever:
    from ..rag.retriever import Retriever

    ready_database_url()
    return Retriever(get_settings())


def _tenant_or_fail(retriever: Retriever, slug: str) -> TenantContext:
    from ..db.tenants import TenantNotFoundError

    try:
        return retriever.tenant(slug)
    except TenantNotFoundError as exc:
        fail(str(exc))


@app.command("ingest")
def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders. Default: the tenant's knowledge.sources."),
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
    tag: list[str] = typer.Option(None, "--tag", help="Access tag for these documents (repeatable), e.g. client:1234."),
    sync: bool = typer.Option(False, "--sync", help="Also delete documents whose files are gone from these folders."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    rebuild: bool = typer.Option(
        False,
        "--rebuild",
        help="Re-embed every chunk of the tenant into a fresh collection with the current settings "
        "(e.g. sentence vectors) and switch to it; search keeps working meanwhile. Takes no paths.",
    ),
) -> None:
    """Ingest documents (PDF, DOCX, HTML, Markdown, text) into a tenant's knowledge base."""
    from ..rag.ingest import discover, ingest_paths

    retriever = _retriever()
    ctx = _tenant_or_fail(retriever, tenant)
    if rebuild:
        if paths or tag or sync:
            fail("--rebuild re-embeds the chunks already ingested: give no paths, --tag or --sync with it")
        _rebuild(retriever, ctx, json_out)
        return
    if not paths:
        paths = _configured_sources(tenant)
        if not paths:
            fail(f"no paths given and tenant '{tenant}' has no knowledge.sources")
    files, _ = discover(paths)
    with Progress(
        TextColumn("[bold]קליטה / ingest[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[chunks]} chunks · {task.fields[rate]} files/s"),
        TimeElapsedColumn(),
        console=err_console,
        disable=json_out or not err_console.is_terminal,
    ) as progress:
        task = progress.add_task("ingest", total=len(files), chunks=0, rate="—")

        def on_progress(event: str, amount: int) -> None:
            progress.advance(task, amount)
            elapsed = progress.tasks[0].elapsed or 1e-9
            progress.update(task, rate=f"{progress.tasks[0].completed / elapsed:.1f}")

        report = ingest_paths(retriever, ctx.slug, paths, tags=tag or (), sync=sync, progress=on_progress)
    if json_out:
        print_json(report.as_dict())
    else:
        console.print(
            f"נוספו {len(report.added)} · עודכנו {len(report.updated)} · ללא שינוי {len(report.unchanged)} · "
            f"נמחקו {len(report.deleted)} · נכשלו {len(report.failed)} — "
            f"{report.chunks} chunks in {report.seconds:.1f}s",
            highlight=False,
        )
        for failure in report.failed:
            console.print(f"  ✗ {failure.path}: [{failure.reason}] {failure.message}", highlight=False, markup=False)
    if report.failed and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(1)


def _rebuild(retriever: Retriever, ctx: TenantContext, json_out: bool) -> None:
    from ..rag.rebuild import RebuildConflictError, rebuild

    try:
        report = rebuild(retriever, ctx)
    except RebuildConflictError as exc:
        fail(str(exc))
    if json_out:
        print_json(report.as_dict())
        return
    layout = "וקטורי משפטים / sentence vectors" if report.sentence_vectors else "וקטור לקטע / chunk vectors"
    console.print(
        f"נבנה מחדש / rebuilt: {report.chunks} chunks · {layout} · "
        f"generation {report.generation_before} → {report.generation} · {report.seconds:.1f}s",
        highlight=False,
        soft_wrap=True,
    )


def _configured_sources(slug: str) -> list[Path]:
    from ..db.tenants import latest_version

    with db_session() as session:
        version = latest_version(session, slug)
        sources = version.config.get("knowledge", {}).get("sources", [])
        base = Path(version.source_path).parent if version.source_path else Path.cwd()
    return [p if p.is_absolute() else (base / p).resolve() for p in map(Path, sources)]


@app.command("search")
def search(
    query: str = typer.Argument(None, help="The question (Hebrew welcome). Omit with --jsonl."),
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
    top_k: int = typer.Option(5, "--top-k", "-k", min=1, max=100, help="How many results."),
    tag: list[str] = typer.Option(None, "--tag", help="Only documents carrying one of these tags."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON list, best first."),
    jsonl: bool = typer.Option(False, "--jsonl", help="Read one query per line from stdin; write one JSON line each."),
    around: int = typer.Option(
        0,
        "--around",
        min=0,
        max=5,
        help="Show each hit with the N chunks either side of it in its document and section (each cited).",
    ),
) -> None:
    """Search a tenant's knowledge base."""
    retriever = _retriever()
    ctx = _tenant_or_fail(retriever, tenant)

    def as_dicts(hits: list[Any]) -> list[dict[str, Any]]:
        if not around:
            return [h.as_dict() for h in hits]
        return [{**h.as_dict(), "passage": retriever.passage(ctx, h, around=around).as_dict()} for h in hits]

    if jsonl:
        for line in sys.stdin:
            text = line.rstrip("\n")
            hits = retriever.search(ctx.slug, text, top_k=top_k, tags=tag or None) if text.strip() else []
            sys.stdout.write(json.dumps(as_dicts(hits), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return
    if not query or not query.strip():
        fail("give a question, or --jsonl to read questions from standard input")
    hits = retriever.search(ctx.slug, query, top_k=top_k, tags=tag or None)
    if json_out:
        print_json(as_dicts(hits))
        return
    if not hits:
        console.print("לא נמצאו תוצאות.")
        return
    table = Table("#", "ציון", "מסמך", "סעיף", "עמ'", "קטע", show_lines=True)
    for i, h in enumerate(hits, start=1):
        snippet = " ".join((retriever.passage(ctx, h, around=around).text if around else h.text).split())
        limit = 220 * (1 + 2 * around)
        snippet = snippet[:limit] + ("…" if len(snippet) > limit else "")
        table.add_row(str(i), f"{h.score:.4f}", h.title, h.section or "—", str(h.page or "—"), _rtl(snippet))
    console.print(table)


def _rtl(text: str) -> str:
    """Wrap Hebrew in a right-to-left isolate so terminals that honour bidi render it in order."""
    from ..text import has_hebrew

    return f"\u2067{text}\u2069" if has_hebrew(text) else text


@docs_app.command("list")
def docs_list(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List a tenant's documents."""
    from sqlalchemy import select

    from ..db.models import Document
    from ..db.tenants import TenantNotFoundError, get_tenant

    with db_session() as session:
        try:
            t = get_tenant(session, tenant)
        except TenantNotFoundError as exc:
            fail(str(exc))
        rows: list[dict[str, Any]] = [
            {
                "document_id": d.id,
                "title": d.title,
                "source": d.source,
                "mime": d.mime,
                "pages": d.pages,
                "chunks": d.chunk_count,
                "tags": d.tags,
                "updated_at": d.updated_at.isoformat(),
            }
            for d in session.scalars(select(Document).where(Document.tenant_id == t.id).order_by(Document.source))
        ]
    if json_out:
        print_json(rows)
        return
    table = Table("כותרת", "קובץ", "עמודים", "chunks", "tags")
    for r in rows:
        table.add_row(
            r["title"], Path(r["source"]).name, str(r["pages"] or "—"), str(r["chunks"]), ", ".join(r["tags"])
        )
    console.print(table)


@docs_app.command("delete")
def docs_delete(
    selectors: list[str] = typer.Argument(..., help="Document ids or source paths."),
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
) -> None:
    """Delete documents and their chunks."""
    from ..rag.ingest import delete_documents

    retriever = _retriever()
    ctx = _tenant_or_fail(retriever, tenant)
    deleted = delete_documents(retriever, ctx.slug, selectors)
    if not deleted:
        fail("no matching documents")
    for source in deleted:
        console.print(f"נמחק: {source}", highlight=False)
