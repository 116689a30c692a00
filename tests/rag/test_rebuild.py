"""Rebuilding a tenant's collection with the current settings: `sochen ingest --rebuild` (sochen.rag.rebuild)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from qdrant_client import QdrantClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sochen.config import get_settings
from sochen.db.models import Chunk, Tenant
from sochen.db.session import session_scope
from sochen.rag import rebuild as rebuild_module
from sochen.rag.ingest import delete_documents, ingest_paths, reconcile
from sochen.rag.rebuild import RebuildConflictError, RebuildInProgressError, rebuild
from sochen.rag.retriever import Retriever
from sochen.rag.store import VectorStore, collection_name

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
    # The old collection outlives the switch (a search or ingest may still be on it) until reconcile's grace.
    assert old in retriever.store.collections() and new in retriever.store.collections()
    reconcile(retriever, retriever.tenant(slug))
    assert old in retriever.store.collections()
    reconcile(retriever, retriever.tenant(slug), grace_s=0)
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
    reconcile(retriever, live, grace_s=0)
    assert collection_name(live.id, retriever.embedder(live).key) not in retriever.store.collections()


def test_a_second_rebuild_of_the_tenant_is_refused_and_leaves_the_first_alone(
    make_tenant, retriever, docs, any_database_url, monkeypatch
):
    slug = _old_tenant(make_tenant, retriever, docs)
    chunk_ids = _state(any_database_url, slug)[2]
    switch = rebuild_module._switch
    refused = []

    def second_rebuild_then_switch(*args, **kwargs):
        if not refused:  # the first has filled its collection; a second one starts before it switches
            with pytest.raises(RebuildInProgressError, match="another rebuild"):
                rebuild(retriever, slug)
            refused.append(1)
        return switch(*args, **kwargs)

    monkeypatch.setattr(rebuild_module, "_switch", second_rebuild_then_switch)
    report = rebuild(retriever, slug)
    assert refused and report.generation == 1
    ctx = retriever.tenant(slug)
    new = collection_name(ctx.id, retriever.embedder(ctx).key, 1)
    assert set(retriever.store.point_ids(new)) == set(chunk_ids)  # the second one dropped nothing
    assert "15,000" in retriever.search(slug, QUESTION, top_k=1)[0].text
    monkeypatch.undo()
    assert rebuild(retriever, slug).generation == 2  # the claim was released


def test_a_claim_left_by_a_crashed_rebuild_lapses(make_tenant, retriever, docs, any_database_url):
    slug = _old_tenant(make_tenant, retriever, docs)
    with session_scope(any_database_url) as session:
        session.execute(
            update(Tenant)
            .where(Tenant.slug == slug)
            .values(kb_rebuild_token="x" * 32, kb_rebuild_until=time.time() + 60)
        )
    with pytest.raises(RebuildInProgressError):
        rebuild(retriever, slug)
    assert _state(any_database_url, slug)[0] == 0
    with session_scope(any_database_url) as session:
        session.execute(update(Tenant).where(Tenant.slug == slug).values(kb_rebuild_until=time.time() - 1))
    assert rebuild(retriever, slug).generation == 1


def test_a_rebuild_never_drops_the_live_generation(make_tenant, retriever, docs, any_database_url):
    slug = _old_tenant(make_tenant, retriever, docs)
    ctx = retriever.tenant(slug)
    claim = rebuild_module._Claim(retriever, ctx, "c" * 32, 60.0)
    assert rebuild_module._claim(claim) == 0
    live = collection_name(ctx.id, retriever.embedder(ctx).key)
    with pytest.raises(RebuildConflictError, match="nothing dropped"):
        rebuild_module._drop_unless_live(claim, 0, live)
    assert live in retriever.store.collections()
    assert "15,000" in retriever.search(slug, QUESTION, top_k=1)[0].text


def test_a_switch_between_a_row_swaps_check_and_its_write_cannot_lose_the_document(
    make_tenant, retriever, docs, tmp_path, any_database_url, monkeypatch
):
    """The row swap decides by its conditional UPDATE: on SQLite a SELECT first would not hold the switch off."""
    slug = _old_tenant(make_tenant, retriever, docs)
    ctx = retriever.tenant(slug)
    claim = rebuild_module._Claim(retriever, ctx, "s" * 32, 60.0)
    before = rebuild_module._claim(claim)
    revision = _state(any_database_url, slug)[1]
    rebuild_module._drop_unless_live(claim, before + 1, collection_name(ctx.id, retriever.embedder(ctx).key, 1))
    late = tmp_path / "late"
    late.mkdir()
    (late / "מחסנים.txt").write_text("כל דירה כוללת מחסן בקומת הקרקע בשטח שישה מטרים רבועים.", encoding="utf-8")
    switched: list[bool] = []
    workers: list[threading.Thread] = []
    get = Session.get

    def switch_meanwhile(self, *args, **kwargs):
        if not workers:  # inside the row swap, past its generation check: a rebuild switches now
            workers.append(
                threading.Thread(target=lambda: switched.append(rebuild_module._switch(claim, before, revision)))
            )
            workers[0].start()
            workers[0].join(timeout=1.0)  # a switch that is not held off is done by now
        return get(self, *args, **kwargs)

    monkeypatch.setattr(Session, "get", switch_meanwhile)
    result = ingest_paths(retriever, ctx, [late])
    monkeypatch.undo()
    workers[0].join(timeout=40)
    assert switched == [False]  # held off by the swap's lock; then the revision had moved: no switch
    assert result.added and _state(any_database_url, slug)[0] == 0
    assert "מחסן" in retriever.search(slug, "האם יש מחסן לדירה?", top_k=1)[0].text


def test_documents_deleted_during_a_rebuild_leave_no_points_in_the_new_collection(
    make_tenant, retriever, docs, any_database_url, monkeypatch
):
    slug = _old_tenant(make_tenant, retriever, docs)
    switch = rebuild_module._switch
    calls = []

    def delete_then_switch(*args, **kwargs):
        if not calls:
            assert delete_documents(retriever, slug, [str(docs / "prices.md")])
        calls.append(1)
        return switch(*args, **kwargs)

    monkeypatch.setattr(rebuild_module, "_switch", delete_then_switch)
    report = rebuild(retriever, slug)
    assert report.rounds == 2
    chunk_ids = _state(any_database_url, slug)[2]
    assert set(retriever.store.point_ids(report.collection)) == set(chunk_ids)


@pytest.fixture
def local_mode_retriever(any_database_url, tmp_path):
    """qdrant-client's local mode: a search on a dropped collection raises, and filtered search uses matrices."""
    client = QdrantClient(path=str(tmp_path / "qdrant-local"))
    yield Retriever(get_settings(), store=VectorStore(get_settings(), client=client))
    client.close()


def test_a_search_resolved_before_a_switch_survives_the_old_collection_being_dropped(
    make_tenant, local_mode_retriever, docs
):
    retriever = local_mode_retriever
    slug = _old_tenant(make_tenant, retriever, docs)
    stale = retriever.tenant(slug)  # a conversation turn resolved the tenant before the switch
    prices = [h.document_id for h in retriever.search(stale, "מחירון", top_k=5) if h.source.endswith("prices.md")]
    assert retriever.search(stale, "מחירון", top_k=1, document_ids=prices[:1])  # ranked from a matrix
    assert {name for name, _ in retriever._matrices} == {collection_name(stale.id, retriever.embedder(stale).key)}
    rebuild(retriever, slug)
    reconcile(retriever, retriever.tenant(slug), grace_s=0)  # the old collection is gone
    assert collection_name(stale.id, retriever.embedder(stale).key) not in retriever.store.collections()
    assert "15,000" in retriever.search(stale, QUESTION, top_k=1)[0].text
    # A tight filter ranks in process from a matrix: the old generation's is evicted, not kept beside it.
    assert retriever.search(retriever.tenant(slug), "מחירון", top_k=1, document_ids=prices[:1])
    names = {name for name, _ in retriever._matrices}
    assert names == {collection_name(stale.id, retriever.embedder(stale).key, 1)}
