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
}


WHATSAPP = [
    "שלום, כמה עולה ניקוי אבנית?",
    "אני רוצה לקבוע תור לניקוי אבנית, קוראים לי דנה כהן",
    "מחר ב-5",
]


@app.command("demo")
def demo(
    examples: Path = typer.Option(EXAMPLES, help="Folder of example tenants (each with tenant.yaml and docs/)."),
    top_k: int = typer.Option(2, "--top-k", min=1, max=10, help="Passages shown per question."),
    evals: bool = typer.Option(True, "--evals/--no-evals", help="Run the clinic's eval suite and its gate."),
) -> None:
    """The whole product on the embedded stack: documents, a WhatsApp lead into the CRM, and the eval gate."""
    from ..db.tenants import store_version
    from ..rag.ingest import ingest_paths
    from ..rag.retriever import Retriever
    from .demo_flow import CONTACT, DemoVendors, demo_tenant_yaml, play_whatsapp, with_environment

    settings = get_settings()
    retriever = Retriever(settings)
    vendors = DemoVendors()
    with_environment(vendors.environment())
    try:
        mode = _answer_mode()
        console.print(
            Panel.fit(
                "סוכן — הדגמה על ברירות המחדל המשובצות (בלי שרתים, בלי מפתחות)\n"
                f"database: {ready_database_url()} · vectors: Qdrant Edge (embedded) · worker: in-process\n"
                f"vendors: local fakes of Meta (WhatsApp), Zoho CRM and n8n on 127.0.0.1\nanswers: {mode}",
                title="Sochen demo",
            ),
            highlight=False,
        )
        # 1. The law firm: documents in, Hebrew questions answered with citations.
        lawfirm = _apply(examples / "lawfirm" / "tenant.yaml", None, store_version)
        report = ingest_paths(
            retriever, "lawfirm", [lawfirm.resolve(p) for p in lawfirm.config.knowledge.sources], sync=True
        )
        console.print(
            f"\n[bold]1. {lawfirm.config.name}[/] — {report.chunks or 'no new'} chunks indexed, "
            f"{len(report.failed)} files failed",
            highlight=False,
        )
        for question in QUESTIONS["lawfirm"]:
            _show_hits(question, retriever.search("lawfirm", question, top_k=top_k))
        # 2. The clinic: a WhatsApp conversation through the webhook, the agent, the outbox and the CRM.
        demo_yaml = settings.home / "demo" / "clinic.yaml"
        demo_yaml.parent.mkdir(parents=True, exist_ok=True)
        demo_yaml.write_text(demo_tenant_yaml(examples / "clinic" / "tenant.yaml", vendors), encoding="utf-8")
        clinic = _apply(demo_yaml, demo_yaml, store_version)
        ingest_paths(retriever, "clinic", [clinic.resolve(p) for p in clinic.config.knowledge.sources], sync=True)
        console.print(f"\n[bold]2. {clinic.config.name}[/] — WhatsApp from +{CONTACT}", highlight=False)
        for step in play_whatsapp(settings, vendors, WHATSAPP):
            console.print(f"  👤 \u2067{step['message']}\u2069   [dim](webhook {step['status']})[/]", highlight=False)
            for reply in step["replies"]:
                for line in reply.split("\n"):
                    console.print(f"  🤖 \u2067{line}\u2069", highlight=False, markup=False)
        _show_crm(vendors)
        # 3. The go-live gate on the clinic's own scenarios.
        if evals:
            _run_gate(settings, clinic)
    finally:
        vendors.stop()
    console.print(
        '\nnext: sochen chat --tenant clinic · sochen search --tenant lawfirm "שאלה" · sochen serve', highlight=False
    )
    _console_login()


DEMO_LOGIN = "owner@clinic.demo"


def _console_login() -> None:
    """An owner account of the clinic with a new generated password (printed once; never a fixed one)."""
    from ..console.users import create_or_reset

    with db_session() as session:
        user, password = create_or_reset(session, login=DEMO_LOGIN, name="בעלי המרפאה", role="owner", tenant="clinic")
    console.print(
        "\n[bold]4. המסוף | the web console[/]: sochen serve, ואז | then http://127.0.0.1:8000/console/\n"
        f"   login: {user.login}\n   password (מוצגת פעם אחת | shown once; sochen users reset-password "
        f"{user.login} for a new one): {password}",
        highlight=False,
        markup=True,
    )


def _apply(path: Path, source: Path | None, store_version):
    try:
        loaded = load_tenant_file(path)
    except TenantConfigError as exc:
        fail(str(exc))
    cfg = loaded.config
    with db_session() as session:
        store_version(
            session,
            slug=cfg.slug,
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text=loaded.source_text,
            source_path=str(source or path),
        )
    return loaded


def _answer_mode() -> str:
    """Say plainly whether a model will write the answers."""
    import os

    import requests

    try:
        requests.get("http://127.0.0.1:11434/api/version", timeout=0.5)
        return "generative — Ollama on 127.0.0.1:11434 (personal data stays local)"
    except requests.RequestException:
        pass
    if os.environ.get("OPENAI_API_KEY"):
        return "hybrid — the OpenAI API for complex questions without personal data; no local model is running"
    return (
        "model-free (no Ollama, no API key): rules understand the message and answers quote the documents "
        "with their citations — reported as extractive, never as a model's"
    )


def _show_hits(question: str, hits: list) -> None:
    table = Table(title=f"\u2067{question}\u2069", title_justify="right", show_lines=True)
    table.add_column("מקור", max_width=40)
    table.add_column("קטע מצוטט", max_width=90)
    for hit in hits:
        where = ", ".join(p for p in (hit.title, hit.section, f"עמ' {hit.page}" if hit.page else "") if p)
        snippet = " ".join(hit.text.split())
        table.add_row(where, "\u2067" + (snippet[:220] + ("…" if len(snippet) > 220 else "")) + "\u2069")
    console.print(table)


def _show_crm(vendors) -> None:
    leads = vendors.zoho.crm.records("Leads")
    tasks = vendors.zoho.crm.records("Tasks")
    console.print("\n  Zoho CRM (fake):", highlight=False)
    for lead in leads:
        console.print(
            f"    ליד: {lead.get('Last_Name')} · {lead.get('Phone')} · {lead.get('Description') or ''}",
            highlight=False,
            markup=False,
        )
    for task in tasks:
        console.print(f"    משימה: {task.get('Subject')} · עד {task.get('Due_Date')}", highlight=False, markup=False)
    console.print(f"  n8n (fake): {len(vendors.n8n.executions)} workflow run(s) of 'new-lead'", highlight=False)


def _run_gate(settings, clinic) -> None:
    from ..evals import print_summary, run_suite

    console.print("\n[bold]3. Go-live gate[/] — the clinic's scenarios on this configuration", highlight=False)
    run = run_suite(settings, "clinic", report_dir=settings.home / "evals" / "demo-clinic", judge=False, jobs=2)
    print_summary(run, console)
    verdict = "PASSED — the version may be promoted" if run.passed else "BLOCKED — not promoted"
    console.print(f"  gate: {verdict}", highlight=False)
    for problem in run.gate_failures:
        console.print(f"    ✗ {problem}", highlight=False, markup=False)
    console.print(f"  HTML report: {run.reports.get('html')}", highlight=False)
