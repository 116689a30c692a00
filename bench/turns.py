"""Per-turn framework overhead: everything in a conversation turn except model time.

The clinic example tenant answers with the ``scripted`` provider, made to quote the first passage it
is shown (a grounded JSON answer with a real citation, returned at once), so every generative turn
goes through quote verification as a real one does; every query embedding is precomputed. What is
measured is the graph, the privacy guard, routing, retrieval over Qdrant and BM25, the answer's
verification, the checkpoint, the transcript, and the outbox transaction. Target: p95 ≤ 10 ms.
Prints figures (and how many generative answers were verified) and writes JSON.

    python bench/turns.py --turns 300 --json-out bench/out/turns.json
    python bench/turns.py --encryption on           # a fresh data key: rows and checkpoints encrypted
    python bench/turns.py --encryption rows-only    # rows encrypted, checkpoints written in clear

``bench/checkpoint_encryption.py`` runs the three settings alternately and compares them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "tenants"
MESSAGES = [
    "שלום",
    "מה המחיר של הלבנת שיניים?",
    "אני רוצה לקבוע תור לניקוי אבנית",
    "קוראים לי דנה כהן",
    "מחר ב-5",
    "עד מתי אתם פתוחים ביום שישי?",
    "כמה זמן מראש צריך לבטל תור?",
    "תודה רבה!",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=240)
    parser.add_argument("--json-out", default="bench/out/turns.json")
    parser.add_argument("--profile", default="", help="Write a cProfile of the measured turns to this file.")
    parser.add_argument(
        "--encryption",
        choices=["off", "on", "rows-only"],
        default="off",
        help="off: no data key; on: a fresh key (rows and checkpoints); rows-only: checkpoints in clear",
    )
    args = parser.parse_args()
    if args.encryption != "off":
        from cryptography.fernet import Fernet

        os.environ["SOCHEN_DATA_KEYS"] = "bench:" + Fernet.generate_key().decode()
        os.environ["SOCHEN_LOOKUP_KEYS"] = "bench:" + Fernet.generate_key().decode()
    else:
        os.environ.pop("SOCHEN_DATA_KEYS", None)
    if args.encryption == "rows-only":
        from sochen.agents import checkpoints

        checkpoints.FernetCipher.encrypt = lambda self, plaintext: ("plain", plaintext)  # type: ignore[method-assign]

    home = Path(tempfile.mkdtemp(prefix="sochen-turns-"))
    os.environ["SOCHEN_HOME"] = str(home)
    os.environ["SOCHEN_ENVIRONMENT"] = "test"
    script = home / "script.yaml"
    script.write_text('- match: "."\n  json: {found: true, answer: "לפי המחירון", citations: []}\n', encoding="utf-8")
    from sochen.config import get_settings, load_tenant_file
    from sochen.db.migrate import upgrade
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version
    from sochen.llm.providers.base import RawCompletion, Usage
    from sochen.llm.providers.scripted import ScriptedProvider
    from sochen.rag.ingest import ingest_paths
    from sochen.rag.retriever import Retriever
    from sochen.tenancy import resolver_for
    from sochen.workflows.conversations import Inbound, handle_message

    def quote_first_passage(self, messages, *, schema, timeout):  # type: ignore[no-untyped-def]
        """Answer with the first words of passage [1], cited: what a grounded model returns."""
        user = next((m.content for m in reversed(messages) if m.role == "user"), "")
        found = re.search(r"^\[1\][^\n]*\n(.+?)(?:\n\n\[\d+\]|\n\nשאלה:)", user, re.S | re.M)
        quote = " ".join((found.group(1) if found else "").split()[:10])
        answer = {"found": bool(quote), "answer": quote, "citations": [{"n": 1, "quote": quote}] if quote else []}
        text = json.dumps(answer, ensure_ascii=False)
        return RawCompletion(text, Usage(len(user) // 4, len(text) // 4), self.config.model)

    ScriptedProvider._complete = quote_first_passage  # type: ignore[method-assign]

    settings = get_settings()
    settings.ensure_home()
    upgrade(settings.database_url)
    loaded = load_tenant_file(EXAMPLES / "clinic" / "tenant.yaml")
    models = loaded.config.models.model_copy(
        update={
            "providers": {
                "local": type(loaded.config.models.providers["local"]).model_validate(
                    {"kind": "scripted", "model": "scripted-bench", "locality": "local", "model_path": str(script)}
                )
            },
            "policy": loaded.config.models.policy.model_copy(
                update={"mode": "local_only", "local": ["local"], "api": []}
            ),
        }
    )
    cfg = loaded.config.model_copy(update={"models": models})
    with session_scope(settings.database_url) as session:
        store_version(
            session,
            slug="clinic",
            name=cfg.name,
            config=cfg.model_dump(mode="json"),
            digest=cfg.digest(),
            source_text="",
            source_path=None,
        )
    retriever = Retriever(settings)
    ingest_paths(retriever, "clinic", [loaded.resolve("docs")])
    tenant = resolver_for(settings).version("clinic")
    embedder = retriever.embedder(tenant)
    vectors = {m: embedder.embed_query(m) for m in MESSAGES}  # precomputed: model time is not measured
    embedder.embed_query = lambda text: vectors.get(text, next(iter(vectors.values())))  # type: ignore[method-assign]

    from sochen.tenancy import resolver_for

    tenant = resolver_for(settings).version("clinic")  # the version just stored (no promotion in a bench)
    timings: list[float] = []
    cpu: list[float] = []
    modes: dict[str, int] = {}
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    for i in range(args.turns):
        if profiler is not None and i == len(MESSAGES):
            profiler.enable()
        text = MESSAGES[i % len(MESSAGES)]
        contact = f"97250{1000000 + i // len(MESSAGES):07d}"
        inbound = Inbound(
            "clinic", "whatsapp", contact, text, f"wamid.bench.{i}", datetime.now(UTC), "דנה", f"+{contact}"
        )
        t0, c0 = time.perf_counter(), time.process_time()
        result = handle_message(settings, inbound, retriever=retriever, tenant=tenant)
        timings.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        mode = result.outcome.get("reply_mode", "?")
        modes[mode] = modes.get(mode, 0) + 1
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    warm = timings[len(MESSAGES) :]  # the first conversation loads models and opens stores
    warm_cpu = cpu[len(MESSAGES) :]
    figures = {
        "turns": len(warm),
        "p50_ms": round(float(np.percentile(warm, 50)), 2),
        "p95_ms": round(float(np.percentile(warm, 95)), 2),
        "mean_ms": round(statistics.mean(warm), 2),
        "max_ms": round(max(warm), 2),
        # CPU time of the process per turn (all its threads): steadier than wall time on a busy machine.
        "cpu_p50_ms": round(float(np.percentile(warm_cpu, 50)), 2),
        "cpu_p95_ms": round(float(np.percentile(warm_cpu, 95)), 2),
        "cpu_mean_ms": round(statistics.mean(warm_cpu), 2),
        "reply_modes": modes,
        "database": "sqlite (embedded)",
        "encryption": args.encryption,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "target_p95_ms": 10,
    }
    out = Path(args.json_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
