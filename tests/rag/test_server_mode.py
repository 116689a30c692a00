"""The Qdrant-server code path (sparse IDF vectors, payload filters), exercised through qdrant-client's local
mode, which implements the same API: the retriever's callers see one interface in both modes."""

from __future__ import annotations

import pytest
from qdrant_client import QdrantClient

from sochen.config import get_settings
from sochen.rag.ingest import ingest_paths
from sochen.rag.retriever import Retriever
from sochen.rag.store import VectorStore
from tests.rag.samples import LEASE_MD


@pytest.fixture
def server_like_retriever(any_database_url, tmp_path):
    client = QdrantClient(path=str(tmp_path / "qdrant-server-like"))
    store = VectorStore(get_settings(), client=client)
    store.is_server = True  # take every server branch: sparse vectors, payload index, payload filters
    yield Retriever(get_settings(), store=store)
    client.close()


def test_server_path_uses_sparse_vectors_and_filters(make_tenant, server_like_retriever, docs, tmp_path):
    retriever = server_like_retriever
    make_tenant("firm")
    ingest_paths(retriever, "firm", [docs], tags=["matter:1"])
    other = tmp_path / "other"
    other.mkdir()
    (other / "lease2.md").write_text(LEASE_MD.replace("בסך 5,000", "בסך 8,800"), encoding="utf-8")
    ingest_paths(retriever, "firm", [other], tags=["matter:2"])

    ctx = retriever.tenant("firm")
    from sochen.rag.store import collection_name

    name = collection_name(ctx.id, retriever.embedder(ctx).key)
    assert retriever.store.has_sparse(name)
    assert retriever.store.has_sentences(name)  # the dense ranking scores each chunk by its best sentence

    hits = retriever.search("firm", "ערבות בנקאית אוטונומית", top_k=3)
    assert hits and "15,000" in hits[0].text
    assert hits[0].lexical_rank is not None  # the lexical ranking came from Qdrant's sparse vectors

    only_two = retriever.search("firm", "דמי שכירות חודשיים", top_k=10, tags=["matter:2"])
    assert only_two and all(h.source.endswith("lease2.md") for h in only_two)


def test_rebuild_on_the_server_path_switches_collections_and_keeps_the_answers(
    make_tenant, server_like_retriever, docs
):
    from sochen.rag.rebuild import rebuild
    from sochen.rag.store import collection_name

    retriever = server_like_retriever
    make_tenant("firm", "knowledge:\n  chunking: {sentence_vectors: false}\n")
    ingest_paths(retriever, "firm", [docs])
    make_tenant("firm")
    ctx = retriever.tenant("firm")
    old = collection_name(ctx.id, retriever.embedder(ctx).key)
    assert not retriever.store.has_sentences(old)
    report = rebuild(retriever, "firm")
    new = collection_name(ctx.id, retriever.embedder(ctx).key, 1)
    assert report.collection == new and retriever.store.has_sentences(new) and retriever.store.has_sparse(new)
    assert old in retriever.store.collections()  # kept for searches already on their way, until the grace
    from sochen.rag.ingest import reconcile

    reconcile(retriever, retriever.tenant("firm"), grace_s=0)
    assert old not in retriever.store.collections()
    hits = retriever.search("firm", "כמה ערבות בנקאית צריך השוכר למסור?", top_k=1)
    assert "15,000" in hits[0].text and hits[0].section.startswith("פרק ב")
