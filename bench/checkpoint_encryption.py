"""Turn latency with and without encryption at rest, checkpoints included (bench/turns.py, alternated).

    python bench/checkpoint_encryption.py --turns 150 --rounds 2 --json-out bench/out/checkpoint_encryption.json

Each round runs ``bench/turns.py`` three times in fresh processes and fresh SOCHEN_HOMEs — ``off`` (no
data key), ``rows-only`` (rows encrypted, checkpoints in clear: the state before checkpoint encryption)
and ``on`` (rows and checkpoints encrypted) — in a rotating order, so a burst of load on a shared machine
does not land on one setting only. Prints p50/p95 per run with the 1-minute load average at its end, the
medians per setting, and the serializer's own cost (one checkpoint-sized state written and read back,
plain and encrypted: less sensitive to a busy machine); writes it all as JSON. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SETTINGS = ("off", "rows-only", "on")


def serializer_cost(iterations: int = 2000) -> dict[str, float]:
    """µs to write and read back one checkpoint-sized state (≈2 KB, Hebrew) with and without encryption."""
    import time

    from cryptography.fernet import Fernet
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    os.environ["SOCHEN_DATA_KEYS"] = "bench:" + Fernet.generate_key().decode()
    from sochen.agents.checkpoints import checkpoint_serde
    from sochen.db.crypto import reset_keys

    reset_keys()
    turn = {"reply": "שלום דנה, קבעתי לך תור לניקוי אבנית מחר ב-17:00 אצל ד״ר לוי.", "intent": "book", "turn": 3}
    state = {
        "text": "אני רוצה לקבוע תור לניקוי אבנית, אפשר לחזור אליי ל-050-1234567",
        "slots": {"name": "דנה כהן", "phone": "+972501234567", "service": "ניקוי אבנית", "time": "מחר ב-5"},
        "processed": {f"wamid.{i}": turn for i in range(8)},
        "contact": {"id": "972501234567", "name": "דנה כהן", "phone": "+972501234567"},
    }
    out: dict[str, float] = {}
    for name, serde in (("plain", JsonPlusSerializer()), ("encrypted", checkpoint_serde())):
        start = time.perf_counter()
        for _ in range(iterations):
            serde.loads_typed(serde.dumps_typed(state))
        out[f"{name}_us"] = round((time.perf_counter() - start) / iterations * 1e6, 1)
    out["bytes_plain"] = len(JsonPlusSerializer().dumps_typed(state)[1])
    os.environ.pop("SOCHEN_DATA_KEYS", None)
    reset_keys()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json-out", default="bench/out/checkpoint_encryption.json")
    args = parser.parse_args()
    turns = Path(__file__).with_name("turns.py")
    runs = []
    for round_no in range(args.rounds):
        order = SETTINGS[round_no % 3 :] + SETTINGS[: round_no % 3]
        for setting in order:
            with tempfile.TemporaryDirectory(prefix="sochen-bench-") as tmp:
                out = Path(tmp) / "turns.json"
                env = {k: v for k, v in os.environ.items() if k not in ("SOCHEN_DATA_KEYS", "SOCHEN_HOME")}
                subprocess.run(
                    [
                        sys.executable,
                        str(turns),
                        "--turns",
                        str(args.turns),
                        "--encryption",
                        setting,
                        "--json-out",
                        str(out),
                    ],
                    check=True,
                    env=env,
                    stdout=subprocess.DEVNULL,
                )
                figures = json.loads(out.read_text(encoding="utf-8"))
            run = {
                "round": round_no + 1,
                "encryption": setting,
                "p50_ms": figures["p50_ms"],
                "p95_ms": figures["p95_ms"],
                "mean_ms": figures["mean_ms"],
                "turns": figures["turns"],
                "load_average_1m": figures["load_average"][0],
            }
            runs.append(run)
            print(json.dumps(run), flush=True)
    summary = {
        s: {
            "median_p50_ms": round(statistics.median(r["p50_ms"] for r in runs if r["encryption"] == s), 2),
            "median_p95_ms": round(statistics.median(r["p95_ms"] for r in runs if r["encryption"] == s), 2),
        }
        for s in SETTINGS
    }
    cost = serializer_cost()
    print(json.dumps({"serializer_write_and_read": cost}), flush=True)
    result = {
        "runs": runs,
        "summary": summary,
        "serializer_write_and_read": cost,
        "cpus": os.cpu_count(),
        "database": "sqlite (embedded)",
    }
    path = Path(args.json_out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
