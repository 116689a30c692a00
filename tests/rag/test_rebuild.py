"""Rebuilding a tenant's collection with the current settings: `sochen ingest --rebuild` (sochen.rag.rebuild)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sochen.db.models import Chunk, Tenant
from sochen.db.session import session_scope
from sochen.rag import rebuild as rebuild_module
from sochen.rag.ingest import ingest_paths
from sochen.rag.rebuild import rebuild
from sochen.rag.store import collection_name

CHUNK_VECTORS_ONLY = "knowledge:\n  chunking: {sentence_vectors: false}\n"
QUESTION = "כמה ערבות בנקאית צריך השוכר למסור?"
NEW_DOCUMENT = "נוהל חניה: לכל דייר מוקצה מקום חניה אחד במרתף, ואורחים חונים ברחוב בלבד."


def _state(url: str, slug: str) -> tuple[int, int, list[str]]:
    with session_scope(url) as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one()
        chunks = sorted(session.scalars(select(Chunk.id).where(Chunk.tenant_id == tenant.id)))
        return tenant.kb_generation, tenant.kb_revision, chunks


def _old_tenant(make_tenant, retriever, docs: Path) -> str:
    """A tenant ingested with chunk vectors only, whose configuration now asks for sentence vectors."""
    make_tenant("firm", CHUNK_VECTORS_ONLY)
    ingest_paths(retriever, "firm", [docs])
    make_tenant("firm")  # a new version: sentence vectors on (the default)
    return "firm"


def test_rebuild_gives_an_old_collection_sentence_vectors_and_keeps_the_rows(
    make_tenant, retriever, docs, any_database_url
):
    slug = _old_tenant(make_tenant, retriever, docs)
    ctx = retriever.tenant(slug)
    key = retriever.embedder(ctx).key
    old = collection_name(ctx.id, key)
    assert not retriever.store.has_sentences(old)  # the setting alone does not change a collection
    before = retriever.search(slug, QUESTION, top_k=3)
    assert "15,000" in before[0].text
    generation, revision, chunk_ids = _state(any_database_url, slug)
    assert generation == 0

    report = rebuild(retriever, slug)

    assert (report.generation_before, report.generation) == (0, 1)
    assert report.sentence_vectors and report.chunks == len(chunk_ids) and report.rounds == 1
    new = collection_name(ctx.id, key, 1)
    assert report.collection == new and retriever.store.has_sentences(new)
    assert old not in retriever.store.collections() and new in retriever.store.collections()
    assert set(retriever.store.point_ids(new)) == set(chunk_ids)  # point ids are the chunk ids
    assert _state(any_database_url, slug) == (1, revision + 1, chunk_ids)  # rows untouched, one switch
    after = retriever.search(slug, QUESTION, top_k=3)
    assert after[0].chunk_id == before[0].chunk_id and after[0].section == before[0].section
    # An ingest after the rebuild writes to the live collection, with sentence vectors.
    new_doc = docs / "חניה.txt"
    new_doc.write_text(NEW_DOCUMENT, encoding="utf-8")
    assert ingest_paths(retriever, slug, [new_doc]).added == [str(new_doc.resolve())]
    assert "מרתף" in retriever.search(slug, "איפה חונים הדיירים?", top_k=1)[0].text


def test_a_rebuild_stopped_before_its_switch_leaves_search_on_the_old_collection(
    make_tenant, retriever, docs, any_database_url, monkeypatch
):
    slug = _old_tenant(make_tenant, retriever, docs)
    before = _state(any_database_url, slug)

    def crash(*args, **kwargs):
        raise RuntimeError("התהליך נעצר באמצע")

    monkeypatch.setattr(rebuild_module, "_switch", crash)
    with pytest.raises(RuntimeError):
        rebuild(retriever, slug)
    assert _state(any_database_url, slug) == before
    assert "15,000" in retriever.search(slug, QUESTION, top_k=1)[0].text  # still the old collection
    monkeypatch.undo()
    report = rebuild(retriever, slug)  # drops the unfinished collection and starts again
    assert report.generation == 1 and report.chunks == len(before[2])
    assert "15,000" in retriever.search(slug, QUESTION, top_k=1)[0].text


def test_documents_ingested_during_a_rebuild_reach_the_new_collection(
    make_tenant, retriever, docs, tmp_path, monkeypatch
):
    slug = _old_tenant(make_tenant, retriever, docs)
    stale = retriever.tenant(slug)  # resolved before the rebuild: generation 0
    during, late = tmp_path / "during", tmp_path / "late"
    during.mkdir()
    late.mkdir()
    (during / "חניה.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    (late / "מחסנים.txt").write_text("כל דירה כוללת מחסן בקומת הקרקע בשטח שישה מטרים רבועים.", encoding="utf-8")
    switch = rebuild_module._switch
    calls = []

    def ingest_then_switch(*args, **kwargs):
        if not calls:  # the documents change after the chunks were read: one more round carries them over
            ingest_paths(retriever, slug, [during])
        calls.append(1)
        return switch(*args, **kwargs)

    monkeypatch.setattr(rebuild_module, "_switch", ingest_then_switch)
    report = rebuild(retriever, slug)
    assert report.rounds == 2
    assert "מרתף" in retriever.search(slug, "איפה חונים הדיירים?", top_k=1)[0].text

    # An ingest still holding the old generation writes its points to the old collection; under the tenant's
    # lock it sees the switch, and writes the document again into the live one.
    result = ingest_paths(retriever, stale, [late])
    assert result.added == [str((late / "מחסנים.txt").resolve())] and not result.failed
    assert "מחסן" in retriever.search(slug, "האם יש מחסן לדירה?", top_k=1)[0].text
    live = retriever.tenant(slug)
    assert live.kb_generation == 1
    assert collection_name(live.id, retriever.embedder(live).key) not in retriever.store.collections()
