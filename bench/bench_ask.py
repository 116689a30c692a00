"""`sochen ask` without a model: right answers, right clauses, refusals, invented figures, and latency.

Runs a question set with gold clauses (``bench/answer/lawfirm_questions.yaml``) against a tenant that
has been applied and ingested in ``SOCHEN_HOME`` (the example law firm, offline: its Ollama is not
running and it has no OpenAI key, so every answer is model-free). In-process by default, which is what
`sochen ask --json` runs; ``--cli`` runs the real command per question instead (slower: it loads the
embedder each time) and checks the same things. Prints figures and writes JSON. Latency is the
in-process ``ask()`` wall time after one warm-up question (embedder loaded); target p95 ≤ 250 ms.

    SOCHEN_HOME=/tmp/home sochen tenant apply examples/tenants/lawfirm/tenant.yaml
    SOCHEN_HOME=/tmp/home sochen ingest --tenant lawfirm
    SOCHEN_HOME=/tmp/home python bench/bench_ask.py --json-out bench/out/ask.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
_FIGURE = re.compile(r"\d[\d,.]*\d|\d")


def _figures(text: str) -> set[str]:
    return {f.replace(",", "").rstrip(".") for f in _FIGURE.findall(text or "")}


def judge(item: dict[str, Any], data: dict[str, Any], passages: dict[str, str]) -> dict[str, Any]:
    """Right, right clause cited, refused, invented figures — for one answer."""
    answered = data["status"] == "answered"
    cites = data["citations"]
    gold = item.get("gold") or []
    cited_ok = all(
        any(g["doc"] in c["title"] and (not g["clause"] or g["clause"] in c["section"]) for c in cites) for g in gold
    )
    expect_ok = bool(re.search(item["expect"], data["answer"])) if item.get("expect") else True
    # A figure is invented when it is in none of the cited chunks (text, section, title) nor the shown calculation.
    known = set().union(
        *(
            _figures(passages.get(c["chunk_id"], "")) | _figures(c["section"]) | _figures(c["title"]) | {str(c["page"])}
            for c in cites
        )
    ) | _figures(data.get("calculation") or "")
    invented = sorted(_figures(data["answer"]) - known) if answered else []
    right = not answered if item["kind"] == "refuse" else answered and cited_ok and expect_ok
    if item["kind"] == "two_facts":
        right = right and bool(data.get("calculation"))
    return {
        "id": item["id"],
        "kind": item["kind"],
        "right": right,
        "clause_cited": cited_ok if item["kind"] != "refuse" else None,
        "refused": not answered,
        "invented": invented,
        "mode": data.get("mode"),
        "answer": data["answer"][:400],
        "cited": [f"{c['title'].split(' — ')[0]} §{c['section'].split(' › ')[-1]}" for c in cites],
    }


def _latency(lat: list[float], bare: list[float]) -> dict[str, float]:
    if not lat:
        return {}
    return {
        "n": len(lat),
        "p50": round(statistics.median(lat), 1),
        "p95": round(lat[max(0, int(len(lat) * 0.95) - 1)], 1),
        "max": round(lat[-1], 1),
        "p95_without_query_embedding": round(bare[max(0, int(len(bare) * 0.95) - 1)], 1),
        "p50_without_query_embedding": round(statistics.median(bare), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenant", default="lawfirm")
    parser.add_argument("--questions", default=str(HERE / "answer" / "lawfirm_questions.yaml"))
    parser.add_argument("--repeat", type=int, default=3, help="Timed passes over the set (in-process).")
    parser.add_argument("--cli", action="store_true", help="Run `sochen ask --json` per question.")
    parser.add_argument("--json-out", default="bench/out/ask.json")
    args = parser.parse_args()

    from sochen.agents.ask import ask
    from sochen.config import get_settings
    from sochen.llm import HealthBoard
    from sochen.rag.retriever import Retriever

    items = yaml.safe_load(Path(args.questions).read_text(encoding="utf-8"))["questions"]
    settings = get_settings()
    retriever = Retriever(settings)
    catalog = retriever.catalog(retriever.tenant(args.tenant))
    passages = {c.chunk_id: c.text for c in catalog.chunks}
    health = HealthBoard()  # one process, as a server holds it: a provider that is down is tripped once
    results: list[dict[str, Any]] = []
    latencies: list[float] = []
    without_embedding: list[float] = []

    if args.cli:
        # The real command, one process per question (the local vector store allows one process at a time,
        # so nothing is opened here).
        for item in items:
            out = subprocess.run(
                [str(Path(sys.executable).with_name("sochen")), "ask", "--tenant", args.tenant, "--json", item["q"]],
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(judge(item, json.loads(out.stdout), passages))
        args.repeat = 0
    else:
        ask(settings, args.tenant, items[0]["q"], retriever=retriever, health=health)  # warm-up: embedder, catalog
    # The query embedding is CPU-bound and shares the machine: time it apart, so the figure without it shows
    # what the answering itself costs.
    embedder = retriever.embedder(retriever.tenant(args.tenant))
    spent = {"embed_ms": 0.0}
    plain = embedder.embed_query

    def timed(query: str) -> Any:
        t = time.perf_counter()
        try:
            return plain(query)
        finally:
            spent["embed_ms"] += (time.perf_counter() - t) * 1e3

    embedder.embed_query = timed  # type: ignore[method-assign]

    for rep in range(args.repeat):
        for item in items:
            spent["embed_ms"] = 0.0
            started = time.perf_counter()
            data = ask(settings, args.tenant, item["q"], retriever=retriever, health=health).as_dict()
            latencies.append((time.perf_counter() - started) * 1e3)
            without_embedding.append(latencies[-1] - spent["embed_ms"])
            if rep == 0 and not args.cli:
                results.append(judge(item, data, passages))

    by_kind: dict[str, dict[str, int]] = {}
    for r in results:
        k = by_kind.setdefault(r["kind"], {"questions": 0, "right": 0})
        k["questions"] += 1
        k["right"] += int(r["right"])
    lat = sorted(latencies)
    bare = sorted(without_embedding)
    summary = {
        "tenant": args.tenant,
        "via": "cli" if args.cli else "in-process",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions": len(results),
        "right": sum(r["right"] for r in results),
        "by_kind": by_kind,
        "answerable_with_right_clause": sum(bool(r["clause_cited"]) for r in results if r["kind"] != "refuse"),
        "refused_of_unanswerable": sum(r["refused"] for r in results if r["kind"] == "refuse"),
        "invented_figures": sum(len(r["invented"]) for r in results),
        "modes": {m: sum(r["mode"] == m for r in results) for m in {r["mode"] for r in results}},
        "latency_ms": _latency(lat, bare),
        "load_average": list(os.getloadavg()),
        "results": results,
    }
    for r in results:
        mark = "✓" if r["right"] else "✗"
        invented = f"INVENTED {r['invented']}" if r["invented"] else ""
        print(f"{mark} {r['kind']:9} {r['id']:24} {', '.join(r['cited']) or '—'}  {invented}")
    print(json.dumps({k: v for k, v in summary.items() if k != "results"}, ensure_ascii=False, indent=1))
    Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json_out).write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
