"""``sochen privacy``: find and redact personal data; a person's rights (find, export, erase); the access log.

    sochen privacy scan "טקסט"            a table of findings
    sochen privacy scan --json "טקסט"     a JSON list of findings
    sochen privacy scan --jsonl < file    one text per input line, one JSON list per output line
    sochen privacy redact "טקסט"          the text with typed placeholders
    sochen privacy find   --tenant T --contact +972501234567     where the person's data is (counts)
    sochen privacy export --tenant T --contact ... --out DIR     export.json + report.he.md
    sochen privacy erase  --tenant T --contact ... [--yes]       erase everywhere, print the receipt
    sochen privacy correct --tenant T --contact ... --field phone --old ... --new ... [--refuse REASON]
    sochen privacy audit  --tenant T [--export FILE]             verify the access-log hash chain

Findings carry type, start, end, score and evidence; the table masks the matched text.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from .app import app, console, fail, print_json

__all__ = ["privacy_app"]

privacy_app = typer.Typer(
    help='Privacy guard: find personal data (ת"ז, phones, IBAN, health…) and redact it.',
    no_args_is_help=True,
)
app.add_typer(privacy_app, name="privacy")

CONTACT_HELP = "Phone (+9725…, 050-…), web chat visitor id (wc_…), Israeli ID number or e-mail."


def _finding_dicts(text: str) -> list[dict[str, Any]]:
    from sochen.privacy import scan

    return [
        {"type": f.type, "start": f.start, "end": f.end, "score": f.score, "evidence": f.evidence} for f in scan(text)
    ]


def _mask(value: str) -> str:
    if len(value) <= 4:
        return "•" * len(value)
    return value[:2] + "•" * (len(value) - 4) + value[-2:]


@privacy_app.command("scan")
def scan_command(
    text: str | None = typer.Argument(None, help="Text to scan (omit with --jsonl)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of findings."),
    jsonl: bool = typer.Option(False, "--jsonl", help="Read one text per line from stdin; write one JSON line each."),
) -> None:
    """Find personal data in TEXT."""
    if jsonl:
        if text is not None:
            fail("--jsonl reads texts from standard input; do not pass TEXT as well")
        for line in sys.stdin:
            line = line.rstrip("\n").rstrip("\r")
            sys.stdout.write(json.dumps(_finding_dicts(line), ensure_ascii=False) + "\n")
        return
    if text is None:
        fail("give TEXT to scan, or --jsonl to read texts from standard input")
    findings = _finding_dicts(text)
    if as_json:
        print_json(findings)
        return
    if not findings:
        console.print("לא נמצא מידע אישי / no personal data found")
        return
    from rich.table import Table

    table = Table("type", "start", "end", "score", "evidence", "text (masked)")
    for f in findings:
        masked = _mask(text[f["start"] : f["end"]])
        table.add_row(f["type"], str(f["start"]), str(f["end"]), f"{f['score']:.2f}", f["evidence"], masked)
    console.print(table)


@privacy_app.command("redact")
def redact_command(
    text: str = typer.Argument(..., help="Text to redact."),
    as_json: bool = typer.Option(False, "--json", help="Print the redacted text and the findings as JSON."),
) -> None:
    """Print TEXT with personal data replaced by typed Hebrew placeholders."""
    from sochen.privacy import redact

    result = redact(text)
    if as_json:
        findings = [
            {"type": f.type, "start": f.start, "end": f.end, "score": f.score, "evidence": f.evidence}
            for f in result.findings
        ]
        print_json({"text": result.text, "findings": findings})
        return
    sys.stdout.write(result.text + "\n")


# ----------------------------------------------------------------------------- a person's rights


def _subject(tenant: str, contact: str) -> Any:
    from sochen.workflows.privacy_rights import ContactError, parse_contact

    try:
        return parse_contact(tenant, contact)
    except ContactError as exc:
        fail(str(exc))


def _settings_ready() -> Any:
    from sochen.config import get_settings

    from .context import ready_database_url

    ready_database_url()
    return get_settings()


@privacy_app.command("find")
def find_command(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug."),
    contact: str = typer.Option(..., "--contact", help=CONTACT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Where the tenant holds data about one person: counts per store (no values are printed)."""
    from sochen.workflows.privacy_log import Actor, record_access
    from sochen.workflows.privacy_rights import find, subject_ref

    settings = _settings_ready()
    subject = _subject(tenant, contact)
    try:
        found = find(settings, subject)
    except LookupError as exc:
        fail(str(exc))
    summary = found.summary()
    record_access(
        settings.database_url, tenant, Actor.cli(), "find", "person", subject_ref(found.tenant_id, subject), summary
    )
    if as_json:
        print_json({"tenant": tenant, "identifier_kind": subject.kind, "stores": summary})
        return
    from rich.table import Table

    table = Table("מאגר / store", "רשומות / records")
    for key, count in summary.items():
        table.add_row(key, str(count))
    console.print(table)


@privacy_app.command("export")
def export_command(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug."),
    contact: str = typer.Option(..., "--contact", help=CONTACT_HELP),
    out: str = typer.Option(..., "--out", help="Folder to write export.json and report.he.md into."),
) -> None:
    """Everything held about one person: a JSON file and a readable Hebrew report."""
    from pathlib import Path

    from sochen.workflows.privacy_log import Actor
    from sochen.workflows.privacy_rights import export, export_report_he

    settings = _settings_ready()
    subject = _subject(tenant, contact)
    try:
        data = export(settings, subject, actor=Actor.cli())
    except LookupError as exc:
        fail(str(exc))
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "export.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "report.he.md").write_text(export_report_he(data), encoding="utf-8")
    console.print(f"נכתבו / written: {folder / 'export.json'}, {folder / 'report.he.md'}")


@privacy_app.command("erase")
def erase_command(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug."),
    contact: str = typer.Option(..., "--contact", help=CONTACT_HELP),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    receipt: str | None = typer.Option(None, "--receipt", help="Write the receipt (JSON) to this file."),
) -> None:
    """Erase one person from every store (resumable: run it again after a crash). Prints the receipt."""
    from pathlib import Path

    from sochen.workflows.privacy_log import Actor
    from sochen.workflows.privacy_rights import erase

    settings = _settings_ready()
    subject = _subject(tenant, contact)
    if not yes and not typer.confirm(f"למחוק את כל המידע על האדם אצל '{tenant}'? / erase this person's data?"):
        fail("בוטל / cancelled")
    try:
        result = erase(settings, subject, actor=Actor.cli())
    except LookupError as exc:
        fail(str(exc))
    if receipt:
        Path(receipt).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print_json(result)


@privacy_app.command("correct")
def correct_command(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug."),
    contact: str = typer.Option(..., "--contact", help=CONTACT_HELP),
    field: str = typer.Option(..., "--field", help="phone, email, id_number, name or fact (free text)."),
    old: str = typer.Option(..., "--old", help="The wrong value."),
    new: str = typer.Option(..., "--new", help="The correct value."),
    refuse: str | None = typer.Option(None, "--refuse", help="Refuse the request, with this reason (s. 14(c))."),
    receipt: str | None = typer.Option(None, "--receipt", help="Write the receipt (JSON) to this file."),
) -> None:
    """Correct one detail of a person in every store (s. 14; resumable, idempotent). Prints the receipt."""
    from pathlib import Path

    from sochen.workflows.privacy_correct import correct
    from sochen.workflows.privacy_log import Actor
    from sochen.workflows.privacy_rights import ContactError

    settings = _settings_ready()
    subject = _subject(tenant, contact)
    try:
        result = correct(settings, subject, field, old, new, actor=Actor.cli(), refuse=refuse)
    except (ContactError, LookupError) as exc:
        fail(str(exc))
    if receipt:
        Path(receipt).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print_json(result)


@privacy_app.command("audit")
def audit_command(
    tenant: str = typer.Option(..., "--tenant", help="Tenant slug."),
    export_to: str | None = typer.Option(None, "--export", help="Also write every entry (JSON) to this file."),
) -> None:
    """Verify the tenant's access-log hash chain; exit 1 when an entry was changed, removed or reordered."""
    from pathlib import Path

    from sochen.workflows.privacy_log import export_log, verify_chain

    settings = _settings_ready()
    report = verify_chain(settings.database_url, tenant)
    if export_to:
        Path(export_to).write_text(
            json.dumps(export_log(settings.database_url, tenant), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    if report.ok:
        console.print(f"יומן הגישה תקין / access log intact: {report.entries} entries, head {report.head[:16]}")
        return
    fail(f"יומן הגישה שונה / access log broken at entry {report.broken_at}: {report.problem}")


@privacy_app.command("purge")
def purge_command(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant (default: every tenant)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Remove personal data whose retention period (tenant YAML `privacy:`) has passed; report what went."""
    from sochen.tenancy import TenantNotFoundError, resolver_for
    from sochen.workflows.privacy_log import Actor
    from sochen.workflows.privacy_retention import purge_all, purge_tenant

    settings = _settings_ready()
    if tenant is None:
        removed = purge_all(settings)
    else:
        try:
            config = resolver_for(settings).live(tenant).config
        except (TenantNotFoundError, LookupError) as exc:
            fail(str(exc))
        removed = {tenant: purge_tenant(settings, tenant, config.privacy, actor=Actor.cli()).removed}
    if as_json:
        print_json(removed)
        return
    for slug, counts in removed.items():
        line = ", ".join(f"{k}: {v}" for k, v in counts.items()) or "אין מה להסיר / nothing expired"
        console.print(f"{slug}: {line}")


@privacy_app.command("new-key")
def new_key_command(key_id: str = typer.Option("k1", "--id", help="A name for the key (kept next to it).")) -> None:
    """Print a new data key as ``id:key`` for SOCHEN_DATA_KEYS (put new keys first; keep old ones until `encrypt`)."""
    from cryptography.fernet import Fernet

    sys.stdout.write(f"{key_id}:{Fernet.generate_key().decode()}\n")


@privacy_app.command("encrypt")
def encrypt_command(
    batch: int = typer.Option(500, "--batch", min=1, max=10_000, help="Rows per transaction."),
) -> None:
    """Encrypt every plain value and checkpoint, re-encrypt what is under older keys, re-hash lookups (resumable)."""
    from sochen.agents.checkpoints import reencrypt_checkpoints
    from sochen.db.crypto import MissingKeyError, current_key_id, reencrypt_all, rehash_lookups

    settings = _settings_ready()
    rehashed = rehash_lookups(settings.database_url, batch=batch)
    try:
        counts = reencrypt_all(settings.database_url, batch=batch)
        checkpoints = reencrypt_checkpoints(settings, batch=batch)
    except MissingKeyError as exc:
        fail(str(exc))
    print_json({"key": current_key_id(), "rewritten": counts, "checkpoints": checkpoints, "rehashed": rehashed})
