"""Rebuild a tenant's vector collection with the current settings (``sochen ingest --tenant T --rebuild``).

A collection keeps the layout it was created with (sentence vectors, the lexical sparse vector), so
a tenant ingested before a setting changed keeps the old layout until it is rebuilt. The contract:

- **What is embedded.** Every live chunk of the tenant, from its row (text, section, its document's
  title), with the tenant's current embedder and settings, into a fresh collection of the next
  generation (``tenants.kb_generation`` + 1; :func:`sochen.rag.store.collection_name`). Files are
  not read again: chunking changes are ``sochen ingest``'s (its fingerprint holds the chunking).
- **Search keeps working.** The old collection stays live until the switch; point ids are the
  chunk ids, so the rows do not change and the switch is one transaction that bumps
  ``kb_generation`` and ``kb_revision`` under the tenant's row lock.
- **Ingest may run meanwhile.** If the tenant's documents changed while the rebuild embedded
  (``kb_revision`` moved), the chunks it has not embedded yet are added and the switch is tried
  again. An ingest that wrote points to the old collection and reaches its row swap after the
  switch sees the new generation under the same lock and writes that document again into the new
  collection (:func:`sochen.rag.ingest.ingest_paths`).
- **Crash-safe.** Stopped before the switch, the old collection is still live and the next rebuild
  drops the unfinished new one and starts again; stopped after it, the old collection is left over
  and the next ingest or rebuild drops it (:func:`sochen.rag.ingest.reconcile`). A search already
  on its way to the old collection at the moment it is dropped finds nothing that once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from sqlalchemy import select, update

from ..db.models import Chunk, Document, Tenant
from ..db.session import session_scope
from ..tenancy import ResolvedTenant
from .ingest import embed_chunks, reconcile
from .lexical import sparse_vector
from .retriever import Retriever, TenantContext
from .store import collection_name

__all__ = ["RebuildConflictError", "RebuildReport", "rebuild"]

_BATCH = 256


class RebuildConflictError(RuntimeError):
    """Another rebuild switched the tenant first, or the documents kept changing for every round."""


@dataclass
class RebuildReport:
    """What a rebuild did."""

    generation_before: int
    generation: int
    collection: str
    chunks: int
    sentence_vectors: bool
    rounds: int
    seconds: float
    embed_seconds: float

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return asdict(self)


def rebuild(
    retriever: Retriever,
    tenant: str | ResolvedTenant,
    *,
    progress: Callable[[int], None] | None = None,
    max_rounds: int = 5,
) -> RebuildReport:
    """Re-embed `tenant`'s chunks into a fresh collection and switch to it (see the module docstring)."""
    started = time.perf_counter()
    ctx = tenant if isinstance(tenant, ResolvedTenant) else retriever.tenant(tenant)
    embedder = retriever.embedder(ctx)
    store = retriever.store
    before = _generation(retriever, ctx)
    name = collection_name(ctx.id, embedder.key, before + 1)
    store.drop(name)  # what an earlier rebuild left unfinished
    in_engine = store.filters_in_engine
    store.ensure_collection(
        name,
        embedder.dim,
        with_sparse=in_engine,
        with_sentences=in_engine and ctx.config.knowledge.chunking.sentence_vectors,
    )
    kinds = (in_engine and store.has_sparse(name), in_engine and store.has_sentences(name))
    done: set[str] = set()
    embed_seconds = 0.0
    rounds = 0
    switched = False
    while not switched:
        if rounds == max_rounds:
            store.drop(name)
            raise RebuildConflictError(
                f"the documents of '{ctx.slug}' kept changing during {max_rounds} rounds; nothing was switched"
            )
        rounds += 1
        revision, rows = _live_chunks(retriever, ctx)
        todo = [r for r in rows if r[0] not in done]
        for start in range(0, len(todo), _BATCH):
            batch = todo[start : start + _BATCH]
            embed_seconds += _write(retriever, ctx, name, kinds, batch)
            if progress:
                progress(len(batch))
        done.update(r[0] for r in todo)
        switched = _switch(retriever, ctx, before, revision)
    store.drop(collection_name(ctx.id, embedder.key, before))
    # Earlier generations, and (once past their grace) points of chunks deleted while it embedded.
    reconcile(retriever, replace(ctx, kb_generation=before + 1))
    return RebuildReport(
        generation_before=before,
        generation=before + 1,
        collection=name,
        chunks=len(rows),
        sentence_vectors=kinds[1],
        rounds=rounds,
        seconds=round(time.perf_counter() - started, 3),
        embed_seconds=round(embed_seconds, 3),
    )


def _generation(retriever: Retriever, ctx: TenantContext) -> int:
    with session_scope(retriever.settings.database_url) as session:
        return int(session.scalar(select(Tenant.kb_generation).where(Tenant.id == ctx.id)) or 0)


def _live_chunks(retriever: Retriever, ctx: TenantContext) -> tuple[int, list[tuple[str, str, str, str, str]]]:
    """The tenant's revision, then its chunks as (id, document id, title, section, text).

    Read in that order: under READ COMMITTED the chunks may be newer than the revision, never older,
    so a change between the two reads only costs one more round.
    """
    with session_scope(retriever.settings.database_url) as session:
        revision = int(session.scalar(select(Tenant.kb_revision).where(Tenant.id == ctx.id)) or 0)
        rows = session.execute(
            select(Chunk.id, Chunk.document_id, Document.title, Chunk.section, Chunk.text)
            .join(Document, Chunk.document_id == Document.id)
            .where(Chunk.tenant_id == ctx.id)
            .order_by(Chunk.document_id, Chunk.ordinal)
        ).all()
    return revision, [tuple(r) for r in rows]  # type: ignore[misc]


def _write(
    retriever: Retriever,
    ctx: TenantContext,
    name: str,
    kinds: tuple[bool, bool],
    rows: list[tuple[str, str, str, str, str]],
) -> float:
    with_sparse, with_sentences = kinds
    t0 = time.perf_counter()
    chunks = [(title, section, text) for _, _, title, section, text in rows]
    vectors, sentence_vectors = embed_chunks(retriever.embedder(ctx), chunks, with_sentences=with_sentences)
    seconds = time.perf_counter() - t0
    sparse = [sparse_vector(f"{title}\n{section}\n{text}") for title, section, text in chunks] if with_sparse else None
    retriever.store.upsert(name, [r[0] for r in rows], vectors, [r[1] for r in rows], sparse, sentence_vectors)
    return seconds


def _switch(retriever: Retriever, ctx: TenantContext, before: int, revision: int) -> bool:
    """Make generation `before` + 1 live if the documents are still at `revision`; False if they moved."""
    with session_scope(retriever.settings.database_url) as session:
        row = session.execute(
            select(Tenant.kb_revision, Tenant.kb_generation).where(Tenant.id == ctx.id).with_for_update()
        ).one()
        if row.kb_generation != before:
            raise RebuildConflictError(f"another rebuild of '{ctx.slug}' switched it first")
        if row.kb_revision != revision:
            return False
        session.execute(
            update(Tenant)
            .where(Tenant.id == ctx.id)
            .values(kb_generation=before + 1, kb_revision=Tenant.kb_revision + 1)
        )
        session.execute(
            update(Document).where(Document.tenant_id == ctx.id).values(embedder=retriever.embedder(ctx).key)
        )
    return True
