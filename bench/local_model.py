"""Local-model benchmark: a GGUF through the embedded ``llamacpp`` provider (xllamacpp), on the CPU.

    python bench/local_model.py [--fetched qwen-1.5b | --model-path FILE] [--threads 1]
                                [--json-out bench/out/local_model.json]

With neither option the bundled tiny model (Gemma 3 270M) is used. The opt-in Qwen model must be
fetched first (``sochen models fetch qwen-1.5b``); it is never fetched here. Reported per task:
prompt tokens, output tokens, wall seconds, prompt and generation tokens per second (from
llama.cpp's own timings on the loopback server), the structured answer, and whether it is right
by a fixed check. The tasks are Hebrew, on an example clinic's material:

- ``price``: ``{found, answer, citations}`` for a price that is in the context (must be found, 350);
- ``absent``: the same schema for a treatment the context lacks (must be ``found: false``);
- ``intent``: booking / question / handoff as a schema-constrained label.

Figures are printed and written as JSON; nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Literal

import requests
from pydantic import BaseModel, Field

from sochen.config.sections.models import ProviderConfig
from sochen.llm.providers import ProviderError, build_provider
from sochen.llm.providers.llamacpp import LlamaCppProvider, running_servers, shutdown_servers

CONTEXT = """[1] מחירון מרפאת השן "חיוך": בדיקה וצילום 180 ₪. ניקוי אבנית 350 ₪. הלבנת שיניים 1,200 ₪.
[2] שעות פעילות: א׳–ה׳ 08:00–19:00, ו׳ 08:00–13:00. בשבת המרפאה סגורה.
[3] ביטול תור: ביטול עד 24 שעות מראש ללא חיוב; אי-הגעה בלי הודעה — דמי ביטול 100 ₪."""

SYSTEM = (
    "אתה עוזר של מרפאת שיניים. ענה רק מתוך ההקשר. אם התשובה אינה בהקשר, החזר found=false. "
    "Answer only from the context; if it is not there, return found=false. Cite passage numbers."
)


class Grounded(BaseModel):
    found: bool
    answer: str = Field(max_length=200)
    citations: list[int] = Field(max_length=3)


class Intent(BaseModel):
    intent: Literal["booking", "question", "handoff"]


TASKS: list[dict[str, Any]] = [
    {
        "name": "price",
        "schema": Grounded,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"הקשר:\n{CONTEXT}\n\nשאלה: כמה עולה ניקוי אבנית?"},
        ],
        "check": lambda p: p.found and "350" in p.answer and 1 in p.citations,
    },
    {
        "name": "absent",
        "schema": Grounded,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"הקשר:\n{CONTEXT}\n\nשאלה: כמה עולה השתלת שיניים?"},
        ],
        "check": lambda p: not p.found,
    },
    {
        "name": "intent",
        "schema": Intent,
        "messages": [
            {
                "role": "system",
                "content": "סווג את ההודעה: booking = רוצה לקבוע תור; question = שאלה על מידע, מחיר או מדיניות; "
                "handoff = מבקש לדבר עם אדם.",
            },
            {"role": "user", "content": "היי, אפשר לקבוע תור לניקוי אבנית ביום שלישי בבוקר?"},
        ],
        "check": lambda p: p.intent == "booking",
    },
]


def _metrics(base_url: str, key: str) -> dict[str, float]:
    """llama.cpp's Prometheus counters (prompt and generated tokens and seconds)."""
    text = requests.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {key}"}, timeout=10).text
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("llamacpp:") and " " in line:
            name, value = line.split(" ", 1)
            out[name.removeprefix("llamacpp:")] = float(value)
    return out


def main() -> None:
    """Run the tasks once each and report."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fetched", help="an opt-in model fetched with `sochen models fetch` (e.g. qwen-1.5b)")
    ap.add_argument("--model-path", help="a GGUF file")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json-out", type=Path, default=Path("bench/out/local_model.json"))
    args = ap.parse_args()
    options: dict[str, Any] = {"threads": args.threads, "temperature": 0.0, "timeout_s": 600, "context_tokens": 2048}
    if args.fetched:
        options["fetched"] = args.fetched
    elif args.model_path:
        options["model_path"] = args.model_path
    label = args.fetched or (Path(args.model_path).stem if args.model_path else "gemma3-270m")
    provider = build_provider("bench", ProviderConfig(kind="llamacpp", model=label, locality="local", **options))
    assert isinstance(provider, LlamaCppProvider)
    started = time.perf_counter()
    provider.check()
    load_s = time.perf_counter() - started
    (base_url,) = running_servers().values()
    key = provider._endpoint()[1]
    assert key is not None
    results = []
    for task in TASKS:
        before = _metrics(base_url, key.get_secret_value())
        t0 = time.perf_counter()
        try:
            out = provider.complete(task["messages"], schema=task["schema"])
            parsed, error = out.parsed, None
            usage = (out.usage.input_tokens, out.usage.output_tokens)
        except ProviderError as exc:
            parsed, error, usage = None, f"{exc.kind}: {exc}", (0, 0)
        wall = time.perf_counter() - t0
        after = _metrics(base_url, key.get_secret_value())
        prompt_s = after.get("prompt_seconds_total", 0) - before.get("prompt_seconds_total", 0)
        gen_s = after.get("tokens_predicted_seconds_total", 0) - before.get("tokens_predicted_seconds_total", 0)
        row = {
            "task": task["name"],
            "prompt_tokens": usage[0],
            "output_tokens": usage[1],
            "wall_s": round(wall, 2),
            "prompt_tok_s": round(usage[0] / prompt_s, 1) if prompt_s else None,
            "gen_tok_s": round(usage[1] / gen_s, 1) if gen_s else None,
            "answer": parsed.model_dump() if parsed is not None else None,
            "correct": bool(parsed is not None and task["check"](parsed)),
            "error": error,
        }
        results.append(row)
        print(json.dumps(row, ensure_ascii=False))
    shutdown_servers()
    report = {"model": label, "threads": args.threads, "load_s": round(load_s, 2), "tasks": results}
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"load {load_s:.1f}s; correct {sum(r['correct'] for r in results)}/{len(results)}; -> {args.json_out}")


if __name__ == "__main__":
    main()
