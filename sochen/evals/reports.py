"""Reports of a run: JSON, JUnit XML (one testcase per scenario run), HTML (:mod:`.html`) and a terminal table."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from .runner import SuiteRun

__all__ = ["junit_xml", "print_summary", "write_reports"]


def write_reports(run: SuiteRun, folder: Path) -> dict[str, str]:
    """Write ``run.json``, ``junit.xml`` and ``report.html`` into ``folder``; their paths by format."""
    from .html import render_html

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "run.json", "junit": folder / "junit.xml", "html": folder / "report.html"}
    reports = {k: str(v.resolve()) for k, v in paths.items()}
    run.reports = reports
    paths["json"].write_text(json.dumps(run.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    paths["junit"].write_bytes(junit_xml(run))
    paths["html"].write_text(render_html(run), encoding="utf-8")
    return reports


def junit_xml(run: SuiteRun) -> bytes:
    """JUnit XML: a testsuite per run, a testcase per scenario and repetition, failures with their messages."""
    results = run.results
    failures = sum(1 for r in results if r.error is None and not r.passed)
    errors = sum(1 for r in results if r.error is not None)
    seconds = sum(r.latency_ms for r in results) / 1000
    root = ET.Element(
        "testsuites",
        name="sochen evals",
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        time=f"{seconds:.3f}",
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        name=f"{run.tenant} v{run.version}",
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{seconds:.3f}",
        timestamp=run.started_at[:19],
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("tenant", run.tenant),
        ("version", run.version),
        ("digest", run.digest),
        ("kb_revision", run.kb_revision),
        ("suite_digest", run.suite_digest),
        ("gate", "passed" if run.passed else "failed"),
        ("answer_modes", json.dumps(run.metrics.get("answer_modes", {}))),
    ):
        ET.SubElement(props, "property", name=key, value=str(value))
    for gate_failure in run.gate_failures:
        ET.SubElement(props, "property", name="gate_failure", value=gate_failure)
    for r in results:
        name = r.scenario_id if run.repeat == 1 else f"{r.scenario_id} #{r.repetition}"
        case = ET.SubElement(
            suite, "testcase", classname=f"{run.tenant}.{r.category}", name=name, time=f"{r.latency_ms / 1000:.3f}"
        )
        if r.error is not None:
            error = ET.SubElement(case, "error", message=r.error[:500], type="ScenarioError")
            error.text = r.error
        elif r.failures:
            failure = ET.SubElement(case, "failure", message=r.failures[0].message[:500], type=r.failures[0].kind)
            failure.text = "\n".join(c.message for c in r.failures)
        lines = [f"{r.title}"]
        for turn in r.turns:
            lines.append(f"[{turn.n or 'history'}] user: {turn.user}")
            lines.append(f"    agent ({turn.reply_mode}, route {turn.route_name}): {turn.reply or '—'}")
        for skipped in r.skipped:
            lines.append(f"skipped: {skipped.message}")
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.0%}"


def _jobs_ran(m: dict[str, Any]) -> str:
    """How many planned jobs ran: P/R count planned jobs, which says nothing about running them."""
    planned = m.get("jobs_planned")
    if not planned:
        return ""
    text = f" (planned; ran in the sandbox {m.get('jobs_ran', 0)}/{planned}"
    not_run = m.get("jobs_not_run") or {}
    if not_run:
        text += ", not run: " + ", ".join(f"{n} {why}" for why, n in not_run.items())
    return text + ")"


def _print_failures(run: SuiteRun, console: Console) -> None:
    """Every failed check in full, one per line (soft-wrapped, never cut to the terminal's width)."""
    lines = []
    for r in run.results:
        name = r.scenario_id if run.repeat == 1 else f"{r.scenario_id} #{r.repetition}"
        if r.error:
            lines.append(f"{name}: {' '.join(r.error.split())}")
        lines.extend(f"{name}: {' '.join(c.message.split())}" for c in r.failures)
    if lines:
        console.print(f"failures ({len(lines)}):", highlight=False)
        for line in lines:
            console.print(f"  ✗ {line}", highlight=False, markup=False, soft_wrap=True)


def print_summary(run: SuiteRun, console: Console) -> None:
    """The terminal view: one row per scenario, every failure in full, then metrics and the gate's verdict."""
    from rich.table import Table

    per = run.metrics.get("per_scenario", {})
    table = Table(title=f"{run.tenant} — version {run.version}", title_justify="left")
    for column in ("scenario", "category", "result", "turns", "ms"):
        table.add_column(column, overflow="fold", no_wrap=column != "scenario")
    shown: set[str] = set()
    for r in run.results:
        if r.scenario_id in shown:
            continue
        shown.add(r.scenario_id)
        entry = per.get(r.scenario_id, {})
        runs = [x for x in run.results if x.scenario_id == r.scenario_id]
        ok = all(x.passed for x in runs)
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        rate = f" {entry.get('passed', 0)}/{entry.get('runs', 0)}" if run.repeat > 1 else ""
        table.add_row(
            r.scenario_id,
            r.category,
            mark + rate,
            str(len(r.scored_turns)),
            f"{sum(x.latency_ms for x in runs) / len(runs):.0f}",
        )
    console.print(table)
    _print_failures(run, console)
    m = run.metrics
    lat = m.get("latency_ms", {})
    console.print(
        f"pass rate {_pct(m.get('pass_rate'))} ({m.get('passed')}/{m.get('runs')})"
        f" · intent {_pct(m.get('intent_accuracy'))}"
        f" · slots P/R {_pct(m.get('slot_precision'))}/{_pct(m.get('slot_recall'))}"
        f" · jobs P/R {_pct(m.get('job_precision'))}/{_pct(m.get('job_recall'))}{_jobs_ran(m)}"
        f" · handoff {_pct(m.get('handoff_rate'))} · grounded {_pct(m.get('grounded_answer_rate'))}",
        highlight=False,
    )
    console.print(
        f"latency p50 {lat.get('p50')} ms, p95 {lat.get('p95')} ms · tokens/conversation "
        f"{m.get('tokens_per_conversation')} · cost/conversation ${m.get('cost_per_conversation_usd')}"
        f" · personal-data leaks to API {m.get('personal_data_leaks')}",
        highlight=False,
    )
    console.print(f"answer modes {m.get('answer_modes')} — {run.info.get('answer_mode_note', '')}", highlight=False)
    if run.info.get("provider_problems"):
        console.print(f"[yellow]providers not available:[/] {run.info['provider_problems']}", highlight=False)
    if m.get("judge", {}).get("skip"):
        console.print(
            f"[yellow]judge checks skipped: {m['judge']['skip']}[/] ({run.info.get('judge')})", highlight=False
        )
    if run.passed:
        console.print("[bold green]gate: passed / עבר[/]")
    else:
        console.print("[bold red]gate: failed / נכשל[/]")
        for failure in run.gate_failures:
            console.print(f"  - {failure}", highlight=False)
    for kind, path in run.reports.items():
        console.print(f"{kind}: {path}", highlight=False)
