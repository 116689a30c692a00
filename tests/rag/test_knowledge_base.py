"""Ingestion and hybrid search end to end on the real embedder, Qdrant local mode and the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sochen.db.models import Chunk, Document
from sochen.db.session import session_scope
from sochen.db.tenants import TenantNotFoundError
from sochen.rag.ingest import delete_documents, ingest_paths, reconcile
from sochen.rag.store import collection_name
from tests.rag.samples import LEASE_MD


def test_hebrew_question_gets_the_clause_with_its_citation(make_tenant, retriever, docs):
    make_tenant("firm")
    report = ingest_paths(retriever, "firm", [docs])
    assert sorted(Path(p).name for p in report.added) == ["lease.md", "prices.md"]
    assert not report.failed

    hits = retriever.search("firm", "כמה דמי שכירות משלמים בחודש?", top_k=3)
    best = hits[0]
    assert "5,000" in best.text
    assert best.title == "הסכם שכירות בלתי מוגנת"
    assert "7.2" in best.section or "7" in best.section.split(" › ")
    assert best.document_id and best.chunk_id and best.source.endswith("lease.md")
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_prefixed_and_niqqud_queries_find_the_same_passage(make_tenant, retriever, docs):
    make_tenant("firm")
    ingest_paths(retriever, "firm", [docs])
    plain = retriever.search("firm", "ערבות בנקאית", top_k=1)[0]
    with_niqqud = retriever.search("firm", "וּבָעֲרֵבוּת הַבַּנְקָאִית", top_k=1)[0]
    assert plain.chunk_id == with_niqqud.chunk_id
    assert "15,000" in plain.text


def test_table_rows_are_searchable(make_tenant, retriever, docs):
    make_tenant("clinic")
    ingest_paths(retriever, "clinic", [docs])
    best = retriever.search("clinic", "מה המחיר של הלבנת שיניים?", top_k=1)[0]
    assert "1,200" in best.text
    assert best.source.endswith("prices.md")


def test_tenants_are_isolated(make_tenant, retriever, tmp_path):
    make_tenant("alpha")
    make_tenant("beta")
    for slug, amount in (("alpha", "5,000"), ("beta", "7,500")):
        folder = tmp_path / slug
        folder.mkdir()
        (folder / "lease.md").write_text(LEASE_MD.replace("5,000", amount), encoding="utf-8")
        ingest_paths(retriever, slug, [folder])
    for slug, amount, other in (("alpha", "5,000", "7,500"), ("beta", "7,500", "5,000")):
        hits = retriever.search(slug, "דמי שכירות חודשיים", top_k=20)
        assert hits
        assert all(f"/{slug}/" in h.source for h in hits)
        assert any(amount in h.text for h in hits)
        assert not any(other in h.text for h in hits)
    alpha, beta = retriever.tenant("alpha"), retriever.tenant("beta")
    key = retriever.embedder(alpha).key
    assert collection_name(alpha.id, key) != collection_name(beta.id, key)


def test_search_requires_a_known_tenant(make_tenant, retriever):
    with pytest.raises(TenantNotFoundError):
        retriever.search("nobody", "שאלה")
    make_tenant("empty")
    assert retriever.search("empty", "שאלה") == []
    assert retriever.search("empty", "   ") == []


def test_reingest_is_incremental(make_tenant, retriever, docs):
    make_tenant("firm")
    ingest_paths(retriever, "firm", [docs])
    again = ingest_paths(retriever, "firm", [docs])
    assert len(again.unchanged) == 2 and not again.added and not again.updated and again.chunks == 0

    lease = docs / "lease.md"
    lease.write_text(LEASE_MD.replace("5,000", "6,200"), encoding="utf-8")
    changed = ingest_paths(retriever, "firm", [docs])
    assert [Path(p).name for p in changed.updated] == ["lease.md"]
    texts = " ".join(h.text for h in retriever.search("firm", "דמי שכירות חודשיים", top_k=10))
    assert "6,200" in texts and "5,000" not in texts

    ctx = retriever.tenant("firm")
    name = collection_name(ctx.id, retriever.embedder(ctx).key)
    with session_scope(retriever.settings.database_url) as session:
        live = set(session.scalars(select(Chunk.id).where(Chunk.tenant_id == ctx.id)))
    assert set(retriever.store.point_ids(name)) == live  # old points were removed


def test_delete_and_sync_remove_chunks(make_tenant, retriever, docs):
    make_tenant("firm")
    ingest_paths(retriever, "firm", [docs])
    deleted = delete_documents(retriever, "firm", [str(docs / "prices.md")])
    assert [Path(p).name for p in deleted] == ["prices.md"]
    assert all(not h.source.endswith("prices.md") for h in retriever.search("firm", "הלבנת שיניים", top_k=10))

    ingest_paths(retriever, "firm", [docs])  # prices.md is back
    (docs / "lease.md").unlink()
    report = ingest_paths(retriever, "firm", [docs], sync=True)
    assert [Path(p).name for p in report.deleted] == ["lease.md"]
    with session_scope(retriever.settings.database_url) as session:
        sources = [Path(s).name for s in session.scalars(select(Document.source))]
    assert sources == ["prices.md"]


def test_bad_files_are_skipped_with_reasons_and_the_rest_continue(make_tenant, retriever, docs):
    make_tenant("firm")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntruncated")
    (docs / "data.xyz").write_bytes(b"\x00\x01")
    report = ingest_paths(retriever, "firm", [docs, docs / "missing.md"])
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert reasons["empty.txt"] == "empty"
    assert reasons["broken.pdf"] == "corrupt"
    assert reasons["data.xyz"] == "unsupported"
    assert reasons["missing.md"] == "missing"
    assert sorted(Path(p).name for p in report.added) == ["lease.md", "prices.md"]


def test_crash_mid_ingest_leaves_the_old_version_whole(make_tenant, retriever, docs, monkeypatch):
    import sochen.rag.ingest as ingest_module

    make_tenant("firm")
    ingest_paths(retriever, "firm", [docs])
    (docs / "lease.md").write_text(LEASE_MD.replace("5,000", "9,999"), encoding="utf-8")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut between the vectors and the rows")

    monkeypatch.setattr(ingest_module, "_swap_rows", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        ingest_paths(retriever, "firm", [docs / "lease.md"])
    monkeypatch.undo()

    texts = " ".join(h.text for h in retriever.search("firm", "דמי שכירות חודשיים", top_k=20))
    assert "5,000" in texts and "9,999" not in texts  # the new vectors exist but are not live
    ctx = retriever.tenant("firm")
    assert reconcile(retriever, ctx, grace_s=0) > 0  # the orphans are removed
    assert reconcile(retriever, ctx, grace_s=0) == 0

    report = ingest_paths(retriever, "firm", [docs / "lease.md"])
    assert report.updated
    texts = " ".join(h.text for h in retriever.search("firm", "דמי שכירות חודשיים", top_k=20))
    assert "9,999" in texts and "5,000" not in texts


def test_access_tags_and_document_filters(make_tenant, retriever, tmp_path):
    make_tenant("firm")
    for client in ("1001", "2002"):
        folder = tmp_path / client
        folder.mkdir()
        (folder / "lease.md").write_text(LEASE_MD.replace("5,000", f'{client} ש"ח'), encoding="utf-8")
        ingest_paths(retriever, "firm", [folder], tags=[f"client:{client}"])
    only = retriever.search("firm", "דמי שכירות", top_k=20, tags=["client:1001"])
    assert only and all("/1001/" in h.source for h in only)
    both = retriever.search("firm", "דמי שכירות", top_k=20, tags=["client:1001", "client:2002"])
    assert {Path(h.source).parent.name for h in both} == {"1001", "2002"}
    assert retriever.search("firm", "דמי שכירות", tags=["client:none"]) == []
    doc_id = only[0].document_id
    pinned = retriever.search("firm", "דמי שכירות", top_k=20, document_ids=[doc_id])
    assert pinned and {h.document_id for h in pinned} == {doc_id}


def test_retagging_a_document_reindexes_it(make_tenant, retriever, docs):
    make_tenant("firm")
    ingest_paths(retriever, "firm", [docs / "lease.md"], tags=["matter:1"])
    report = ingest_paths(retriever, "firm", [docs / "lease.md"], tags=["matter:2"])
    assert report.updated
    assert retriever.search("firm", "ערבות", tags=["matter:2"])
    assert retriever.search("firm", "ערבות", tags=["matter:1"]) == []


def test_tight_filter_in_local_mode_matches_qdrants_own_filter(make_tenant, retriever, tmp_path):
    make_tenant("firm")
    for client in ("1", "2", "3", "4", "5"):
        folder = tmp_path / client
        folder.mkdir()
        (folder / "lease.md").write_text(LEASE_MD.replace("בסך 5,000", f"בסך {client},500"), encoding="utf-8")
        ingest_paths(retriever, "firm", [folder], tags=[f"client:{client}"])
    hits = retriever.search("firm", "ערבות בנקאית", top_k=5, tags=["client:3"])
    assert hits and all("/3/" in h.source for h in hits)

    ctx = retriever.tenant("firm")
    name = collection_name(ctx.id, retriever.embedder(ctx).key)
    vector = retriever.embedder(ctx).embed_query("ערבות בנקאית")
    catalog = retriever.catalog(ctx)
    mask = catalog.mask(tags=["client:3"])
    assert mask.mean() < 0.5  # the in-process path
    mine = retriever._dense_subset(name, vector, 5, catalog, mask)
    qdrants = retriever.store.dense_search(name, vector, 5, document_ids=catalog.allowed_document_ids(mask))
    assert [cid for cid, _ in mine] == [cid for cid, _ in qdrants]
    assert [round(s, 4) for _, s in mine] == [round(s, 4) for _, s in qdrants]
