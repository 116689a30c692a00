"""Model-free answers on HeQ: a large Hebrew question set that nobody here wrote or tuned on.

The blind tenants (``examples/blind``) measure the product on material it was not tuned on, but each has
40 questions: one question is 2.5 points, and a held-out part of 15 moves by 7 points for one answer. HeQ's
validation split (``../shared/benchmarks/heq/val_v1.1.json``, CC BY 4.0, Cohen et al., EMNLP Findings 2023)
has 1,501 questions written by annotators outside the project over 239 Wikipedia and Geektime paragraphs,
about a third of them unanswerable from their paragraph (SQuAD 2.0's ``is_impossible``). Until now it measured
retrieval only (``bench/retrieval.py``). This bench puts every question through the answerer a law firm's
``sochen ask`` uses (:func:`sochen.agents.ask.ask`), offline and model-free, on a tenant whose documents are
the paragraphs (one document each, titled with its article), and scores what it says:

- an answerable question is **right** when the answer is stated (status ``answered``), one of the gold answer
  strings is in its text (after the product's Hebrew normalisation of both) and a citation is from the gold
  paragraph; **wrong** when it is stated without that; **refused** when the answerer says it did not find it;
- an unanswerable question is **right** when refused and **answered** otherwise (HeQ's unanswerable
  questions were written against their paragraph: a near miss the paragraph almost answers);
- **invented**: an answer with a number that is in neither the question nor any passage it cites.

This is a different genre from the product's tenants (encyclopaedic prose, not clauses, price lists and
policies), so its figures are a floor on how far the model-free rules carry beyond the material they were written
against, not a forecast for a clinic. Prints a table and writes JSON (``--json-out``); ``--limit N`` takes a
seeded sample of N questions, ``--part`` the first or second half of the questions (an even split by
paragraph, for a tuning half and a held-out half).

    .venv/bin/python bench/heq_answers.py --data ../shared/benchmarks/heq/val_v1.1.json \
        --json-out bench/results/heq_answers_<label>.json
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from archive_ask import measured_commit, numbers  # noqa: E402  (the archive bench's reading of numbers and commit)
from retrieval import _percentile, _setup  # noqa: E402  (the retrieval bench's tenant set-up and percentiles)


def load(path: Path) -> tuple[list[dict], list[dict]]:
    """Paragraphs and every question (answerable or not) of a SQuAD 2.0 file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    paragraphs: list[dict] = []
    questions: list[dict] = []
    for article in data["data"]:
        for para in article["paragraphs"]:
            pid = len(paragraphs)
            paragraphs.append({"id": pid, "title": article.get("title", ""), "context": para["context"]})
            for qa in para["qas"]:
                answers = [a["text"] for a in qa.get("answers", []) if a.get("text")]
                impossible = bool(qa.get("is_impossible")) or not answers
                questions.append(
                    {
                        "id": qa.get("id", f"{pid}-{len(questions)}"),
                        "question": qa["question"],
                        "paragraph": pid,
                        "answers": answers,
                        "impossible": impossible,
                    }
                )
    return paragraphs, questions


def score(q: dict, result: dict, gold_document: str, normalize) -> dict:  # type: ignore[no-untyped-def]
    """One question's verdict from the answer `result` (``AskResult.as_dict()`` plus the cited sources)."""
    status = result["status"]
    stated = status == "answered"
    text = normalize(result["answer"])
    cited_text = " ".join([result["question"], *result["cited_texts"]])
    sourced = set(numbers(cited_text)) | set(numbers(" ".join(result["cited_titles"])))
    invented = sorted(set(numbers(result["answer"])) - sourced)
    if q["impossible"]:
        verdict = "answered" if stated else "refused"
        right = not stated
    else:
        has_gold = any(normalize(a) in text for a in q["answers"])
        from_gold = gold_document in result["cited_documents"]
        verdict = ("right" if has_gold and from_gold else "wrong") if stated else "refused"
        right = verdict == "right"
    return {
        "id": q["id"],
        "paragraph": q["paragraph"],
        "impossible": q["impossible"],
        "status": status,
        "verdict": verdict,
        "right": right,
        "invented": invented if stated else [],
    }


def _file_name(p: dict) -> str:
    """A paragraph's document file: its article's title, as a real document's file name would be."""
    title = re.sub(r'[\\/:*?"<>|]', "_", p["title"]) or "פסקה"
    return f"{title} ({p['id']:04d}).txt"


def run(args: argparse.Namespace) -> dict:
    paragraphs, questions = load(Path(args.data))
    if args.part:
        half = len(paragraphs) // 2
        keep = range(0, half) if args.part == "first" else range(half, len(paragraphs))
        questions = [q for q in questions if q["paragraph"] in keep]
    if args.limit and args.limit < len(questions):
        questions = random.Random(args.seed).sample(questions, args.limit)
    home = Path(tempfile.mkdtemp(prefix="sochen-heq-answers-"))
    atexit.register(shutil.rmtree, home, True)
    os.environ.pop("OPENAI_API_KEY", None)  # model-free: no API model
    _setup(home, "heq")  # no providers configured: nothing to route to, the answerer quotes or refuses

    from sochen.agents.ask import ask
    from sochen.config import get_settings
    from sochen.rag.ingest import ingest_paths
    from sochen.rag.retriever import Retriever
    from sochen.text import normalize

    docs = home / "docs"
    docs.mkdir()
    for p in paragraphs:
        (docs / _file_name(p)).write_text(p["context"], encoding="utf-8")
    settings = get_settings()
    retriever = Retriever(settings)
    t0 = time.perf_counter()
    report = ingest_paths(retriever, "heq", [docs])
    ingest_s = time.perf_counter() - t0
    if report.failed:
        print(f"warning: {len(report.failed)} files failed", file=sys.stderr)
    tenant = retriever.tenant("heq")
    document_of = {c.source: c.document_id for c in retriever.catalog(tenant).chunks}
    gold_document = {p["id"]: document_of.get(str((docs / _file_name(p)).resolve()), "") for p in paragraphs}
    ask(settings, tenant, "שאלה לחימום", retriever=retriever, providers={})  # load the embedder outside timings

    rows, latencies = [], []
    for q in questions:
        t = time.perf_counter()
        result = ask(settings, tenant, q["question"], retriever=retriever, providers={})
        latencies.append((time.perf_counter() - t) * 1e3)
        doc = result.as_dict()
        cited = [c.passage for c in result.answer.citations]
        doc["cited_documents"] = [p.document_id for p in cited]
        doc["cited_texts"] = [p.text for p in cited]
        doc["cited_titles"] = [f"{p.title} {p.section} {p.page or ''}" for p in cited]
        row = score(q, doc, gold_document[q["paragraph"]], normalize)
        row["mode"], row["reason"] = doc["mode"], result.reason
        if args.keep_answers:
            row["question"], row["answer"] = q["question"], doc["answer"]
        rows.append(row)

    answerable = [r for r in rows if not r["impossible"]]
    impossible = [r for r in rows if r["impossible"]]

    def count(rs: list[dict], verdict: str) -> int:
        return sum(r["verdict"] == verdict for r in rs)

    stated = [r for r in rows if r["status"] == "answered"]
    summary = {
        "bench": "heq_answers",
        "label": args.label,
        "data": Path(args.data).name,
        "commit": measured_commit(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "mode": "model-free, in-process sochen.agents.ask.ask",
        "part": args.part or "all",
        "questions": len(rows),
        "answerable": {
            "questions": len(answerable),
            "right": count(answerable, "right"),
            "wrong": count(answerable, "wrong"),
            "refused": count(answerable, "refused"),
        },
        "unanswerable": {
            "questions": len(impossible),
            "refused": count(impossible, "refused"),
            "answered": count(impossible, "answered"),
        },
        "right": sum(r["right"] for r in rows),
        "precision_of_stated_answers": round(count(answerable, "right") / len(stated), 4) if stated else None,
        "answers_with_invented_numbers": sum(bool(r["invented"]) for r in rows),
        "ingest_s": round(ingest_s, 1),
        "latency_ms": {
            "p50": round(_percentile(latencies, 50), 1),
            "p95": round(_percentile(latencies, 95), 1),
        },
        "results": rows,
    }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/benchmarks/heq/val_v1.1.json"))
    parser.add_argument("--label", default="run")
    parser.add_argument("--json-out", default="")
    parser.add_argument("--limit", type=int, default=0, help="a seeded sample of N questions")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--part", choices=("first", "second"), default="", help="half of the paragraphs")
    parser.add_argument("--keep-answers", action="store_true", help="keep each question and answer in the JSON")
    args = parser.parse_args()
    if not Path(args.data).is_file():
        parser.error(f"no HeQ file at {args.data} (SQuAD 2.0 JSON; see ../shared/benchmarks/heq/README.md)")
    if args.limit < 0:
        parser.error("--limit is a number of questions, 0 or more (0: all)")
    summary = run(args)
    a, u = summary["answerable"], summary["unanswerable"]
    share = summary["right"] / max(1, summary["questions"])
    print(f"questions {summary['questions']}  right {summary['right']} ({share:.1%})")
    print(f"answerable {a['questions']}: right {a['right']}  wrong {a['wrong']}  refused {a['refused']}")
    print(f"unanswerable {u['questions']}: refused {u['refused']}  answered {u['answered']}")
    print(
        f"precision of stated answers {summary['precision_of_stated_answers']}  "
        f"answers with invented numbers {summary['answers_with_invented_numbers']}"
    )
    latency = summary["latency_ms"]
    print(f"ingest {summary['ingest_s']} s  ask p50 {latency['p50']} ms  p95 {latency['p95']} ms")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
