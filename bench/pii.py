"""Benchmark the privacy guard on a labelled JSON-lines file: precision, recall, F1 and scan latency.

    python bench/pii.py --data bench/data/pii_dev.jsonl [--json-out bench/out/pii.json]

Each line is ``{"text": ..., "entities": [{"type": ..., "start": ..., "end": ...}]}``.

Matching rule (documented, lenient on span edges): a gold entity counts as found when some finding
of the same type overlaps it by at least one character; a finding counts as correct when it
overlaps some gold entity of the same type. So recall = found gold / all gold and precision =
correct findings / all findings, per type and micro-averaged overall. Span edges differ for good
reasons (a Hebrew prefix letter, a street word, one finding for a multi-word phrase), which is why
overlap and not exact match is the rule.

The structured-identifier aggregate pools id_number, phone, email, credit_card and iban.
Latency is the wall time of one ``scan`` call per message (after a warm-up pass), repeated
``--repeat`` times; mean, p50 and p95 are reported in microseconds over all calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sochen.privacy import PII_TYPES, Finding, scan

STRUCTURED = ("id_number", "phone", "email", "credit_card", "iban")


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, float | int]:
    p = tp_p / n_pred if n_pred else 1.0
    rec = tp_g / n_gold if n_gold else 1.0
    f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
    return {"precision": round(p, 4), "recall": round(rec, 4), "f1": round(f1, 4), "gold": n_gold, "predicted": n_pred}


def evaluate(rows: list[dict[str, Any]], *, repeat: int = 3, errors: int = 0) -> dict[str, Any]:
    """Score `scan` on labelled rows; `errors` > 0 also returns that many misses and false alarms."""
    gold_n: Counter[str] = Counter()
    gold_found: Counter[str] = Counter()
    pred_n: Counter[str] = Counter()
    pred_ok: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    false_alarms: list[dict[str, Any]] = []
    for row in rows:
        text = row["text"]
        gold = row["entities"]
        found: list[Finding] = scan(text)
        for e in gold:
            gold_n[e["type"]] += 1
            if any(f.type == e["type"] and _overlaps(f.start, f.end, e["start"], e["end"]) for f in found):
                gold_found[e["type"]] += 1
            elif len(misses) < errors:
                misses.append({"type": e["type"], "span": text[e["start"] : e["end"]], "text": text})
        for f in found:
            pred_n[f.type] += 1
            if any(f.type == e["type"] and _overlaps(f.start, f.end, e["start"], e["end"]) for e in gold):
                pred_ok[f.type] += 1
            elif len(false_alarms) < errors:
                false_alarms.append(
                    {"type": f.type, "span": text[f.start : f.end], "evidence": f.evidence, "text": text}
                )

    per_type = {t: _prf(pred_ok[t], pred_n[t], gold_found[t], gold_n[t]) for t in PII_TYPES if gold_n[t] or pred_n[t]}

    def pooled(types: tuple[str, ...]) -> dict[str, float | int]:
        return _prf(
            sum(pred_ok[t] for t in types),
            sum(pred_n[t] for t in types),
            sum(gold_found[t] for t in types),
            sum(gold_n[t] for t in types),
        )

    texts = [row["text"] for row in rows]
    for text in texts:  # warm-up: compile caches, stem caches
        scan(text)
    timings: list[float] = []
    for _ in range(repeat):
        for text in texts:
            t0 = time.perf_counter_ns()
            scan(text)
            timings.append((time.perf_counter_ns() - t0) / 1000)
    timings.sort()
    latency = {
        "mean_us": round(statistics.fmean(timings), 1),
        "p50_us": round(timings[len(timings) // 2], 1),
        "p95_us": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
        "calls": len(timings),
        "mean_chars": round(statistics.fmean(len(t) for t in texts), 1),
    }
    out: dict[str, Any] = {
        "messages": len(rows),
        "match_rule": "same type and overlapping span",
        "per_type": per_type,
        "structured": pooled(STRUCTURED),
        "overall": pooled(tuple(PII_TYPES)),
        "latency": latency,
    }
    if errors:
        out["misses"] = misses
        out["false_alarms"] = false_alarms
    return out


def _table(result: dict[str, Any]) -> str:
    lines = [f"{'type':<16}{'gold':>6}{'pred':>6}{'P':>8}{'R':>8}{'F1':>8}"]
    rows = [*result["per_type"].items(), ("structured*", result["structured"]), ("overall", result["overall"])]
    for name, m in rows:
        lines.append(
            f"{name:<16}{m['gold']:>6}{m['predicted']:>6}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
        )
    lat = result["latency"]
    lines.append("* id_number, phone, email, credit_card, iban")
    lines.append(
        f"scan latency over {lat['calls']} calls (mean {lat['mean_chars']} chars): "
        f"mean {lat['mean_us']} µs, p50 {lat['p50_us']} µs, p95 {lat['p95_us']} µs"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", required=True, type=Path, help="labelled JSON-lines file")
    parser.add_argument("--json-out", type=Path, default=Path("bench/out/pii.json"), help="where to write JSON")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes over the data")
    parser.add_argument("--errors", type=int, default=0, help="print up to N misses and false alarms")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = evaluate(rows, repeat=args.repeat, errors=args.errors)
    result["data"] = str(args.data)
    print(_table(result))
    if args.errors:
        for kind in ("misses", "false_alarms"):
            print(f"\n{kind}:")
            for item in result[kind]:
                print("  ", json.dumps(item, ensure_ascii=False))
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json_out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
