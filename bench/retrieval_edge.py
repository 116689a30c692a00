"""Is ``qdrant-edge-py`` (Qdrant's engine embedded in the process) fit to be the embedded store?

Measures, at N points (real Hebrew sentences from a SQuAD-format file, random unit vectors for the
dense side, which does not change search cost), what the embedded default needs from its store:

- dense search, unfiltered and filtered by document id (10% of the documents), p50/p95;
- sparse (IDF) search with the project's Hebrew-aware sparse vectors, p50/p95;
- upsert throughput;
- crash safety: points upserted by a process that dies without flush or close are (or are not)
  there when the shard is opened again, and a second process cannot open a shard in use.

The same figures for the current embedded default (Qdrant local mode for dense; the in-process
BM25 snapshot for lexical) come from ``bench/retrieval.py --latency-chunks N``.
``qdrant-edge-py`` is not a project dependency: run this with it importable, e.g.

    pip install --target /tmp/edge qdrant-edge-py
    PYTHONPATH=$PWD:/tmp/edge python bench/retrieval_edge.py --data ../shared/benchmarks/heq/val_v1.1.json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

DIM = 384


def _sentences(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        s.strip()
        for article in data["data"]
        for para in article["paragraphs"]
        for s in re.split(r"(?<=[.!?])\s+", para["context"])
        if len(s) > 40
    ]


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)), 3)


def _config(qe):  # type: ignore[no-untyped-def]
    return qe.EdgeConfig(
        vectors={"dense": qe.EdgeVectorParams(size=DIM, distance=qe.Distance.Cosine)},
        sparse_vectors={"lexical": qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
    )


_CHILD = """
import sys, uuid, os
import qdrant_edge as qe
from bench.retrieval_edge import _config
path, n = sys.argv[1], int(sys.argv[2])
shard = qe.EdgeShard.load(path, _config(qe))
vec = {"dense": [1.0] + [0.0] * 383}
pts = [qe.Point(str(uuid.UUID(int=10**9 + i)), vec, {"document_id": "crash"}) for i in range(n)]
shard.update(qe.UpdateOperation.upsert_points(pts))
print("written", flush=True)
os._exit(0)  # no flush, no close: as if the process were killed
"""


def run(args: argparse.Namespace) -> dict:
    import qdrant_edge as qe

    from sochen.rag.lexical import document_length, document_terms, sparse_from_terms, sparse_query

    rng = random.Random(11)
    nrng = np.random.default_rng(7)
    sentences = _sentences(Path(args.data))
    n = args.points
    per_doc = 100
    texts = [" ".join(rng.sample(sentences, 3)) for _ in range(n)]
    vectors = nrng.standard_normal((n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [str(uuid.uuid4()) for _ in range(n)]
    docs = [f"doc{i // per_doc:04d}" for i in range(n)]
    folder = Path(tempfile.mkdtemp(prefix="sochen-edge-")) / "shard"

    shard = qe.EdgeShard.create(str(folder), _config(qe))
    shard.update(qe.UpdateOperation.create_field_index("document_id", qe.PayloadSchemaType.Keyword))
    t0 = time.perf_counter()
    terms = [document_terms(t) for t in texts]
    avg_len = sum(map(document_length, terms)) / max(len(terms), 1)  # the collection's measured average
    sparse = [sparse_from_terms(c, avg_len) for c in terms]
    sparse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for start in range(0, n, 256):
        points = [
            qe.Point(
                ids[i],
                {"dense": vectors[i].tolist(), "lexical": qe.SparseVector(*sparse[i])},
                {"document_id": docs[i], "written_at": time.time()},
            )
            for i in range(start, min(n, start + 256))
        ]
        shard.update(qe.UpdateOperation.upsert_points(points))
    shard.flush()
    upsert_s = time.perf_counter() - t0

    queries = [" ".join(rng.sample(sentences, 1))[:80] for _ in range(args.queries)]
    qvecs = nrng.standard_normal((args.queries, DIM)).astype(np.float32)
    some_docs = sorted(set(docs))[: max(1, len(set(docs)) // 10)]
    flt = qe.Filter(must=[qe.FieldCondition(key="document_id", match=qe.MatchAny(any=some_docs))])

    def timed(make):  # type: ignore[no-untyped-def]
        lat = []
        for i in range(args.queries):
            req = make(i)
            t = time.perf_counter()
            shard.query(req)
            lat.append((time.perf_counter() - t) * 1e3)
        return {"p50_ms": _pct(lat, 50), "p95_ms": _pct(lat, 95)}

    def dense(i, f=None):  # type: ignore[no-untyped-def]
        return qe.QueryRequest(
            limit=108, query=qe.Query.Nearest(qvecs[i].tolist(), using="dense"), filter=f, with_payload=False
        )

    def lexical(i, f=None):  # type: ignore[no-untyped-def]
        q = sparse_query(queries[i])
        return qe.QueryRequest(
            limit=100, query=qe.Query.Nearest(qe.SparseVector(*q), using="lexical"), filter=f, with_payload=False
        )

    def all_timings() -> dict:
        return {
            "segments": shard.info().segments_count,
            "dense": timed(dense),
            "dense_filtered_10pct_docs": timed(lambda i: dense(i, flt)),
            "sparse_idf": timed(lexical),
            "sparse_idf_filtered_10pct_docs": timed(lambda i: lexical(i, flt)),
        }

    # As ingestion leaves the shard (the product does not run the optimizer), then optimized (HNSW built).
    as_ingested = all_timings()
    figures: dict = {
        "points": n,
        "upsert_seconds": round(upsert_s, 2),
        "sparse_vectors_seconds": round(sparse_s, 2),
        "as_ingested": as_ingested,
    }
    if args.optimize:
        t0 = time.perf_counter()
        shard.optimize()
        figures["optimize_seconds"] = round(time.perf_counter() - t0, 2)
        figures["optimized"] = all_timings()
    # Does the sparse search agree with the in-process BM25 (same terms, same IDF modifier)?
    from sochen.rag.lexical import BM25Index, document_terms

    bm25 = BM25Index([document_terms(t) for t in texts])
    overlap = []
    for q in queries[:100]:
        mine = {ids[i] for i, _ in bm25.top(q, 10)}
        theirs = {
            str(p.id)
            for p in shard.query(
                qe.QueryRequest(limit=10, query=qe.Query.Nearest(qe.SparseVector(*sparse_query(q)), using="lexical"))
            )
        }
        overlap.append(len(mine & theirs) / max(1, len(mine)))
    figures["sparse_top10_overlap_with_bm25"] = round(float(np.mean(overlap)), 3)

    # A second process cannot open a shard that is in use?
    probe = subprocess.run(
        [sys.executable, "-c", f"import qdrant_edge as qe; qe.EdgeShard.load({str(folder)!r}); print('opened')"],
        capture_output=True,
        text=True,
        check=False,
    )
    figures["second_process_can_open_in_use_shard"] = "opened" in probe.stdout
    shard.close()

    # Crash safety: a child upserts and dies without flush/close; are its points there on reopen?
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder), "500"], capture_output=True, text=True, check=False
    )
    reopened = qe.EdgeShard.load(str(folder))
    crash = qe.Filter(must=[qe.FieldCondition(key="document_id", match=qe.MatchAny(any=["crash"]))])
    figures["crash"] = {
        "child_wrote": "written" in child.stdout,
        "points_after_reopen": reopened.count(qe.CountRequest(filter=crash, exact=True)),
        "all_points_after_reopen": reopened.count(qe.CountRequest(exact=True)),
    }
    reopened.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json-out", default="bench/out/retrieval_edge.json")
    parser.add_argument("--optimize", action="store_true", help="also measure after building the HNSW index")
    args = parser.parse_args()
    figures = run(args)
    out = Path(args.json_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
