"""``sochen privacy``: find and redact personal data from the command line.

    sochen privacy scan "טקסט"            a table of findings
    sochen privacy scan --json "טקסט"     a JSON list of findings
    sochen privacy scan --jsonl < file    one text per input line, one JSON list per output line
    sochen privacy redact "טקסט"          the text with typed placeholders

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
