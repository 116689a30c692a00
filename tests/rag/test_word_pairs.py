"""Adjacent word pairs in the lexical sparse vectors (sochen.rag.lexical, LEXICAL_VERSION 2, rag9).

A question whose words stand together in one chunk and apart in another ranks the first higher, through
niqqud and prefixes too; a collection written before pairs (version 1) is rewritten by the next ingest —
on the embedded default (Qdrant Edge) and the server path alike, and in the in-process BM25.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from sochen.db.models import KbCollection
from sochen.db.session import session_scope
from sochen.rag import lexical, sparse_stats
from sochen.rag.ingest import ingest_paths
from sochen.rag.lexical import LEXICAL_VERSION, document_length, document_terms, query_terms, sparse_query
from sochen.rag.retriever import Retriever
from sochen.rag.store import collection_name

# "בית החולים" together in the parking notice (as "לבית החולים"); in the café notice "בית" and "החולים" apart, and
# "בית" without a prefix: without pairs the café notice scores higher on the words alone.
PARKING = """# מידע למבקרים

החניה הצמודה לבית החולים פתוחה בכל שעות היממה, והתשלום לפי שעה.
"""
CAFE = """# מידע למבקרים

בית הקפה בקומת הכניסה פתוח לכולם. החולים המאושפזים מקבלים ארוחות במחלקה, וגם החולים שבאים לבדיקה
יכולים לשבת בקפה עם המבקרים שלהם.
"""
LIBRARY = """# מידע למבקרים

הספרייה בקומה השנייה משאילה ספרים ועיתונים למאושפזים, בימים א׳–ה׳ בין עשר לשתיים.
"""

QUESTIONS = (
    "מה יש בבית החולים?",  # another prefix than the document's ("לבית")
    "מה יֵשׁ בְּבֵית הַחוֹלִים?",  # and niqqud
    "איך מגיעים לבית החולים?",
)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for fname, text in (("parking.md", PARKING), ("cafe.md", CAFE), ("library.md", LIBRARY)):
        (folder / fname).write_text(text, encoding="utf-8")
    return folder


def _lexical_first(retriever: Retriever, slug: str, query: str) -> tuple[str, str]:
    """The file of the engine's first lexical hit and of the in-process BM25's."""
    ctx = retriever.tenant(slug)
    name = collection_name(ctx.id, retriever.embedder(ctx).key, ctx.kb_generation)
    catalog = retriever.catalog(ctx)
    engine = retriever.store.sparse_search(name, sparse_query(query), 10)
    engine_first = catalog.chunks[catalog.index_of[engine[0][0]]]
    scores = catalog.bm25.scores(query)
    bm25_first = catalog.chunks[int(scores.argmax())]
    return Path(engine_first.source).name, Path(bm25_first.source).name


def test_a_pair_is_shared_across_prefixes_and_niqqud_and_not_counted_in_the_length():
    doc = document_terms("החניה הצמודה לבית החולים")
    for question in ("חונים בבית החולים", "חוֹנִים בְּבֵית הַחוֹלִים", "בית חולים"):
        asked = {t for t in query_terms(question) if t.startswith(lexical.PAIR)}
        assert asked & set(doc), question
    # The words of a pair are counted once, as words: the length is what it was without pairs.
    without = {t: v for t, v in doc.items() if not t.startswith(lexical.PAIR)}
    assert document_length(doc) == pytest.approx(sum(without.values()))
    # A pair never spans two lines (title, section and text are lines of their own).
    assert "^מבקרים החניה" not in document_terms("מידע למבקרים\nהחניה הצמודה")


def test_a_question_whose_words_stand_together_in_one_chunk_ranks_it_first(make_tenant, any_store_retriever, tmp_path):
    retriever = any_store_retriever
    make_tenant("hospital")
    ingest_paths(retriever, "hospital", [_folder(tmp_path)])
    for question in QUESTIONS:
        assert _lexical_first(retriever, "hospital", question) == ("parking.md", "parking.md"), question


def test_without_pairs_the_scattered_chunk_came_first(make_tenant, retriever, tmp_path, monkeypatch):
    # What the test above guards against: the same documents without pairs rank the café notice first.
    monkeypatch.setattr(lexical, "PAIR_WEIGHT", 0.0)
    make_tenant("hospital")
    ingest_paths(retriever, "hospital", [_folder(tmp_path)])
    for question in QUESTIONS[:2]:
        assert _lexical_first(retriever, "hospital", question) == ("cafe.md", "cafe.md"), question


def test_a_collection_written_without_pairs_is_rewritten_by_the_next_ingest(
    make_tenant, any_store_retriever, tmp_path, any_database_url, monkeypatch
):
    retriever = any_store_retriever
    make_tenant("hospital")
    docs = _folder(tmp_path)
    ingest_paths(retriever, "hospital", [docs])
    ctx = retriever.tenant("hospital")
    name = collection_name(ctx.id, retriever.embedder(ctx).key)
    assert sparse_stats.stored_version(any_database_url, name) == LEXICAL_VERSION
    # As an upgrade finds it: the vectors written before pairs, the collection's row at version 1.
    rows = sparse_stats.chunk_rows(any_database_url, ctx.id)
    with session_scope(any_database_url) as session:
        session.execute(update(KbCollection).where(KbCollection.name == name).values(lexical_version=1))
    avg = sparse_stats.stored_avg(any_database_url, name)
    assert avg is not None
    with monkeypatch.context() as m:
        m.setattr(lexical, "PAIR_WEIGHT", 0.0)
        sparse_stats.rewrite(retriever, name, rows, avg)
    assert _lexical_first(retriever, "hospital", QUESTIONS[0])[0] == "cafe.md"  # the old format misranks

    report = ingest_paths(retriever, "hospital", [docs])  # nothing changed: no file is embedded again
    assert report.unchanged and not report.added and not report.updated
    assert sparse_stats.stored_version(any_database_url, name) == LEXICAL_VERSION
    for question in QUESTIONS:
        assert _lexical_first(retriever, "hospital", question) == ("parking.md", "parking.md"), question


def test_a_collection_without_a_row_is_taken_as_the_oldest_version(
    make_tenant, any_store_retriever, tmp_path, any_database_url
):
    retriever = any_store_retriever
    make_tenant("hospital")
    docs = _folder(tmp_path)
    ingest_paths(retriever, "hospital", [docs])
    ctx = retriever.tenant("hospital")
    name = collection_name(ctx.id, retriever.embedder(ctx).key)
    with session_scope(any_database_url) as session:
        session.query(KbCollection).delete()
    assert sparse_stats.collection_avg(retriever, ctx, name, []) == lexical.LEGACY_AVG_LEN
    assert sparse_stats.stored_version(any_database_url, name) == lexical.LEGACY_LEXICAL_VERSION
    ingest_paths(retriever, "hospital", [docs])
    assert sparse_stats.stored_version(any_database_url, name) == LEXICAL_VERSION
