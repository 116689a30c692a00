"""The embedded default store, Qdrant Edge: the retriever's server branches, durability, and the upgrade
from qdrant-client's local mode."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sochen.config import get_settings
from sochen.rag.edge_store import EdgeStore, close_shards
from sochen.rag.ingest import ingest_paths
from sochen.rag.store import VectorStore, close_clients, collection_name, open_store


def _unit(n: int, dim: int = 8, seed: int = 3) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_the_embedded_default_is_qdrant_edge_and_a_url_is_a_server():
    settings = get_settings()
    assert isinstance(open_store(settings), EdgeStore)
    assert isinstance(open_store(settings.model_copy(update={"qdrant_url": "http://127.0.0.1:6333"})), VectorStore)


def test_edge_store_searches_dense_sparse_and_filters_in_the_engine(tmp_path: Path):
    store = EdgeStore(tmp_path / "qdrant")
    vectors = _unit(4)
    sparse = [([1, 5], [1.0, 0.5]), ([5, 9], [1.0, 1.0]), ([9], [2.0]), ([1], [0.3])]
    store.ensure_collection("c", 8, with_sparse=True)
    store.upsert(
        "c", [f"00000000-0000-0000-0000-00000000000{i}" for i in range(4)], vectors, ["א", "א", "ב", "ב"], sparse
    )
    assert store.has_sparse("c")
    best = store.dense_search("c", vectors[2], 4)
    assert best[0][0].endswith("2") and best[0][1] == pytest.approx(1.0, abs=1e-5)
    only_a = store.dense_search("c", vectors[2], 4, document_ids=["א"])
    assert {pid[-1] for pid, _ in only_a} == {"0", "1"}
    lexical = store.sparse_search("c", ([9], [1.0]), 4)
    assert [pid[-1] for pid, _ in lexical] == ["2", "1"]
    assert [pid[-1] for pid, _ in store.sparse_search("c", ([9], [1.0]), 4, document_ids=["א"])] == ["1"]
    store.delete("c", ["00000000-0000-0000-0000-000000000001"])
    assert len(store.point_ids("c")) == 3 and len(store.vectors("c")) == 3
    assert store.dense_search("missing", vectors[0], 3) == []
    store.drop("c")
    assert store.point_ids("c") == {}


def test_points_survive_a_process_killed_right_after_the_upsert(tmp_path: Path):
    folder = tmp_path / "qdrant"
    child = textwrap.dedent(
        f"""
        import os, numpy as np
        from sochen.rag.edge_store import EdgeStore
        store = EdgeStore({str(folder)!r})
        v = np.eye(4, dtype=np.float32)
        store.upsert("c", [f"00000000-0000-0000-0000-00000000000{{i}}" for i in range(4)], v, ["מסמך"] * 4)
        print("written", flush=True)
        os._exit(0)  # no flush, no close
        """
    )
    run = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=False)
    assert "written" in run.stdout, run.stderr
    close_shards()
    assert len(EdgeStore(folder).point_ids("c")) == 4


def test_a_local_mode_collection_is_copied_into_edge_on_first_open(tmp_path: Path):
    from qdrant_client import QdrantClient

    folder = tmp_path / "qdrant"
    legacy = VectorStore(get_settings(), client=QdrantClient(path=str(folder)))
    vectors = _unit(3)
    legacy.ensure_collection("c", 8, with_sparse=False)
    legacy.upsert("c", [f"00000000-0000-0000-0000-00000000000{i}" for i in range(3)], vectors, ["ישן"] * 3)
    legacy.client.close()

    store = EdgeStore(folder)
    assert set(store.point_ids("c")) == {f"00000000-0000-0000-0000-00000000000{i}" for i in range(3)}
    assert store.dense_search("c", vectors[1], 1)[0][0].endswith("1")
    assert not store.has_sparse("c")  # lexical stays in process until the documents are ingested again


def test_hebrew_search_with_access_tags_on_the_default_store(make_tenant, retriever, docs, tmp_path):
    assert isinstance(retriever.store, EdgeStore)
    make_tenant("firm")
    ingest_paths(retriever, "firm", [docs], tags=["matter:1"])
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.md").write_text("# פרוטוקול\n\nחברת אנבידיה תספק את השרתים עד סוף הרבעון.\n", encoding="utf-8")
    ingest_paths(retriever, "firm", [other], tags=["matter:2"])
    ctx = retriever.tenant("firm")
    assert retriever.store.has_sparse(collection_name(ctx.id, retriever.embedder(ctx).key))

    hits = retriever.search("firm", "מתי NVIDIA תספק את השרתים?", top_k=3)
    assert hits[0].source.endswith("note.md") and hits[0].lexical_rank == 1
    allowed = retriever.search("firm", "מתי NVIDIA תספק את השרתים?", top_k=3, tags=["matter:1"])
    assert allowed and all(not h.source.endswith("note.md") for h in allowed)
    close_clients()
