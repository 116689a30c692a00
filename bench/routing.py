"""Routing benchmark: does a hybrid tenant send each Hebrew request where it should, and never leak?

    python bench/routing.py [--data bench/data/routing_he.jsonl] [--json-out bench/out/routing.json]
                            [--threshold 0.5] [--oracle] [--errors 10]

Each line of the data is ``{"text", "route": "local"|"api", "sensitive": bool, "why", ...}``.
Every text goes through the same path as production: ``sochen.privacy.assess(text)`` decides
sensitivity and :func:`sochen.llm.router.route` decides the route for a hybrid tenant (two local
providers, two API providers, threshold ``--threshold``, no budget pressure, all healthy).

The headline figure is ``sensitive_to_api``: labelled-sensitive requests the router sent to an API
provider. It must be 0; the script exits with status 1 otherwise. It also reports routing accuracy
(overall, per kind, confusion matrix), the detector's agreement with the labels, and the router's
own accuracy given perfect sensitivity labels (``--oracle`` uses the labels instead of the
detector for everything).
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

from sochen.config.sections.models import ModelsConfig
from sochen.llm.router import RouteRequest, Sensitivity, route

DEFAULT_DATA = Path(__file__).parent / "data" / "routing_he.jsonl"


def hybrid_tenant(threshold: float) -> ModelsConfig:
    """The tenant every request is routed for."""
    return ModelsConfig.model_validate(
        {
            "providers": {
                "lan": {"kind": "ollama", "model": "qwen2.5:14b", "locality": "local"},
                "embedded": {"kind": "llamacpp", "model": "gemma3-270m", "locality": "local"},
                "openai": {"kind": "openai", "model": "gpt-4o-mini", "locality": "api", "api_key_env": "OPENAI_KEY"},
                "openai-big": {"kind": "openai", "model": "gpt-4o", "locality": "api", "api_key_env": "OPENAI_KEY"},
            },
            "policy": {
                "mode": "hybrid",
                "local": ["lan", "embedded"],
                "api": ["openai", "openai-big"],
                "complexity_threshold": threshold,
            },
        }
    )


def _assess() -> Any:
    try:
        from sochen.privacy import assess
    except ImportError as exc:  # the privacy guard is built in parallel; say so plainly
        sys.exit(
            f"bench/routing.py needs sochen.privacy.assess (the privacy guard), which cannot be imported: {exc}\n"
            "Run with --oracle to measure the router alone with the labelled sensitivity."
        )
    return assess


def evaluate(rows: list[dict[str, Any]], *, threshold: float, oracle: bool, errors: int) -> dict[str, Any]:
    """Route every row and compare with its labels."""
    models = hybrid_tenant(threshold)
    assess = None if oracle else _assess()
    confusion: Counter[str] = Counter()
    per_kind: dict[str, Counter[str]] = {}
    detector: Counter[str] = Counter()
    oracle_correct = 0
    leaks: list[dict[str, Any]] = []
    misroutes: list[dict[str, Any]] = []
    timings: list[float] = []
    for row in rows:
        gold_sensitivity = Sensitivity(bool(row["sensitive"]), frozenset())
        started = time.perf_counter()
        sensitivity = gold_sensitivity if assess is None else assess(row["text"])
        decision = route(RouteRequest(row["text"], sensitivity), models)
        timings.append((time.perf_counter() - started) * 1e6)
        got = decision.route
        want = row["route"]
        confusion[f"{want}->{got}"] += 1
        kind = per_kind.setdefault(row.get("kind", "?"), Counter())
        kind["n"] += 1
        kind["correct"] += int(got == want)
        if assess is not None:
            detector[f"gold_{'S' if row['sensitive'] else 'N'}_detected_{'S' if sensitivity.sensitive else 'N'}"] += 1
        oracle_correct += int(route(RouteRequest(row["text"], gold_sensitivity), models).route == want)
        case = {
            "text": row["text"],
            "want": want,
            "got": got,
            "reason": decision.reason.code,
            "complexity": decision.complexity,
            "signals": list(decision.signals),
            "detected": sorted(decision.sensitivity_types),
            "why": row.get("why", ""),
        }
        if row["sensitive"] and got == "api":
            leaks.append(case)
        elif got != want:
            misroutes.append(case)
    n = len(rows)
    correct = sum(c["correct"] for c in per_kind.values())
    return {
        "data_rows": n,
        "sensitive_rows": sum(1 for r in rows if r["sensitive"]),
        "mode": "oracle sensitivity (labels)" if oracle else "sochen.privacy.assess",
        "threshold": threshold,
        "sensitive_to_api": len(leaks),
        "accuracy": round(correct / n, 4) if n else None,
        "router_accuracy_with_gold_sensitivity": round(oracle_correct / n, 4) if n else None,
        "per_kind": {
            k: {"n": c["n"], "accuracy": round(c["correct"] / c["n"], 4)} for k, c in sorted(per_kind.items())
        },
        "confusion": dict(sorted(confusion.items())),
        "detector_vs_labels": dict(sorted(detector.items())),
        "decision_us": {
            "mean": round(statistics.fmean(timings), 1) if timings else None,
            "p95": round(sorted(timings)[int(0.95 * (n - 1))], 1) if timings else None,
        },
        "leaks": leaks,
        "misroutes": misroutes[:errors],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a summary, write JSON; exit 1 if any sensitive request reached an API."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled JSON-lines file")
    parser.add_argument("--json-out", type=Path, default=Path("bench/out/routing.json"), help="where to write JSON")
    parser.add_argument("--threshold", type=float, default=0.5, help="the tenant's complexity_threshold")
    parser.add_argument("--oracle", action="store_true", help="use the labelled sensitivity instead of the detector")
    parser.add_argument("--errors", type=int, default=10, help="list up to N misroutes")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = evaluate(rows, threshold=args.threshold, oracle=args.oracle, errors=args.errors)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"rows {result['data_rows']} (sensitive {result['sensitive_rows']}) · sensitivity: {result['mode']}")
    print(f"SENSITIVE SENT TO AN API: {result['sensitive_to_api']}")
    print(
        f"routing accuracy {result['accuracy']:.1%} · router alone (gold sensitivity) "
        f"{result['router_accuracy_with_gold_sensitivity']:.1%}"
    )
    for kind, figures in result["per_kind"].items():
        print(f"  {kind:<10} n={figures['n']:<4} accuracy {figures['accuracy']:.1%}")
    print(f"confusion (label->route): {result['confusion']}")
    if result["detector_vs_labels"]:
        print(f"detector vs labels: {result['detector_vs_labels']}")
    print(f"decision time: mean {result['decision_us']['mean']} µs, p95 {result['decision_us']['p95']} µs")
    for case in result["leaks"]:
        print(f"  LEAK: {case['text']}  (reason {case['reason']}, detected {case['detected']})")
    for case in result["misroutes"]:
        print(f"  misroute {case['want']}->{case['got']} c={case['complexity']:.2f} {case['signals']}: {case['text']}")
    print(f"JSON written to {args.json_out}")
    return 1 if result["sensitive_to_api"] else 0


if __name__ == "__main__":
    sys.exit(main())
