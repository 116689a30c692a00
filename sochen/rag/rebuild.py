"""Rebuild a tenant's vector collection with the current settings (``sochen ingest --tenant T --rebuild``).

A collection keeps the layout it was created with (sentence vectors, the lexical sparse vector), so
a tenant ingested before a setting changed keeps the old layout until it is rebuilt. The contract:

- **What is embedded.** Every live chunk of the tenant, from its row (text, section, its document's
  title), with the tenant's current embedder and settings, into a fresh collection of the next
  generation (``tenants.kb_generation`` + 1; :func:`sochen.rag.store.collection_name`). Files are
  not read again: chunking changes are ``sochen ingest``'s (its fingerprint holds the chunking).
- **One rebuild at a time.** A rebuild first claims the tenant with a compare-and-set on its row
  (``kb_rebuild_token``, leased until ``kb_rebuild_until`` and renewed after every batch); a second
  rebuild while the claim holds fails with :class:`RebuildInProgressError` and touches nothing. A
  rebuild that lost its claim (its lease ran out) stops at its next renewal. A collection is only
  dropped by a statement that checks, on the tenant's row, that the claim is still this rebuild's
  and that the collection is not the live generation.
- **Search keeps working.** The old collection stays live until the switch; point ids are the
  chunk ids, so the rows do not change and the switch is one conditional UPDATE that bumps
  ``kb_generation`` and ``kb_revision`` only if both are still what the rebuild last read (its row
  count decides, on SQLite as on PostgreSQL).
- **Ingest and deletion may run meanwhile.** If the tenant's documents changed while the rebuild
  embedded (``kb_revision`` moved), the chunks it has not embedded yet are added, the points of
  chunks that no longer have a row are deleted from the new collection, and the switch is tried
  again. An ingest that wrote points to the old collection and reaches its row swap after the
  switch finds the generation moved (the same conditional UPDATE) and writes that document again
  into the new collection (:func:`sochen.rag.ingest.ingest_paths`).
- **The old collection outlives the switch.** It is not dropped by the rebuild: a search or an
  ingest that resolved the tenant just before the switch may still be using it. ``reconcile`` (run
  by every ingest and rebuild) drops it once the switch is older than its grace period
  (``kb_switched_at``); a search that still finds it gone re-resolves the tenant and tries once more
  (:meth:`sochen.rag.retriever.Retriever.search_vector`).
- **Crash-safe.** Stopped before the switch, the old collection is still live; the claim lapses
  with its lease and the next rebuild drops the unfinished new one and starts again.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from sqlalchemy import ColumnElement, or_, select, update

from ..db.models import Chunk, Document, Tenant
from ..db.session import session_scope
from ..tenancy import ResolvedTenant
from . import sparse_stats
from .ingest import _live_generation, embed_chunks, reconcile
from .lexical import LEGACY_AVG_LEN, sparse_vector
from .retriever import Retriever, TenantContext
from .store import collection_name

__all__ = ["RebuildConflictError", "RebuildInProgressError", "RebuildReport", "rebuild"]

_BATCH = 256
LEASE_S = 600.0
"""How long a rebuild's claim on its tenant lasts without renewal (it is renewed after every batch)."""


class RebuildConflictError(RuntimeError):
    """Another rebuild switched the tenant first, or the documents kept changing for every round."""


class RebuildInProgressError(RebuildConflictError):
    """Another rebuild of the tenant holds it (or held it, and its claim has not lapsed yet)."""


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


@dataclass(frozen=True)
class _Claim:
    """A rebuild's hold on its tenant."""

    retriever: Retriever
    ctx: TenantContext
    token: str
    lease_s: float

    def where(self) -> tuple[ColumnElement[bool], ...]:
        """The tenant's row, while this rebuild holds it."""
        return (Tenant.id == self.ctx.id, Tenant.kb_rebuild_token == self.token)


def rebuild(
    retriever: Retriever,
    tenant: str | ResolvedTenant,
    *,
    progress: Callable[[int], None] | None = None,
    max_rounds: int = 5,
    lease_s: float = LEASE_S,
) -> RebuildReport:
    """Re-embed `tenant`'s chunks into a fresh collection and switch to it (see the module docstring).

    Raises :class:`RebuildInProgressError` when another rebuild holds the tenant.
    """
    ctx = tenant if isinstance(tenant, ResolvedTenant) else retriever.tenant(tenant)
    claim = _Claim(retriever, ctx, uuid.uuid4().hex, lease_s)
    before = _claim(claim)
    try:
        return _rebuild(claim, before, progress, max_rounds)
    finally:
        _release(claim)


def _rebuild(claim: _Claim, before: int, progress: Callable[[int], None] | None, max_rounds: int) -> RebuildReport:
    started = time.perf_counter()
    retriever, ctx = claim.retriever, claim.ctx
    embedder = retriever.embedder(ctx)
    store = retriever.store
    name = collection_name(ctx.id, embedder.key, before + 1)
    _drop_unless_live(claim, before + 1, name)  # what an earlier rebuild left unfinished
    in_engine = store.filters_in_engine
    store.ensure_collection(
        name,
        embedder.dim,
        with_sparse=in_engine,
        with_sentences=in_engine and ctx.config.knowledge.chunking.sentence_vectors,
    )
    kinds = (in_engine and store.has_sparse(name), in_engine and store.has_sentences(name))
    # The new collection's sparse vectors are written with the live chunks' measured average length
    # (sparse_stats); chunks added in later rounds take the same one, and the next ingest measures again.
    avg = LEGACY_AVG_LEN
    if kinds[0]:
        measured, _count = sparse_stats.measure(retriever.settings.database_url, ctx.id)
        avg = measured or LEGACY_AVG_LEN
        sparse_stats.set_avg(retriever.settings.database_url, ctx.id, name, avg)
    done: set[str] = set()
    embed_seconds = 0.0
    rounds = 0
    switched = False
    while not switched:
        if rounds == max_rounds:
            _drop_unless_live(claim, before + 1, name)
            raise RebuildConflictError(
                f"the documents of '{ctx.slug}' kept changing during {max_rounds} rounds; nothing was switched"
            )
        rounds += 1
        revision, rows = _live_chunks(retriever, ctx)
        # Chunks deleted or replaced since an earlier round: their points must not reach the live collection.
        gone = done - {r[0] for r in rows}
        if gone:
            store.delete(name, sorted(gone))
            done -= gone
        todo = [r for r in rows if r[0] not in done]
        for start in range(0, len(todo), _BATCH):
            batch = todo[start : start + _BATCH]
            embed_seconds += _write(retriever, ctx, name, kinds, batch, avg)
            _renew(claim)
            if progress:
                progress(len(batch))
        done.update(r[0] for r in todo)
        switched = _switch(claim, before, revision)
    # The old generation stays until reconcile finds the switch past its grace (see the module docstring);
    # earlier ones, and points of chunks deleted while it embedded once past their grace, go now.
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


def _claim(claim: _Claim) -> int:
    """Take the tenant for this rebuild (a compare-and-set on its row); the live generation."""
    now = time.time()
    with session_scope(claim.retriever.settings.database_url) as session:
        taken = session.execute(
            update(Tenant)
            .where(
                Tenant.id == claim.ctx.id,
                or_(Tenant.kb_rebuild_token.is_(None), Tenant.kb_rebuild_until < now),
            )
            .values(kb_rebuild_token=claim.token, kb_rebuild_until=now + claim.lease_s)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            raise RebuildInProgressError(
                f"בנייה מחדש אחרת של '{claim.ctx.slug}' רצה כעת; לא נעשה דבר. נסו שוב כשתסתיים / "
                f"another rebuild of '{claim.ctx.slug}' is running; nothing was done. Try again when it ends "
                f"(a rebuild that crashed holds the tenant for at most {int(claim.lease_s)} seconds)"
            )
    return _live_generation(claim.retriever, claim.ctx)


def _renew(claim: _Claim) -> None:
    with session_scope(claim.retriever.settings.database_url) as session:
        renewed = session.execute(
            update(Tenant)
            .where(*claim.where())
            .values(kb_rebuild_until=time.time() + claim.lease_s)
            .execution_options(synchronize_session=False)
        )
        if renewed.rowcount != 1:
            raise RebuildConflictError(f"the rebuild of '{claim.ctx.slug}' lost its claim (its lease ran out)")


def _release(claim: _Claim) -> None:
    with session_scope(claim.retriever.settings.database_url) as session:
        session.execute(
            update(Tenant)
            .where(*claim.where())
            .values(kb_rebuild_token=None, kb_rebuild_until=None)
            .execution_options(synchronize_session=False)
        )


def _drop_unless_live(claim: _Claim, generation: int, name: str) -> None:
    """Drop collection `name` of `generation` if the claim is still ours and `generation` is not live.

    Decided and done under the tenant's row lock (the conditional UPDATE takes it), so no switch
    can make it live in between.
    """
    with session_scope(claim.retriever.settings.database_url) as session:
        held = session.execute(
            update(Tenant)
            .where(*claim.where(), Tenant.kb_generation != generation)
            .values(kb_rebuild_until=time.time() + claim.lease_s)
            .execution_options(synchronize_session=False)
        )
        if held.rowcount != 1:
            raise RebuildConflictError(
                f"the rebuild of '{claim.ctx.slug}' lost its claim, or generation {generation} is live; nothing dropped"
            )
        claim.retriever.store.drop(name)
    sparse_stats.forget(claim.retriever.settings.database_url, [name])


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
    avg_len: float,
) -> float:
    with_sparse, with_sentences = kinds
    t0 = time.perf_counter()
    chunks = [(title, section, text) for _, _, title, section, text in rows]
    vectors, sentence_vectors = embed_chunks(retriever.embedder(ctx), chunks, with_sentences=with_sentences)
    seconds = time.perf_counter() - t0
    sparse = (
        [sparse_vector(sparse_stats.lexical_text(title, section, text), avg_len) for title, section, text in chunks]
        if with_sparse
        else None
    )
    retriever.store.upsert(name, [r[0] for r in rows], vectors, [r[1] for r in rows], sparse, sentence_vectors)
    return seconds


def _switch(claim: _Claim, before: int, revision: int) -> bool:
    """Make generation `before` + 1 live if the documents are still at `revision`; False if they moved.

    One conditional UPDATE decides (its row count), so the check and the write are one step on SQLite
    (no FOR UPDATE there) as on PostgreSQL.
    """
    retriever, ctx = claim.retriever, claim.ctx
    with session_scope(retriever.settings.database_url) as session:
        moved = session.execute(
            update(Tenant)
            .where(*claim.where(), Tenant.kb_generation == before, Tenant.kb_revision == revision)
            .values(kb_generation=before + 1, kb_revision=Tenant.kb_revision + 1, kb_switched_at=time.time())
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:
            session.execute(
                update(Document)
                .where(Document.tenant_id == ctx.id)
                .values(embedder=retriever.embedder(ctx).key)
                .execution_options(synchronize_session=False)
            )
            return True
        row = session.execute(select(Tenant.kb_generation, Tenant.kb_rebuild_token).where(Tenant.id == ctx.id)).one()
    if row.kb_rebuild_token != claim.token:
        raise RebuildConflictError(f"the rebuild of '{ctx.slug}' lost its claim (its lease ran out)")
    if row.kb_generation != before:
        raise RebuildConflictError(f"another rebuild of '{ctx.slug}' switched it first")
    return False
