"""Hebrew-aware lexical ranking: BM25 over surface forms and prefix-stripped stems.

Every chunk is indexed under its normalised tokens (:func:`sochen.text.tokenize`) and, for Hebrew
tokens, their candidate stems (``בחוזה`` → ``חוזה``), so a question about ``החוזה`` finds
``לחוזה``. Stems count with weight ``STEM_WEIGHT`` so that an exact surface match still ranks first.

Two coarser links are extra terms in their own namespaces, each at a lower weight
(see :mod:`sochen.text.variants`):
- a spelling key (``~`` + key, ``SPELLING_WEIGHT``) joins full and defective spelling and related
  forms (``איזור``/``אזור``, ``הנחיתו``/``הונחתו``, ``עירק``/``עיראקי``). The key is coarse
  (``גודל``/``גדול``, ``מחיר``/``מחר``, ``השינוי``/``השני`` share one), and it matches the exact word
  too, so its weight is kept low: it must find a variant, not reorder documents that have the
  question's own words (at 0.3, collisions lifted neighbours of the right chunk; HeQ val, lexical
  ranking alone, hit@1 0.872 at 0.3, 0.879 at 0.1, 0.883 without keys);
- a sound key joins a name in Hebrew letters with the same name in Latin letters (``אנבידיה``/
  ``NVIDIA``), ``TRANSLIT_WEIGHT``. Documents index Hebrew words under ``@h`` keys and Latin words
  under ``@l`` keys; a query asks the *other* script's namespace, so two Hebrew words never match
  each other through a sound key.

Word pairs (``^`` + two forms, :data:`PAIR_WEIGHT`) are proximity evidence a sparse dot product can
score: every two adjacent words of a line of a chunk are indexed as a pair of each of their forms
(surface or prefix-stripped stem: ``בבית החולים`` gives ``^בבית החולים``, ``^בית החולים``,
``^בית חולים`` …), and each adjacent pair of a question's content words asks for its combinations,
sharing ``PAIR_WEIGHT`` among them — both words exact score the whole weight, a match through a stem
part of it. A question whose words stand together in one chunk and apart in another ranks the first
higher. Pairs are not counted in a chunk's length (they are the same words again). Because they change
what a sparse vector holds, the collection stores which :data:`LEXICAL_VERSION` its vectors were
written with, and a collection of an older version is rewritten (:mod:`sochen.rag.sparse_stats`).

A question's interrogatives (``מתי``, ``כמה``, ``באיזו``, ``מיהו`` …, :data:`QUESTION_WORDS`, with
their prefixes) are left out of the query: they say what kind of answer is wanted, never appear in
the sentence that gives it, and are rare in documents — so their IDF is high and the few chunks
that happen to contain them (a quoted question, an FAQ, "כמה" as "several") rose on them.
Documents keep every word.

Two implementations share :func:`query_terms` and the term weighting:
- :func:`sparse_vector` — the terms as a Qdrant sparse vector (hashed ids, BM25 document-side
  weights; Qdrant applies IDF with ``Modifier.IDF``), for a Qdrant server and Qdrant Edge. BM25's
  length normalisation divides a chunk's length by the collection's average length, and a sparse
  vector is fixed when it is written, so the average is a stored property of the collection
  (measured at ingest, :mod:`sochen.rag.sparse_stats`), passed in here; the query side needs none.
- :class:`BM25Index` — in-process, built from the chunks in the database: a query over 10,000
  chunks takes about a millisecond. Used for collections without sparse vectors (qdrant-client's
  local mode, whose own sparse search is far slower in Python).
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..text import hebrew_sound_key, latin_key, spelling_key, stems, tokenize

__all__ = [
    "AVG_LEN_DRIFT",
    "LEGACY_AVG_LEN",
    "LEGACY_LEXICAL_VERSION",
    "LEXICAL_VERSION",
    "PAIR_WEIGHT",
    "QUESTION_WORDS",
    "BM25Index",
    "document_length",
    "document_terms",
    "lexical_text",
    "query_terms",
    "sparse_from_terms",
    "sparse_vector",
]

K1 = 1.2
B = 0.75
STEM_WEIGHT = 0.6
SPELLING_WEIGHT = 0.1
TRANSLIT_WEIGHT = 0.6
PAIR_WEIGHT = 0.5
"""What one adjacent word pair of a question weighs in all, shared among its combinations of forms.

HeQ val (``bench/results/retrieval_50_rag8_trials.json``, ``retrieval_60_rag9*.json``): at 0.25, 0.5 and 1.0 the
pairs lifted hit@1 the same way (+1 to +2 questions over none at 0.25–0.5, fewer at 1.0); 0.5 is the middle.
"""
PAIR = "^"
"""The namespace of word-pair terms (no token starts with it)."""
LEXICAL_VERSION = 2
"""What the lexical sparse vectors hold, stored per collection (``kb_collections.lexical_version``).

1: terms, stems and keys (before rag9); 2: and adjacent word pairs. A collection of an older version is
rewritten by the next ingest (:func:`sochen.rag.sparse_stats.refresh`).
"""
LEGACY_LEXICAL_VERSION = 1
"""The version of every collection written before versions were stored."""
LEGACY_AVG_LEN = 150.0
"""The average chunk length (weighted terms) every sparse vector assumed before it was measured per collection.

A collection with sparse vectors but no stored average was written with it (:mod:`sochen.rag.sparse_stats`).
"""
AVG_LEN_DRIFT = 0.2
"""How far (relative) a collection's measured average length may drift from the one its sparse vectors were
written with before they are rewritten. An average off by a factor (1 + d) is exactly BM25 with other
constants: k1' = k1·c and b' = b / ((1 + d)·c), c = 1 − b + b / (1 + d). At d = ±0.2 that is k1 1.05–1.43,
b 0.71–0.79 — inside the range measured as level on HeQ val (k1 0.9–2, b 0.5–0.9: ±0.3 points of hit@1).
The constant 150 against HeQ val's measured 217 (d = −0.31) or the example tenants' 75–90 (d = +0.7 to +1.0)
is outside it.
"""
QUESTION_WORDS = frozenset(
    {
        *("מה", "מהו", "מהי", "מהם", "מהן", "מי", "מיהו", "מיהי", "מיהם", "מיהן", "מתי"),
        *("איזה", "איזו", "אילו", "אלו", "כמה", "היכן", "איפה", "לאן", "מאין", "מניין"),
        *("מדוע", "למה", "כיצד", "איך", "האם"),
    }
)
"""Hebrew interrogatives, left out of lexical queries (with a prefix too: ``באיזו``, ``ומתי``, ``למי``)."""


def _keys(token: str, token_stems: tuple[str, ...], *, query: bool) -> dict[str, float]:
    """The spelling and sound keys of a token and its stems, as namespaced terms with their weights."""
    keys: dict[str, float] = {}
    if token_stems or spelling_key(token) or hebrew_sound_key(token):
        for form in (token, *token_stems):
            key = spelling_key(form)
            if key:
                keys["~" + key] = SPELLING_WEIGHT
            sound = hebrew_sound_key(form)
            if sound:
                keys[("@l" if query else "@h") + sound] = TRANSLIT_WEIGHT
    else:
        sound = latin_key(token)
        if sound:
            keys[("@h" if query else "@l") + sound] = TRANSLIT_WEIGHT
    return keys


def lexical_text(title: str, section: str, text: str) -> str:
    """What a chunk's lexical terms are read from: its document title, section and text."""
    return f"{title}\n{section}\n{text}"


def _pairs(a: tuple[str, ...], b: tuple[str, ...]) -> set[str]:
    """The pair terms of two adjacent words given as their forms (surface first, then stems)."""
    return {f"{PAIR}{x} {y}" for x in a for y in b}


def document_terms(text: str) -> Counter[str]:
    """Weighted term frequencies of a document: surface tokens 1.0, stems and keys less, word pairs (module docstring).

    Pairs are formed within a line (title, section and text are lines of their own, :func:`lexical_text`).
    """
    counts: Counter[str] = Counter()
    for line in text.split("\n"):
        forms: list[tuple[str, ...]] = []
        for token in tokenize(line):
            counts[token] += 1.0  # type: ignore[assignment]
            token_stems = stems(token)
            for stem in token_stems:
                counts[stem] += STEM_WEIGHT  # type: ignore[assignment]
            for key, weight in _keys(token, token_stems, query=False).items():
                counts[key] += weight  # type: ignore[assignment]
            forms.append((token, *token_stems))
        if PAIR_WEIGHT > 0:
            for a, b in itertools.pairwise(forms):
                for pair in _pairs(a, b):
                    counts[pair] += 1.0  # type: ignore[assignment]
    return counts


def _interrogative(token: str, token_stems: tuple[str, ...]) -> bool:
    return token in QUESTION_WORDS or any(s in QUESTION_WORDS for s in token_stems)


def query_terms(text: str) -> dict[str, float]:
    """Terms of a query with their weights (a stem or key never outweighs its surface form).

    Interrogatives are left out (module docstring), unless the query has nothing else. Each adjacent pair of
    the words kept adds its pair terms, sharing :data:`PAIR_WEIGHT` among them.
    """
    tokens = tokenize(text)
    content = [t for t in tokens if not _interrogative(t, stems(t))]
    weights: dict[str, float] = {}
    forms: list[tuple[str, ...]] = []
    for token in content or tokens:
        weights[token] = max(weights.get(token, 0.0), 1.0)
        token_stems = stems(token)
        for stem in token_stems:
            weights[stem] = max(weights.get(stem, 0.0), STEM_WEIGHT)
        for key, weight in _keys(token, token_stems, query=True).items():
            weights[key] = max(weights.get(key, 0.0), weight)
        forms.append((token, *token_stems))
    if PAIR_WEIGHT > 0:
        for a, b in itertools.pairwise(forms):
            combos = _pairs(a, b)
            for pair in combos:
                weights[pair] = max(weights.get(pair, 0.0), PAIR_WEIGHT / len(combos))
    return weights


def _term_id(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


def document_length(counts: Counter[str]) -> float:
    """A document's BM25 length: its weighted term count (stems and keys at their weights; word pairs not counted)."""
    return float(sum(v for term, v in counts.items() if not term.startswith(PAIR)))


def sparse_vector(text: str, avg_len: float) -> tuple[list[int], list[float]]:
    """A Qdrant sparse vector for a document: hashed term ids and BM25 document-side weights.

    `avg_len` is the average :func:`document_length` of the collection the vector goes to.
    """
    return sparse_from_terms(document_terms(text), avg_len)


def sparse_from_terms(counts: Counter[str], avg_len: float) -> tuple[list[int], list[float]]:
    """:func:`sparse_vector` from the document's :func:`document_terms`."""
    length = document_length(counts) or 1.0
    norm = K1 * (1 - B + B * length / (avg_len if avg_len > 0 else LEGACY_AVG_LEN))
    merged: dict[int, float] = {}
    for term, tf in counts.items():
        tid = _term_id(term)
        merged[tid] = merged.get(tid, 0.0) + tf * (K1 + 1) / (tf + norm)
    ids = sorted(merged)
    return ids, [merged[i] for i in ids]


def sparse_query(text: str) -> tuple[list[int], list[float]]:
    """A Qdrant sparse vector for a query (term weights; Qdrant multiplies in the IDF)."""
    merged: dict[int, float] = {}
    for term, weight in query_terms(text).items():
        tid = _term_id(term)
        merged[tid] = max(merged.get(tid, 0.0), weight)
    ids = sorted(merged)
    return ids, [merged[i] for i in ids]


@dataclass(frozen=True)
class _Postings:
    docs: NDArray[np.int32]
    weights: NDArray[np.float32]  # BM25 document-side weight, idf applied at query time


class BM25Index:
    """An immutable in-process BM25 index over documents numbered 0..n-1."""

    def __init__(self, term_counts: Sequence[Counter[str]]) -> None:
        self.size = len(term_counts)
        lengths = np.array([document_length(c) for c in term_counts], dtype=np.float32)
        avg = float(lengths.mean()) if self.size else 1.0
        norms = K1 * (1 - B + B * lengths / (avg or 1.0))
        docs: dict[str, list[int]] = {}
        weights: dict[str, list[float]] = {}
        for i, counts in enumerate(term_counts):
            n = float(norms[i])
            for term, tf in counts.items():
                docs.setdefault(term, []).append(i)
                weights.setdefault(term, []).append(tf * (K1 + 1) / (tf + n))
        self._postings = {
            term: _Postings(np.asarray(d, dtype=np.int32), np.asarray(weights[term], dtype=np.float32))
            for term, d in docs.items()
        }
        self._idf = {
            term: math.log(1 + (self.size - len(p.docs) + 0.5) / (len(p.docs) + 0.5))
            for term, p in self._postings.items()
        }

    def idf(self, term: str) -> float:
        """Inverse document frequency of `term`; a term no document has counts as the rarest."""
        known = self._idf.get(term)
        if known is not None:
            return known
        return math.log(1 + (self.size + 0.5) / 0.5)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> BM25Index:
        """Build an index from raw texts."""
        return cls([document_terms(t) for t in texts])

    def scores(self, query: str) -> NDArray[np.float32]:
        """BM25 scores of every document for `query` (zeros where nothing matches)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term, qweight in query_terms(query).items():
            postings = self._postings.get(term)
            if postings is not None:
                scores[postings.docs] += np.float32(qweight * self._idf[term]) * postings.weights
        return scores

    def top(self, query: str, k: int, *, allowed: NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
        """The `k` best documents as (index, score), best first; `allowed` masks documents out."""
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        nonzero = int(np.count_nonzero(scores))
        k = min(k, nonzero)
        if k <= 0:
            return []
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [(int(i), float(scores[i])) for i in idx]
