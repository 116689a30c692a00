"""The blind archive's question set through `sochen ask --json`, scored per kind of question.

Runs every question of ``examples/blind/archive/questions.yaml`` (or ``--questions``) through the real
``sochen ask --tenant T --json`` command, in-process (Typer's CLI runner on ``sochen.cli.app``, so the
embedder and stores stay loaded between questions and the latency is ask's own, not a process start),
parses the JSON it prints, and scores it:

- lookup: right when the ``answer`` regex matches the answer text AND a citation's clause is the gold clause
  (the clause number of the citation's section path, e.g. "4. זמינות ותמיכה › 4.3" → 4.3, or the number
  the quoted passage starts with);
- two_clause: the regex matches AND every gold clause is cited;
  (a lookup of a table row, ``table_row: true`` with ``clauses: []``, asks only for the gold document: a row
  has no clause number);
- comparison: both documents cited AND both sides' facts present (each side's regex matches);
  ``both_cited_with_clause`` also asks for each side's clause;
- computation: the result present AND every fact clause cited;
- unanswerable: refused — the answer says the archive does not say it, with no citation and no number from
  outside the question; the holding reply ("a person will get back to you", status degraded) states no
  answer but is not a refusal: it is counted apart (``no_answer_stated``, ``holding_reply``);
- invented facts, over every answer: a number in the answer that is neither in the question nor in the
  text, title, section or page of any cited passage (the answer's "(מקור: …, עמ' 2)" labels name pages),
  nor such a number as a factor (17% → 1.17), nor the calendar's 12 months a year, nor one
  arithmetic step (+ − × ÷, a percentage) from two such numbers or from a number the answer derived so
  before it (a calculation shown step by step: 5 × ₪1,200 = ₪6,000; ₪6,000 × 1.18 = ₪7,080), nor the
  date of a date step the calendar confirms from a source date and period (01/09/2026 + 90 יום = 30/11/2026).

The tenant must already be applied and ingested in ``SOCHEN_HOME``::

    SOCHEN_HOME=$PWD/.sochen-blind sochen tenant apply examples/blind/archive/tenant.yaml
    SOCHEN_HOME=$PWD/.sochen-blind sochen ingest --tenant archive
    SOCHEN_HOME=$PWD/.sochen-blind python bench/archive_ask.py --tenant archive --label first-run

Prints a table and writes ``bench/results/archive_ask_<label>.json``. The question set is blind
material: it measures, it is never tuned on (see examples/blind/README.md).
"""

from __future__ import annotations

import argparse
import calendar
import itertools
import json
import re
import statistics
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("lookup", "two_clause", "comparison", "computation", "unanswerable")
NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|(?<![\w.,])\d+(?:\.\d+)?(?![\d])")
CLAUSE = re.compile(r"^\(?(\d{1,2}(?:\.\d{1,2})*)\.?(?=\s|$|\))")
REFUSAL = re.compile(
    r"לא מצאתי|אין (?:לי |בידי )?(?:תשובה|מידע)|המסמכים (?:אינם|לא) |לא מופיע|אינו מופיע|אין במסמכים|לא נמצא"
    r"|(?i:not (?:found|covered|mentioned|stated)|does not (?:say|mention|specify)|no (?:clause|information)"
    r"|could not find)"
)
CALENDAR_MONTHS = 12.0
HOLDING = re.compile(r"נציג יחזור|יחזור אליך")


def numbers(text: str) -> list[float]:
    """The numbers written in `text` (thousands commas allowed), citation markers like [1] left out."""
    text = re.sub(r"\[\d+\]", " ", text)
    out = []
    for m in NUMBER.finditer(text):
        try:
            out.append(float(m.group(0).replace(",", "")))
        except ValueError:
            continue
    return out


DATE_STEP = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*\+\s*(\d{1,4})\s*(יום|ימים|days?|חודשים|חודש|months?)"
    r"\s*=\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})"
)


def date_step(m: re.Match[str]) -> tuple[tuple[float, float, float], float, str, tuple[float, float, float] | None]:
    """(the given date's day, month, year), the period, its unit, and the resulting date of a shown date step."""
    d, mo, y, n, unit, rd, rmo, ry = m.groups()
    return (float(d), float(mo), float(y)), float(n), unit, (float(rd), float(rmo), float(ry))


def added(given: tuple[float, float, float], period: float, unit: str) -> tuple[float, float, float] | None:
    """The calendar date `period` days or months after `given` (day, month, year), or None if not a date.

    (Its own calendar arithmetic, not the answerer's `derive.date_after`: the scorer must not share the code it scores.)
    """
    try:
        start = date(int(given[2]), int(given[1]), int(given[0]))
    except ValueError:
        return None
    if unit.startswith(("יום", "ימים", "day")):
        end = start + timedelta(days=int(period))
    else:
        months = start.month - 1 + int(period)
        year, month = start.year + months // 12, months % 12 + 1
        end = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return float(end.day), float(end.month), float(end.year)


def derivable(value: float, sources: set[float]) -> bool:
    """Whether `value` is a source number (or a percentage of one as a factor: 17 → 0.17, 1.17, 0.83)
    or one arithmetic step from two of them."""

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= max(0.01, abs(b) * 1e-6)

    if any(close(value, c) for s in sources for c in (s, s / 100, 1 + s / 100, 1 - s / 100)):
        return True
    pool = sorted(sources)[:80]
    for a, b in itertools.product(pool, repeat=2):
        candidates = [a + b, a - b, a * b, a * b / 100, a * (1 + b / 100), a * (1 - b / 100)]
        if b:
            candidates += [a / b, a / b * 100]
        if any(close(value, c) for c in candidates):
            return True
    return False


def citation_clauses(citation: dict[str, Any]) -> set[str]:
    """Clause numbers a citation points at: the last segment of its section path, and the passage's first number."""
    found: set[str] = set()
    section = str(citation.get("section") or "")
    if section:
        last = re.split(r"\s*[›>/]\s*", section)[-1].strip()
        if m := CLAUSE.match(last):
            found.add(m.group(1))
    quote = str(citation.get("quote") or citation.get("text") or "").strip()
    if m := CLAUSE.match(quote):
        found.add(m.group(1))
    return found


def cited(citations: list[dict[str, Any]], document: str, clause: str | None = None) -> bool:
    """Whether a citation names `document` (a title substring) and, if given, exactly `clause`."""
    for c in citations:
        if document in str(c.get("title") or "") and (clause is None or clause in citation_clauses(c)):
            return True
    return False


def score(q: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Score one question against ask's JSON."""
    answer = str(data.get("answer") or "")
    citations = list(data.get("citations") or [])
    kind = q["kind"]
    out: dict[str, Any] = {"id": q["id"], "kind": kind}

    # Invented numbers: not in the question, not in any cited passage, not one step from them.
    source_text = (
        q["question"]
        + " "
        + " ".join(
            " ".join(str(c.get(k) or "") for k in ("title", "section", "page", "quote", "text")) for c in citations
        )
    )
    # The calendar's 12 months a year is the one constant a calculation may use that no clause states
    # (sochen.agents.answering.compute.MONTHS_A_YEAR: a year of a monthly rent, shown as "× 12 חודשים").
    sources = set(numbers(source_text)) | {CALENDAR_MONTHS}
    # A date step shown as such ('01/09/2026 + 90 יום = 30/11/2026'): the date it gives is derived, when the
    # calendar agrees and the date and the period it starts from are sources.
    for step in DATE_STEP.finditer(answer):
        given, period, unit, result = date_step(step)
        if result is not None and {*given, period} <= sources and added(given, period, unit) == result:
            sources |= set(result)
    # A calculation shown step by step: each figure it derives is a source for its next step.
    invented = []
    for n in numbers(answer):
        if derivable(n, sources):
            sources.add(n)
        else:
            invented.append(n)
    out["invented_numbers"] = invented

    docs = q.get("documents") or []
    if kind in ("lookup", "two_clause"):
        matches = bool(re.search(q["answer"], answer))
        clauses_cited = [any(cited(citations, d, cl) for d in docs) for cl in q["clauses"]]
        out["answer_matches"] = matches
        out["gold_document_cited"] = any(cited(citations, d) for d in docs)
        if q.get("table_row") and not q["clauses"]:
            # A table row has no clause number: the document is all a citation can name.
            clauses_cited = [out["gold_document_cited"]]
        out["gold_clause_cited"] = any(clauses_cited)
        out["all_clauses_cited"] = all(clauses_cited)
        out["right"] = matches and (out["gold_clause_cited"] if kind == "lookup" else out["all_clauses_cited"])
    elif kind == "comparison":
        sides = q["sides"]
        out["documents_cited"] = [cited(citations, s["document"]) for s in sides]
        out["clauses_cited"] = [cited(citations, s["document"], s["clause"]) for s in sides]
        out["facts_present"] = [bool(re.search(s["answer"], answer)) for s in sides]
        out["both_cited_with_clause"] = all(out["clauses_cited"])
        out["right"] = all(out["documents_cited"]) and all(out["facts_present"])
    elif kind == "computation":
        out["result_present"] = bool(re.search(q["answer"], answer))
        out["facts_cited"] = [any(cited(citations, d, f) for d in docs) for f in q["facts"]]
        out["right"] = out["result_present"] and all(out["facts_cited"])
    elif kind == "unanswerable":
        stated = bool(citations) or bool(invented) or any(n not in set(numbers(q["question"])) for n in numbers(answer))
        out["no_answer_stated"] = not stated
        out["refusal_words"] = bool(REFUSAL.search(answer))
        out["holding_reply"] = bool(HOLDING.search(answer))
        out["right"] = not stated and out["refusal_words"]
    else:
        raise SystemExit(f"question {q['id']}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    out["status"] = data.get("status")
    out["handoff"] = data.get("handoff")
    out["citations"] = [
        {"title": c.get("title"), "section": c.get("section"), "clauses": sorted(citation_clauses(c))}
        for c in citations
    ]
    out["answer"] = answer
    return out


class InProcessAsk:
    """`sochen ask --json` through Typer's CLI runner, in this process."""

    def __init__(self, tenant: str, top_k: int) -> None:
        from typer.testing import CliRunner

        from sochen.cli.app import app

        self.app, self.runner, self.tenant, self.top_k = app, CliRunner(), tenant, top_k

    def __call__(self, question: str) -> dict[str, Any]:
        args = ["ask", "--tenant", self.tenant, "--top-k", str(self.top_k), "--json", question]
        result = self.runner.invoke(self.app, args, catch_exceptions=False)
        if result.exit_code != 0:
            raise SystemExit(f"sochen ask exited {result.exit_code}: {result.output[-2000:]}")
        return parse_json(result.stdout)


def subprocess_ask(tenant: str, top_k: int, question: str) -> dict[str, Any]:
    """`sochen ask --json` as a separate process (slower: every call loads the models)."""
    sochen = Path(__import__("sys").executable).with_name("sochen")
    proc = subprocess.run(
        [str(sochen), "ask", "--tenant", tenant, "--top-k", str(top_k), "--json", question],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"sochen ask exited {proc.returncode}: {proc.stderr[-2000:]}")
    return parse_json(proc.stdout)


def parse_json(stdout: str) -> dict[str, Any]:
    """The JSON object ask printed (anything before its first line "{" is ignored)."""
    start = 0 if stdout.startswith("{") else stdout.find("\n{") + 1
    if start <= 0 and not stdout.startswith("{"):
        raise SystemExit(f"no JSON in ask's output: {stdout[:500]!r}")
    return json.loads(stdout[start:])


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenant", default="archive")
    parser.add_argument("--label", default="run")
    parser.add_argument("--questions", type=Path, default=ROOT / "examples" / "blind" / "archive" / "questions.yaml")
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument(
        "--subprocess", action="store_true", help="Run each ask as its own process (no latency figures)."
    )
    parser.add_argument("--out-dir", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()

    questions = yaml.safe_load(args.questions.read_text(encoding="utf-8"))["questions"]
    ids = [q["id"] for q in questions]
    if len(set(ids)) != len(ids):
        raise SystemExit("question ids must be unique")
    ask = None if args.subprocess else InProcessAsk(args.tenant, args.top_k)
    if ask is not None:
        ask("שאלת חימום")  # the first call loads the embedder and opens the stores; not timed

    rows, latencies, reported = [], [], []
    for q in questions:
        started = time.perf_counter()
        data = subprocess_ask(args.tenant, args.top_k, q["question"]) if ask is None else ask(q["question"])
        elapsed = (time.perf_counter() - started) * 1000
        row = score(q, data)
        row["latency_ms"] = round(elapsed, 1)
        rows.append(row)
        latencies.append(elapsed)
        if (data.get("usage") or {}).get("latency_ms") is not None:
            reported.append(float(data["usage"]["latency_ms"]))

    per_kind: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        of_kind = [r for r in rows if r["kind"] == kind]
        if not of_kind:
            continue
        entry: dict[str, Any] = {"questions": len(of_kind), "right": sum(r["right"] for r in of_kind)}
        entry["rate"] = round(entry["right"] / len(of_kind), 4)
        if kind in ("lookup", "two_clause"):
            entry["answer_matches"] = sum(r["answer_matches"] for r in of_kind)
            entry["gold_clause_cited"] = sum(r["gold_clause_cited"] for r in of_kind)
            entry["gold_document_cited"] = sum(r["gold_document_cited"] for r in of_kind)
        if kind == "comparison":
            entry["both_documents_cited"] = sum(all(r["documents_cited"]) for r in of_kind)
            entry["both_facts_present"] = sum(all(r["facts_present"]) for r in of_kind)
            entry["both_cited_with_clause"] = sum(r["both_cited_with_clause"] for r in of_kind)
        if kind == "computation":
            entry["result_present"] = sum(r["result_present"] for r in of_kind)
        if kind == "unanswerable":
            entry["no_answer_stated"] = sum(r["no_answer_stated"] for r in of_kind)
            entry["holding_reply"] = sum(r["holding_reply"] for r in of_kind)
            entry["refusal_words"] = sum(r["refusal_words"] for r in of_kind)
        per_kind[kind] = entry
    english = [r for r, q in zip(rows, questions, strict=True) if not re.search(r"[\u0590-\u05ff]", q["question"])]
    figures: dict[str, Any] = {
        "bench": "archive_ask",
        "label": args.label,
        "tenant": args.tenant,
        "questions_file": str(
            args.questions.relative_to(ROOT) if args.questions.is_relative_to(ROOT) else args.questions
        ),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": measured_commit(),
        "mode": "subprocess" if ask is None else "in-process (typer CliRunner)",
        "questions": len(rows),
        "right": sum(r["right"] for r in rows),
        "per_kind": per_kind,
        "english": {"questions": len(english), "right": sum(r["right"] for r in english)},
        "answers_with_invented_numbers": sum(bool(r["invented_numbers"]) for r in rows),
        "statuses": {s: sum(r["status"] == s for r in rows) for s in sorted({str(r["status"]) for r in rows})},
        "handoffs": sum(bool(r["handoff"]) for r in rows),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 1),
            "p95": round(percentile(latencies, 95), 1),
            "max": round(max(latencies), 1),
        },
        "reported_latency_ms": (
            {"p50": round(statistics.median(reported), 1), "p95": round(percentile(reported, 95), 1)}
            if reported
            else None
        ),
        "results": rows,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out = args.out_dir / f"archive_ask_{args.label}.json"
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    print(f"archive ask · tenant {args.tenant} · {figures['mode']} · {len(rows)} questions · label {args.label}")
    print(f"{'kind':<14}{'right':>8}{'of':>5}{'rate':>8}  detail")
    for kind, e in per_kind.items():
        detail = ", ".join(f"{k}={v}" for k, v in e.items() if k not in ("questions", "right", "rate"))
        print(f"{kind:<14}{e['right']:>8}{e['questions']:>5}{e['rate']:>8.0%}  {detail}")
    print(f"{'all':<14}{figures['right']:>8}{len(rows):>5}{figures['right'] / len(rows):>8.0%}")
    print(
        f"english: {figures['english']['right']}/{figures['english']['questions']} · answers with invented numbers: "
        f"{figures['answers_with_invented_numbers']} · statuses {figures['statuses']} · "
        f"handoffs {figures['handoffs']}"
    )
    lat = figures["latency_ms"]
    print(f"latency in-process: p50 {lat['p50']} ms · p95 {lat['p95']} ms · max {lat['max']} ms")
    print(f"wrote {out}")


def measured_commit() -> str | None:
    """The code measured: the checkout's commit, with '+' when tracked files have uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    commit = head.stdout.strip()
    return commit + ("+" if dirty.stdout.strip() else "") if commit else None


if __name__ == "__main__":
    main()
