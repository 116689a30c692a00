"""The lexical sparse vectors are BM25 with the collection's own average chunk length (sochen.rag.sparse_stats).

Measured at ingest, stored per collection (``kb_collections``), the vectors rewritten when it drifts
more than ``AVG_LEN_DRIFT`` — on the embedded default (Qdrant Edge) and the server path alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from sochen.config import get_settings
from sochen.db.models import Chunk, KbCollection
from sochen.db.session import session_scope
from sochen.rag import sparse_stats
from sochen.rag.ingest import delete_documents, ingest_paths
from sochen.rag.lexical import LEGACY_AVG_LEN, sparse_query
from sochen.rag.retriever import Retriever
from sochen.rag.store import collection_name

# A clinic's price list: one short section per kind of treatment (a chunk each), and one longer section of
# after-care instructions that says "הלבנת שיניים" three times in passing.
PRICES = """# מחירון המרפאה

## טיפולים אסתטיים

הלבנת שיניים במרפאה: 1,400 ש"ח.

## ניקוי

ניקוי אבנית ושיננית: 350 ש"ח.

## סתימות

סתימה לבנה בשן אחת: 450 ש"ח.

## כתרים

כתר חרסינה כולל מבנה: 3,200 ש"ח.

## בדיקות

בדיקה וצילום: 180 ש"ח.

## הוראות אחרי טיפול

אחרי הלבנת שיניים אין לשתות קפה, תה או יין אדום במשך יומיים, ואין לעשן. רגישות קלה אחרי הלבנת שיניים
חולפת בדרך כלל תוך יום או יומיים; אם היא נמשכת, התקשרו למרפאה. אחרי עקירה יש לנשוך פד גזה חצי שעה,
לא לשטוף את הפה ביום הראשון ולא לאכול מזון חם. את תוצאת הלבנת שיניים שומרים בצחצוח פעמיים ביום.
"""

LONG_DOC = "# נוהל קבלת מטופלים\n\n" + "\n\n".join(
    f"## שלב {i}\n\n"
    + " ".join(
        [
            "המזכירות מאמתת את פרטי המטופל, את ההפניה ואת ההתחייבות של קופת החולים לפני הטיפול,",
            "ומתעדת בתיק את הטיפולים הקודמים, את הרגישויות הידועות ואת התרופות הקבועות שהוא נוטל.",
            "כאשר חסר מסמך, המטופל מתבקש להביא אותו בביקור הבא או לשלוח אותו בדואר אלקטרוני למרפאה.",
        ]
    )
    for i in range(1, 7)
)


def _folder(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for fname, text in files.items():
        (folder / fname).write_text(text, encoding="utf-8")
    return folder


def _engine_vs_bm25(retriever: Retriever, slug: str, query: str) -> tuple[dict[str, float], dict[str, float]]:
    """The engine's lexical scores and textbook BM25's (in process, the tenant's own average) by chunk id."""
    ctx = retriever.tenant(slug)
    name = collection_name(ctx.id, retriever.embedder(ctx).key, ctx.kb_generation)
    engine = dict(retriever.store.sparse_search(name, sparse_query(query), 100))
    catalog = retriever.catalog(ctx)
    scores = catalog.bm25.scores(query)
    bm25 = {c.chunk_id: float(scores[i]) for i, c in enumerate(catalog.chunks) if scores[i] > 0}
    return engine, bm25


def _assert_same_scores(engine: dict[str, float], bm25: dict[str, float]) -> None:
    assert engine.keys() == bm25.keys()
    for cid, score in bm25.items():
        assert engine[cid] == pytest.approx(score, rel=1e-3)


def _stored(url: str, retriever: Retriever, slug: str) -> float | None:
    ctx = retriever.tenant(slug)
    return sparse_stats.stored_avg(url, collection_name(ctx.id, retriever.embedder(ctx).key, ctx.kb_generation))


def test_a_short_chunk_tenant_ranks_the_short_section_about_the_word_first(
    make_tenant, any_store_retriever, tmp_path, any_database_url
):
    retriever = any_store_retriever
    make_tenant("clinic")
    ingest_paths(retriever, "clinic", [_folder(tmp_path, "docs", {"prices.md": PRICES})])
    ctx = retriever.tenant("clinic")
    name = collection_name(ctx.id, retriever.embedder(ctx).key)
    measured, count = sparse_stats.measure(any_database_url, ctx.id)
    assert count == 6 and measured is not None and measured < 0.5 * LEGACY_AVG_LEN  # short chunks
    assert _stored(any_database_url, retriever, "clinic") == pytest.approx(measured)

    query = "כמה עולה הלבנת שיניים?"
    ranked = retriever.store.sparse_search(name, sparse_query(query), 10)
    first = retriever.catalog(ctx).chunks[retriever.catalog(ctx).index_of[ranked[0][0]]]
    # With an assumed average of 150 terms (the tenant's is ~32) length hardly counted, and the after-care
    # section (the words three times, in a chunk six times longer) came first; with the tenant's own average
    # the price does.
    assert first.section == "טיפולים אסתטיים" and "1,400" in first.text
    _assert_same_scores(*_engine_vs_bm25(retriever, "clinic", query))


def test_the_vectors_are_rewritten_when_the_average_drifts_and_kept_when_it_does_not(
    make_tenant, any_store_retriever, tmp_path, any_database_url
):
    retriever = any_store_retriever
    make_tenant("clinic")
    ingest_paths(retriever, "clinic", [_folder(tmp_path, "docs", {"prices.md": PRICES})])
    short = _stored(any_database_url, retriever, "clinic")
    assert short is not None

    # One more short section: the average moves by less than AVG_LEN_DRIFT; nothing is rewritten.
    ingest_paths(retriever, "clinic", [_folder(tmp_path, "more", {"x.md": "# שעות\n\nהמרפאה פתוחה א׳–ה׳ 8:00–19:00."})])
    assert _stored(any_database_url, retriever, "clinic") == short

    # Long sections: the average more than doubles; the stored one follows and every vector is rewritten.
    ingest_paths(retriever, "clinic", [_folder(tmp_path, "long", {"intake.md": LONG_DOC})])
    ctx = retriever.tenant("clinic")
    measured, _count = sparse_stats.measure(any_database_url, ctx.id)
    assert measured is not None and measured > 1.5 * short
    assert _stored(any_database_url, retriever, "clinic") == pytest.approx(measured)
    for query in ("כמה עולה הלבנת שיניים?", "מה צריך להביא לביקור?", "מה שעות הפתיחה של המרפאה?"):
        _assert_same_scores(*_engine_vs_bm25(retriever, "clinic", query))

    # Deleting the long document brings the average back down: rewritten again. (The engine's IDF may still
    # count the deleted points until it optimises its segments, so only the order is compared here.)
    delete_documents(retriever, "clinic", [str(tmp_path / "long" / "intake.md")])
    after, _count = sparse_stats.measure(any_database_url, ctx.id)
    assert after is not None and after < 0.8 * measured
    assert _stored(any_database_url, retriever, "clinic") == pytest.approx(after)
    engine, bm25 = _engine_vs_bm25(retriever, "clinic", "כמה עולה הלבנת שיניים?")
    assert sorted(engine, key=engine.__getitem__) == sorted(bm25, key=bm25.__getitem__)


def test_a_collection_written_with_the_old_constant_is_measured_and_rewritten_by_the_next_ingest(
    make_tenant, any_store_retriever, tmp_path, any_database_url
):
    retriever = any_store_retriever
    make_tenant("clinic")
    docs = _folder(tmp_path, "docs", {"prices.md": PRICES})
    ingest_paths(retriever, "clinic", [docs])
    ctx = retriever.tenant("clinic")
    name = collection_name(ctx.id, retriever.embedder(ctx).key)
    # As an upgrade finds it: vectors written with 150, no stored average, no lengths on the rows.
    with session_scope(any_database_url) as session:
        rows = session.execute(select(Chunk.id, Chunk.section, Chunk.text).where(Chunk.tenant_id == ctx.id)).all()
        session.execute(update(Chunk).where(Chunk.tenant_id == ctx.id).values(lexical_length=None))
        session.query(KbCollection).delete()
    sparse_stats.rewrite(retriever, name, [(r.id, "מחירון המרפאה", r.section, r.text) for r in rows], LEGACY_AVG_LEN)
    engine, bm25 = _engine_vs_bm25(retriever, "clinic", "כמה עולה הלבנת שיניים?")
    assert max(engine, key=engine.__getitem__) != max(bm25, key=bm25.__getitem__)  # the constant misranks

    report = ingest_paths(retriever, "clinic", [docs])  # nothing changed: no file is embedded again
    assert report.unchanged and not report.added and not report.updated
    measured, _count = sparse_stats.measure(any_database_url, ctx.id)
    assert _stored(any_database_url, retriever, "clinic") == pytest.approx(measured)
    _assert_same_scores(*_engine_vs_bm25(retriever, "clinic", "כמה עולה הלבנת שיניים?"))


def test_a_rebuild_writes_its_collection_with_the_measured_average(make_tenant, any_store_retriever, tmp_path):
    from sochen.rag.rebuild import rebuild

    retriever = any_store_retriever
    make_tenant("clinic")
    ingest_paths(retriever, "clinic", [_folder(tmp_path, "docs", {"prices.md": PRICES, "intake.md": LONG_DOC})])
    report = rebuild(retriever, "clinic")
    assert report.generation == 1
    assert sparse_stats.stored_avg(get_settings().database_url, report.collection) is not None
    _assert_same_scores(*_engine_vs_bm25(retriever, "clinic", "כמה עולה הלבנת שיניים?"))


def test_points_gone_meanwhile_are_skipped_not_recreated(make_tenant, any_store_retriever, tmp_path):
    retriever = any_store_retriever
    make_tenant("clinic")
    ingest_paths(retriever, "clinic", [_folder(tmp_path, "docs", {"prices.md": PRICES})])
    ctx = retriever.tenant("clinic")
    name = collection_name(ctx.id, retriever.embedder(ctx).key)
    ids = sorted(retriever.store.point_ids(name))
    done = retriever.store.update_sparse(
        name, [ids[0], "00000000-0000-0000-0000-000000000000"], [([1, 2], [0.5, 0.5]), ([1], [1.0])]
    )
    assert done == 1
    assert sorted(retriever.store.point_ids(name)) == ids


def test_an_ingest_that_wrote_its_points_before_a_new_average_was_set_rewrites_them(
    make_tenant, retriever, tmp_path, any_database_url, monkeypatch
):
    make_tenant("clinic")
    ingest_paths(retriever, "clinic", [_folder(tmp_path, "docs", {"prices.md": PRICES})])
    ctx = retriever.tenant("clinic")
    name = collection_name(ctx.id, retriever.embedder(ctx).key)
    stored = _stored(any_database_url, retriever, "clinic")
    assert stored is not None

    upsert = retriever.store.upsert

    def upsert_then_another_rewrite_sets_a_new_average(*args, **kwargs):
        upsert(*args, **kwargs)
        sparse_stats.set_avg(any_database_url, ctx.id, name, 2 * stored)  # committed before this ingest's row swap

    rewrites: list[tuple[int, float]] = []
    rewrite = sparse_stats.rewrite

    def spy(retriever_, name_, rows, avg):
        rewrites.append((len(rows), avg))
        return rewrite(retriever_, name_, rows, avg)

    monkeypatch.setattr(retriever.store, "upsert", upsert_then_another_rewrite_sets_a_new_average)
    monkeypatch.setattr(sparse_stats, "rewrite", spy)
    ingest_paths(retriever, "clinic", [_folder(tmp_path, "more", {"x.md": "# שעות\n\nהמרפאה פתוחה א׳–ה׳ 8:00–19:00."})])
    # Its swap read the new average under the tenant's lock and rewrote its own point with it.
    assert rewrites[0] == (1, pytest.approx(2 * stored))
