"""``sochen demo``: the example tenants end to end on the embedded defaults (no services, no API keys).

What it runs today: migrate the embedded database, apply the two example tenants, ingest their
Hebrew documents, and answer Hebrew questions with cited passages from the knowledge base. It says
so plainly; no model is called, so nothing here is passed off as a model's answer.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.panel import Panel
from rich.table import Table

from ..config import TenantConfigError, get_settings, load_tenant_file
from .app import app, console, fail
from .context import db_session, ready_database_url

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tenants"

QUESTIONS = {
    "lawfirm": [
        "מה גובה דמי השכירות החודשיים בהסכם השכירות?",
        "לכמה זמן חלה חובת הסודיות בהסכם הסודיות?",
        "מה שכר הטרחה לפי הסכם ההתקשרות?",
    ],
    "clinic": [
        "מה המחיר של הלבנת שיניים?",
        "מה שעות הפעילות ביום שישי?",
        "כמה זמן מראש צריך לבטל תור?",
    ],
}


@app.command("demo")
def demo(
    examples: Path = typer.Option(EXAMPLES, help="Folder of example tenants (each with tenant.yaml and docs/)."),
    top_k: int = typer.Option(2, "--top-k", min=1, max=10, help="Passages shown per question."),
) -> None:
    """Set up the embedded stack, ingest the example tenants' documents and answer Hebrew questions."""
    from ..db.tenants import store_version
    from ..rag.ingest import ingest_paths
    from ..rag.retriever import Retriever

    settings = get_settings()
    console.print(
        Panel.fit(
            "סוכן — הדגמה על ברירות המחדל המשובצות\n"
            f"database: {ready_database_url()}\nvector index: Qdrant local mode, {settings.qdrant_path}\n"
            "mode: retrieval only — passages are quoted from the documents with their citations; no model is called",
            title="Sochen demo",
        ),
        highlight=False,
    )
    retriever = Retriever(settings)
    for slug in ("lawfirm", "clinic"):
        path = examples / slug / "tenant.yaml"
        try:
            loaded = load_tenant_file(path)
        except TenantConfigError as exc:
            fail(str(exc))
        cfg = loaded.config
        with db_session() as session:
            version = store_version(
                session,
                slug=cfg.slug,
                name=cfg.name,
                config=cfg.model_dump(mode="json"),
                digest=cfg.digest(),
                source_text=loaded.source_text,
                source_path=str(path),
            )
            version_no = version.version
        sources = [loaded.resolve(s) for s in cfg.knowledge.sources]
        report = ingest_paths(retriever, cfg.slug, sources, sync=True)
        console.print(
            f"\n[bold]{cfg.name}[/] ({cfg.slug}, version {version_no}): "
            f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
            f"{len(report.failed)} failed — {report.chunks} chunks in {report.seconds:.1f}s",
            highlight=False,
        )
        for failure in report.failed:
            console.print(f"  ✗ {failure.path}: {failure.message}", highlight=False, markup=False)
        for question in QUESTIONS.get(cfg.slug, []):
            hits = retriever.search(cfg.slug, question, top_k=top_k)
            table = Table(title=f"\u2067{question}\u2069", title_justify="right", show_lines=True)
            table.add_column("מקור", max_width=40)
            table.add_column("קטע מצוטט", max_width=90)
            for hit in hits:
                where = ", ".join(p for p in (hit.title, hit.section, f"עמ' {hit.page}" if hit.page else "") if p)
                snippet = " ".join(hit.text.split())
                table.add_row(where, "\u2067" + (snippet[:260] + ("…" if len(snippet) > 260 else "")) + "\u2069")
            console.print(table)
    console.print('\nnext: sochen search --tenant lawfirm "שאלה"  ·  sochen docs list --tenant clinic', highlight=False)
