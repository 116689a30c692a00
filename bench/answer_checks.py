"""How often the answer checks (relevance, language) would reject good answers, and catch off-topic ones.

    python bench/answer_checks.py --tenants clinic,derm,lawfirm,realestate,renovate [--json-out FILE]

No model. Every turn of the tenants' scenario packs whose text is a question is answered model-free
(extractive), and :func:`sochen.agents.answering.checks.rejected` is run on two stand-in model answers:

- **good**: the extractive reply's own quotes, for Hebrew turns that expect an answer (``refuses`` not
  true) and were answered — what a model that found the right clause would cite; relevance only (the
  extractive text of an English question is not what a model would write). A rejection here is a good
  answer lost (the reply falls back to quotes in ``auto`` mode, to not-found in ``generative`` mode);
- **top passage**: an answer citing the first words of the best-ranked passage, for every turn — what a
  model that answers from whatever it is shown would cite (the API fake of bench/evals_providers.py
  does this). For turns that expect a refusal (``refuses: true``), a rejection is a catch.

The tenants must be applied and ingested in ``SOCHEN_HOME`` (see docs/models.md). Blind tenants are
measurement only: never tune a rule on them. Prints a table; writes JSON with scenario ids and reasons
only (no message text).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from sochen.agents.answering import answer, passages_of
from sochen.agents.answering.checks import coverage, off_topic, rejected
from sochen.agents.answering.language import detect, search_query
from sochen.agents.ask import library_for
from sochen.config import get_settings
from sochen.evals.loading import load_files
from sochen.llm import Answer, Citation
from sochen.rag.retriever import Retriever

ROOT = Path(__file__).resolve().parents[1]


def measure(slug: str, retriever: Retriever) -> dict[str, Any]:
    """The figures of one tenant."""
    ctx = retriever.tenant(slug)
    cfg = ctx.config.model_copy(update={"agent": ctx.config.agent.model_copy(update={"answer_mode": "extractive"})})
    library = library_for(retriever, ctx)
    files = sorted((ROOT / "examples" / "tenants" / slug / "scenarios").glob("*.yaml"))
    good: Counter[str] = Counter()
    top_refuse: Counter[str] = Counter()
    top_answer: Counter[str] = Counter()
    rows: list[dict[str, Any]] = []
    for scenario in load_files(files):
        for n, turn in enumerate(scenario.turns, start=1):
            refuses = bool(turn.expect and turn.expect.refuses)
            if not turn.user or not (refuses or "?" in turn.user or "؟" in turn.user):
                continue
            hits = list(library.search(search_query(turn.user, cfg.agent.service_aliases), top_k=8))
            if not hits:
                continue
            reply = answer(turn.user, config=cfg, library=library, hits=hits)
            row: dict[str, Any] = {
                "scenario": scenario.id,
                "turn": n,
                "refuses": refuses,
                "category": scenario.category,
            }
            hebrew = detect(turn.user) == "he"
            if not refuses and reply.status == "answered" and reply.citations and hebrew:
                # Relevance only: the extractive text of a foreign question is not what a model would write.
                why = off_topic(turn.user, reply.citations, library)
                good[why or "shown"] += 1
                row["good"] = why or "shown"
                row["good_cover"] = round(coverage(turn.user, reply.citations, library), 3)
            top = passages_of(hits)[0]
            quote = " ".join(top.text.split()[:6])
            cited = (Citation(1, quote, top),)
            why = rejected(turn.user, Answer("answered", quote, cited), library)
            (top_refuse if refuses else top_answer)[why or "shown"] += 1
            row["top"] = why or "shown"
            row["top_cover"] = round(coverage(turn.user, cited, library), 3)
            rows.append(row)
    return {
        "good_answers": dict(good),
        "top_passage_expected_refusal": dict(top_refuse),
        "top_passage_expected_answer": dict(top_answer),
        "turns": rows,
    }


def main() -> None:
    """Measure each tenant and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tenants", default="clinic,derm,lawfirm,realestate,renovate")
    ap.add_argument("--json-out", type=Path, default=Path("bench/out/answer_checks.json"))
    args = ap.parse_args()
    retriever = Retriever(get_settings())
    report = {slug: measure(slug, retriever) for slug in args.tenants.split(",")}
    for slug, f in report.items():
        g, r, a = f["good_answers"], f["top_passage_expected_refusal"], f["top_passage_expected_answer"]
        print(
            f"{slug:11} good answers rejected {sum(v for k, v in g.items() if k != 'shown')}/{sum(g.values())} {g}"
            f" | top passage, refusal expected: caught {sum(v for k, v in r.items() if k != 'shown')}/"
            f"{sum(r.values())} {r} | answer expected: rejected "
            f"{sum(v for k, v in a.items() if k != 'shown')}/{sum(a.values())}"
        )
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"-> {args.json_out}")


if __name__ == "__main__":
    main()
