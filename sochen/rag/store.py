"""The Qdrant side of the knowledge base: one collection per tenant and embedder.

:func:`open_store` picks the engine: a Qdrant server by URL in production (:class:`VectorStore`
over qdrant-client), and Qdrant Edge in a folder by default (:class:`~sochen.rag.edge_store.EdgeStore`,
Qdrant's engine inside the process). Both hold the same points and take the same branches in the
retriever (sparse IDF search, payload filters in the engine). qdrant-client's local mode (pure
Python, what ``VectorStore`` does without a URL) is kept for tests of the server path and as the
fallback when ``qdrant-edge-py`` is missing; there filters and sparse search are evaluated point by
point in Python, so the retriever filters and ranks lexically in process instead.

A tenant's vectors live in their own collection (``sochen_<tenant id>_<embedder>``), so no query
can reach another tenant's points and no payload filter is needed for isolation.

Each point carries a dense vector ``dense``, a sparse vector ``lexical`` (hashed Hebrew-aware terms
with Qdrant's IDF modifier; not in qdrant-client local mode), and the payload ``document_id``.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from qdrant_client import QdrantClient, models

from ..config import Settings

__all__ = ["VectorStore", "collection_name", "open_store"]

DENSE = "dense"
SPARSE = "lexical"
SENTENCES = "sentences"

_CLIENTS: dict[str, QdrantClient] = {}
_CLIENTS_LOCK = threading.Lock()


def collection_name(tenant_id: str, embedder_key: str, generation: int = 0) -> str:
    """The collection holding `tenant_id`'s vectors from the embedder `embedder_key`.

    `generation` is the tenant's ``kb_generation``: a rebuild fills the next one and switches over;
    generation 0 keeps the name collections had before rebuilds existed.
    """
    tag = hashlib.sha1(embedder_key.encode()).hexdigest()[:10]
    return f"sochen_{tenant_id}_{tag}" + (f"_g{generation}" if generation else "")


def _client(settings: Settings) -> QdrantClient:
    key = settings.qdrant_url or str(Path(settings.qdrant_path or "").resolve())
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            if settings.qdrant_url:
                api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
                client = QdrantClient(url=settings.qdrant_url, api_key=api_key, timeout=30)
            else:
                path = Path(settings.qdrant_path or settings.home / "qdrant")
                path.mkdir(parents=True, exist_ok=True)
                client = QdrantClient(path=str(path))
            _CLIENTS[key] = client
        return client


@atexit.register
def close_clients() -> None:
    """Close every cached client and Edge shard (tests, and processes that hand the folder to another)."""
    with _CLIENTS_LOCK:
        for client in _CLIENTS.values():
            client.close()
        _CLIENTS.clear()
    from .edge_store import close_shards

    close_shards()


def open_store(settings: Settings) -> Any:
    """The store for `settings`: a Qdrant server by URL, else Qdrant Edge in the local folder.

    Without ``qdrant-edge-py`` installed the embedded default falls back to qdrant-client's local mode.
    A worker process of ``sochen serve`` gets the serving process's store through a local socket
    (:mod:`.store_host`): an embedded store is opened by one process only.
    """
    if settings.qdrant_url:
        return VectorStore(settings)
    from .store_host import remote_store

    remote = remote_store()
    if remote is not None:
        return remote
    try:
        import qdrant_edge  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the installed packages
        return VectorStore(settings)
    from .edge_store import EdgeStore

    return EdgeStore(Path(settings.qdrant_path or settings.home / "qdrant"))


class VectorStore:
    """Tenant collections in Qdrant (local mode or server)."""

    def __init__(self, settings: Settings, *, client: QdrantClient | None = None) -> None:
        self._settings = settings
        self._client = client
        self.is_server = bool(settings.qdrant_url)
        self._ready: set[str] = set()
        self._sparse: dict[str, bool] = {}
        self._sentences: dict[str, bool] = {}

    @property
    def kind(self) -> str:
        """What backs it, for readiness checks."""
        return "server" if self.is_server else "local mode"

    def collections(self) -> list[str]:
        """Names of the collections (a readiness check: one call to Qdrant)."""
        return sorted(c.name for c in self.client.get_collections().collections)

    @property
    def filters_in_engine(self) -> bool:
        """Whether payload filters and sparse search are fast in the engine (a server; not local mode)."""
        return self.is_server

    @property
    def client(self) -> QdrantClient:
        """The Qdrant client, opened on first use."""
        if self._client is None:
            self._client = _client(self._settings)
        return self._client

    def ensure_collection(self, name: str, dim: int, *, with_sparse: bool, with_sentences: bool = False) -> None:
        """Create the collection if it does not exist yet (sentence vectors: a MaxSim multivector)."""
        if name in self._ready:
            return
        if not self.client.collection_exists(name):
            sparse = {SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)} if with_sparse else None
            vectors = {DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)}
            if with_sentences:
                vectors[SENTENCES] = models.VectorParams(
                    size=dim,
                    distance=models.Distance.COSINE,
                    multivector_config=models.MultiVectorConfig(comparator=models.MultiVectorComparator.MAX_SIM),
                )
            self.client.create_collection(
                name,
                vectors_config=vectors,
                sparse_vectors_config=sparse,
            )
            if self.is_server:
                self.client.create_payload_index(name, "document_id", models.PayloadSchemaType.KEYWORD)
        self._ready.add(name)

    def has_sparse(self, name: str) -> bool:
        """Whether the collection was created with the lexical sparse vector (asked once per collection)."""
        known = self._sparse.get(name)
        if known is None:
            info = self.client.get_collection(name)
            known = self._sparse[name] = bool(info.config.params.sparse_vectors)
        return known

    def has_sentences(self, name: str) -> bool:
        """Whether the collection was created with sentence vectors (asked once per collection)."""
        known = self._sentences.get(name)
        if known is None:
            vectors = self.client.get_collection(name).config.params.vectors
            known = self._sentences[name] = isinstance(vectors, dict) and SENTENCES in vectors
        return known

    def upsert(
        self,
        name: str,
        ids: Sequence[str],
        vectors: NDArray[np.float32],
        document_ids: Sequence[str],
        sparse: Sequence[tuple[list[int], list[float]]] | None = None,
        sentences: Sequence[NDArray[np.float32]] | None = None,
    ) -> None:
        """Write points (idempotent: the same id overwrites); `sentences`: per point, its sentence vectors."""
        points = []
        now = time.time()
        for i, point_id in enumerate(ids):
            vector: dict[str, Any] = {DENSE: vectors[i].tolist()}
            if sparse is not None:
                indices, values = sparse[i]
                vector[SPARSE] = models.SparseVector(indices=indices, values=values)
            if sentences is not None:
                vector[SENTENCES] = np.asarray(sentences[i], dtype=np.float32).tolist()
            payload = {"document_id": document_ids[i], "written_at": now}
            points.append(models.PointStruct(id=point_id, vector=vector, payload=payload))
        for start in range(0, len(points), 256):
            self.client.upsert(name, points=points[start : start + 256], wait=True)

    def update_sparse(self, name: str, ids: Sequence[str], sparse: Sequence[tuple[list[int], list[float]]]) -> int:
        """Replace the lexical sparse vector of existing points (nothing else); how many were updated.

        Ids with no point (a chunk replaced or deleted meanwhile) are skipped, never created.
        """
        existing = set(self.point_ids(name))
        points = [
            models.PointVectors(id=pid, vector={SPARSE: models.SparseVector(indices=vec[0], values=vec[1])})
            for pid, vec in zip(ids, sparse, strict=True)
            if pid in existing
        ]
        for start in range(0, len(points), 256):
            batch = points[start : start + 256]
            try:
                self.client.update_vectors(name, points=batch, wait=True)
            except Exception:  # a point deleted since the scroll: one at a time, skipping what is gone
                for point in batch:
                    try:
                        self.client.update_vectors(name, points=[point], wait=True)
                    except Exception:
                        existing.discard(str(point.id))
        return len([i for i in ids if i in existing])

    def delete(self, name: str, ids: Sequence[str]) -> None:
        """Remove points by id (missing ids are ignored)."""
        if ids and self.client.collection_exists(name):
            self.client.delete(name, points_selector=models.PointIdsList(points=list(ids)), wait=True)

    def point_ids(self, name: str) -> dict[str, float]:
        """Every point id in the collection with the time it was written (for reconciling)."""
        if not self.client.collection_exists(name):
            return {}
        ids: dict[str, float] = {}
        offset = None
        while True:
            records, offset = self.client.scroll(
                name, limit=1024, offset=offset, with_payload=["written_at"], with_vectors=False
            )
            ids.update((str(r.id), float((r.payload or {}).get("written_at", 0.0))) for r in records)
            if offset is None:
                return ids

    def vectors(self, name: str) -> dict[str, NDArray[np.float32]]:
        """Every point's dense vector by id (local mode: feeds the in-process filtered search)."""
        out: dict[str, NDArray[np.float32]] = {}
        if not self.client.collection_exists(name):
            return out
        offset = None
        while True:
            records, offset = self.client.scroll(
                name, limit=2048, offset=offset, with_payload=False, with_vectors=[DENSE]
            )
            for r in records:
                vector = r.vector[DENSE] if isinstance(r.vector, dict) else r.vector
                out[str(r.id)] = np.asarray(vector, dtype=np.float32)
            if offset is None:
                return out

    def dense_search(
        self, name: str, vector: NDArray[np.float32], limit: int, *, document_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest points by cosine similarity, best first."""
        flt = _doc_filter(document_ids)
        result = self.client.query_points(
            name, query=vector.tolist(), using=DENSE, limit=limit, query_filter=flt, with_payload=False
        )
        return [(str(p.id), float(p.score)) for p in result.points]

    def sentence_search(
        self,
        name: str,
        vector: NDArray[np.float32],
        limit: int,
        *,
        document_ids: Sequence[str] | None = None,
        candidates: int | None = None,
        sparse: tuple[list[int], list[float]] | None = None,
    ) -> list[tuple[str, float]]:
        """Points by their best sentence's cosine similarity (MaxSim), best first.

        With `candidates`, only the union of the nearest by the chunk vector and (with `sparse`) the
        best by the lexical vector (see :meth:`sochen.rag.edge_store.EdgeStore.sentence_search`).
        """
        flt = _doc_filter(document_ids)
        prefetch = None
        if candidates is not None:
            prefetch = [models.Prefetch(query=vector.tolist(), using=DENSE, limit=candidates, filter=flt)]
            if sparse is not None and sparse[0]:
                prefetch.append(
                    models.Prefetch(
                        query=models.SparseVector(indices=sparse[0], values=sparse[1]),
                        using=SPARSE,
                        limit=candidates,
                        filter=flt,
                    )
                )
        result = self.client.query_points(
            name,
            query=[vector.tolist()],
            using=SENTENCES,
            prefetch=prefetch,
            limit=limit,
            query_filter=flt if prefetch is None else None,
            with_payload=False,
        )
        return [(str(p.id), float(p.score)) for p in result.points]

    def sparse_search(
        self, name: str, query: tuple[list[int], list[float]], limit: int, *, document_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Best points by the lexical sparse vector (IDF-weighted), best first."""
        indices, values = query
        if not indices:
            return []
        result = self.client.query_points(
            name,
            query=models.SparseVector(indices=indices, values=values),
            using=SPARSE,
            limit=limit,
            query_filter=_doc_filter(document_ids),
            with_payload=False,
        )
        return [(str(p.id), float(p.score)) for p in result.points]

    def drop(self, name: str) -> None:
        """Delete a whole collection."""
        if self.client.collection_exists(name):
            self.client.delete_collection(name)
        self._ready.discard(name)
        self._sparse.pop(name, None)
        self._sentences.pop(name, None)


def _doc_filter(document_ids: Sequence[str] | None) -> models.Filter | None:
    if document_ids is None:
        return None
    return models.Filter(must=[models.FieldCondition(key="document_id", match=models.MatchAny(any=list(document_ids)))])
