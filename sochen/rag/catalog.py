"""An in-process snapshot of one tenant's live chunks: metadata for citations, filters, and BM25.

The database is the source of truth for which chunks are live: a chunk row exists only once its
document was completely indexed (see :mod:`sochen.rag.ingest`). A snapshot is tied to the tenant's
``kb_revision`` and rebuilt when it changes. The BM25 index is built on first use only (collections
with sparse vectors rank lexically in Qdrant and never need it); term counts of unchanged chunks
are reused from the previous snapshot, so a rebuild after adding one document tokenises only it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Chunk, Document
from .lexical import BM25Index, document_terms, lexical_text

__all__ = ["Catalog", "ChunkInfo", "load_catalog"]


@dataclass(frozen=True)
class ChunkInfo:
    """What a search hit needs to cite its source."""

    chunk_id: str
    document_id: str
    text: str
    section: str
    page: int | None
    title: str
    source: str
    ordinal: int = 0
    """Its place in its document (0, 1, …)."""


class Catalog:
    """The live chunks of one tenant at one revision."""

    def __init__(
        self,
        tenant_id: str,
        revision: int,
        chunks: list[ChunkInfo],
        tags: dict[str, frozenset[str]],
        previous_terms: dict[str, Counter[str]] | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.revision = revision
        self.chunks = chunks
        self.index_of = {c.chunk_id: i for i, c in enumerate(chunks)}
        self._previous_terms = previous_terms or {}
        doc_ids = sorted({c.document_id for c in chunks})
        self._doc_pos = {d: i for i, d in enumerate(doc_ids)}
        self.doc_ids = doc_ids
        self.doc_tags = [tags.get(d, frozenset()) for d in doc_ids]
        self.doc_of_chunk = np.array([self._doc_pos[c.document_id] for c in chunks], dtype=np.int32)
        self._at = {(c.document_id, c.ordinal): i for i, c in enumerate(chunks)}

    def __len__(self) -> int:
        return len(self.chunks)

    @cached_property
    def terms(self) -> list[Counter[str]]:
        """Weighted terms of every chunk (its title, section and text), in catalog order."""
        previous, self._previous_terms = self._previous_terms, {}
        return [
            previous.get(c.chunk_id) or document_terms(lexical_text(c.title, c.section, c.text)) for c in self.chunks
        ]

    @cached_property
    def bm25(self) -> BM25Index:
        """The in-process BM25 index over :attr:`terms` (built on first use)."""
        return BM25Index(self.terms)

    def around(self, chunk_id: str, n: int = 1) -> list[ChunkInfo]:
        """The chunk and up to `n` chunks either side of it in its document and section, in document order.

        A neighbour of another section (a heading between them) ends the passage on that side.
        """
        i = self.index_of.get(chunk_id)
        if i is None:
            return []
        chunk = self.chunks[i]
        sides: dict[int, list[ChunkInfo]] = {-1: [], 1: []}
        for step, side in sides.items():
            for d in range(1, n + 1):
                j = self._at.get((chunk.document_id, chunk.ordinal + step * d))
                if j is None or self.chunks[j].section != chunk.section:
                    break
                side.append(self.chunks[j])
        return [*reversed(sides[-1]), chunk, *sides[1]]

    def known_terms(self) -> dict[str, Counter[str]]:
        """Term counts computed so far, by chunk id (handed to the next snapshot)."""
        if "terms" in self.__dict__:
            return {c.chunk_id: t for c, t in zip(self.chunks, self.terms, strict=True)}
        return dict(self._previous_terms)

    def mask(
        self, *, tags: Sequence[str] | None = None, document_ids: Sequence[str] | None = None
    ) -> NDArray[np.bool_] | None:
        """Chunks allowed by the filters (None when there are none).

        ``tags``: the document must carry at least one of them (an access list: a lawyer on matters
        A and B sees documents of A or B). ``document_ids``: the document must be one of them.
        """
        if not tags and document_ids is None:
            return None
        allowed_docs = np.ones(len(self.doc_ids), dtype=bool)
        if tags:
            wanted = set(tags)
            allowed_docs &= np.array([bool(t & wanted) for t in self.doc_tags], dtype=bool)
        if document_ids is not None:
            wanted_docs = set(document_ids)
            allowed_docs &= np.array([d in wanted_docs for d in self.doc_ids], dtype=bool)
        return allowed_docs[self.doc_of_chunk] if len(self.chunks) else np.zeros(0, dtype=bool)

    def allowed_document_ids(self, mask: NDArray[np.bool_]) -> list[str]:
        """Document ids with at least one allowed chunk."""
        return sorted({self.chunks[i].document_id for i in np.flatnonzero(mask)})


_LOCK = threading.Lock()
_SNAPSHOTS: dict[tuple[str, str], Catalog] = {}


def load_catalog(session: Session, *, db_key: str, tenant_id: str, revision: int) -> Catalog:
    """The snapshot for `tenant_id` at `revision`, rebuilt from the database when stale."""
    key = (db_key, tenant_id)
    with _LOCK:
        current = _SNAPSHOTS.get(key)
        if current is not None and current.revision == revision:
            return current
        rows = session.execute(
            select(
                Chunk.id,
                Chunk.document_id,
                Chunk.text,
                Chunk.section,
                Chunk.page,
                Document.title,
                Document.source,
                Document.tags,
                Chunk.ordinal,
            )
            .join(Document, Document.id == Chunk.document_id)
            .where(Chunk.tenant_id == tenant_id)
            .order_by(Chunk.point_id)
        ).all()
        previous_terms = current.known_terms() if current is not None else {}
        chunks: list[ChunkInfo] = []
        tags: dict[str, frozenset[str]] = {}
        for cid, did, text, section, page, title, source, doc_tags, ordinal in rows:
            chunks.append(ChunkInfo(cid, did, text, section, page, title, source, ordinal))
            tags[did] = frozenset(doc_tags or ())
        live = {c.chunk_id for c in chunks}
        snapshot = Catalog(tenant_id, revision, chunks, tags, {k: v for k, v in previous_terms.items() if k in live})
        _SNAPSHOTS[key] = snapshot
        return snapshot


def forget_catalogs() -> None:
    """Drop every snapshot (tests)."""
    with _LOCK:
        _SNAPSHOTS.clear()
