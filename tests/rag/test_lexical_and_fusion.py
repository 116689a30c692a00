import pytest

from sochen.config.sections.knowledge import RetrievalConfig
from sochen.rag.lexical import BM25Index, query_terms, sparse_query, sparse_vector
from sochen.rag.retriever import fuse

pytestmark = pytest.mark.unit

DOCS = [
    "המשכיר ימסור לשוכר את המושכר ביום 1.1.2027.",
    'השוכר ישלם דמי שכירות בסך 5,000 ש"ח לחודש.',
    "הצדדים מתחייבים לשמור על סודיות המידע למשך שלוש שנים.",
    "משכורת העובד תשולם עד ה-9 בכל חודש.",
]


def test_prefixed_query_finds_unprefixed_document():
    index = BM25Index.from_texts(DOCS)
    best, _ = index.top("מה נאמר על הסודיות?", 1)[0]
    assert best == 2
    best, _ = index.top("כמה ישולם בדמי השכירות", 1)[0]
    assert best == 1


def test_surface_match_outranks_stem_match():
    index = BM25Index.from_texts(["החוזה נחתם", "חוזה נחתם"])
    ranked = index.top("החוזה", 2)
    assert ranked[0][0] == 0


def test_words_starting_with_prefix_letters_still_match_whole():
    index = BM25Index.from_texts(DOCS)
    assert index.top("משכורת", 1)[0][0] == 3


def test_no_match_returns_nothing_and_mask_filters():
    import numpy as np

    index = BM25Index.from_texts(DOCS)
    assert index.top("קנגורו", 3) == []
    allowed = np.array([True, False, True, True])
    assert all(i != 1 for i, _ in index.top("דמי שכירות", 4, allowed=allowed))


def test_query_terms_weights():
    terms = query_terms("בחוזה")
    assert terms["בחוזה"] == 1.0
    assert 0 < terms["חוזה"] < 1.0


def test_sparse_vectors_are_sorted_and_positive():
    ids, values = sparse_vector(DOCS[1])
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert all(v > 0 for v in values)
    q_ids, _ = sparse_query("דמי שכירות")
    assert set(q_ids) & set(ids)


def test_rrf_fusion_weights_and_ranks():
    cfg = RetrievalConfig(fusion="rrf", rrf_k=60, dense_weight=1.0, lexical_weight=2.0)
    dense = [("a", 0.9), ("b", 0.8)]
    lexical = [("b", 12.0), ("c", 3.0)]
    fused = fuse([(dense, cfg.dense_weight), (lexical, cfg.lexical_weight)], cfg)
    assert [cid for cid, _, _ in fused] == ["b", "c", "a"]
    assert fused[0][2] == [2, 1]


def test_weighted_fusion_normalises_scores():
    cfg = RetrievalConfig(fusion="weighted", dense_weight=1.0, lexical_weight=1.0)
    fused = fuse([([("a", 0.9), ("b", 0.1)], 1.0), ([("b", 30.0), ("a", 10.0)], 1.0)], cfg)
    assert {cid for cid, _, _ in fused} == {"a", "b"}
    assert fused[0][1] == pytest.approx(1.0)


def test_zero_weight_list_is_ignored():
    cfg = RetrievalConfig(fusion="rrf", dense_weight=0.0, lexical_weight=1.0)
    fused = fuse([([("a", 0.9)], 0.0), ([("b", 1.0)], 1.0)], cfg)
    assert [cid for cid, _, _ in fused] == ["b"]


def test_weighted_fusion_single_result_list_still_counts():
    cfg = RetrievalConfig(fusion="weighted")
    fused = dict((cid, score) for cid, score, _ in fuse([([("a", 0.9), ("b", 0.5)], 1.0), ([("b", 4.0)], 1.0)], cfg))
    assert fused == {"a": 1.0, "b": 1.0}
