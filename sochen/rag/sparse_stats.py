"""A collection's average chunk length for BM25: measured at ingest, stored with the collection, kept current.

BM25 weighs a term of a chunk by ``tf·(k1+1) / (tf + k1·(1 − b + b·len/avg))``: a chunk's length
counts relative to the average length of the collection. A lexical sparse vector
(:func:`sochen.rag.lexical.sparse_vector`) holds those weights, fixed when it is written, and the engine
(a Qdrant server or Qdrant Edge) only multiplies in the IDF at query time — so the average is a
property of the collection, which every one of its vectors must share, and it is what the query is
ranked with. It used to be a constant (150 weighted terms, :data:`~sochen.rag.lexical.LEGACY_AVG_LEN`);
HeQ val's chunks average 217, the example tenants' 75–90, a price list or FAQ of one-line chunks far
less — and with an assumed average well above the real one, length normalisation all but vanishes:
a long chunk that repeats a word outranks the short one that is about it.

- **Stored** in the database with the tenant's other collection state: ``kb_collections`` has one row
  per collection (its name, :func:`sochen.rag.store.collection_name`) with ``sparse_avg_len``. Each
  chunk row keeps its own length (``chunks.lexical_length``), so the average of the live chunks is one
  SQL aggregate.
- **Set** when the first batch is written to a fresh collection, from that batch
  (:func:`collection_avg`); a rebuild sets it for its new collection from every live chunk. A
  collection written before this has no row and was written with the constant: it is recorded as such.
- **Kept current** (:func:`refresh`, after every ingest and deletion, and by ``sochen ingest`` with
  nothing new): the live chunks' average is measured; when it is more than
  :data:`~sochen.rag.lexical.AVG_LEN_DRIFT` (20%) away from the stored one, the stored one becomes the
  measured one and every live chunk's sparse vector is rewritten in place (the sparse vector only: no
  embedding, the dense and sentence vectors are untouched). 20% because an average off by a factor is
  exactly BM25 with other k1 and b, and within 20% those stay in the range measured as level on HeQ
  (see ``AVG_LEN_DRIFT``); a tenant's first ingest, or an upgrade from the constant, is usually beyond it.
- **Versioned** (``kb_collections.lexical_version``, :data:`~sochen.rag.lexical.LEXICAL_VERSION`): what kind
  of terms the vectors hold (2 since rag9: with adjacent word pairs). A collection of an older version —
  one written before versions were stored is 1 — is rewritten by the same :func:`refresh`, whatever its
  average, with the measured average; a fresh collection or a rebuild's starts at the current version. Until
  then its queries' pair terms match nothing in it: it ranks as it did.
- **Concurrency.** A rewrite takes the tenant's rebuild claim (:mod:`sochen.rag.rebuild`): never two
  rewrites, or a rewrite and a rebuild, at once (one that finds the claim taken leaves the rewrite to
  the next ingest). It sets the new average under the tenant's row lock, the lock every ingest's row
  swap takes first; the swap reads the average after taking it, so an ingest that wrote its points with
  the old average either committed before the new one was set (then the rewrite, which reads the rows
  after setting it, rewrites its points) or sees the new one and rewrites its own points. During the
  rewrite some points carry the old normalisation and some the new one: a ranking between two BM25
  variants for a few seconds, never a lost or wrong chunk.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db.models import Chunk, Document, KbCollection, Tenant
from ..db.session import session_scope
from .lexical import (
    AVG_LEN_DRIFT,
    LEGACY_AVG_LEN,
    LEGACY_LEXICAL_VERSION,
    LEXICAL_VERSION,
    document_length,
    document_terms,
    lexical_text,
    sparse_vector,
)

if TYPE_CHECKING:
    from .retriever import Retriever, TenantContext

__all__ = [
    "chunk_rows",
    "collection_avg",
    "drifted",
    "forget",
    "lexical_text",
    "measure",
    "refresh",
    "rewrite",
    "set_avg",
    "stored_avg",
    "stored_avg_in",
    "stored_version",
]

log = logging.getLogger("sochen.rag")

_BATCH = 512


def stored_avg(database_url: str, name: str) -> float | None:
    """The average length collection `name`'s sparse vectors were written with; None when none is stored."""
    with session_scope(database_url) as session:
        return stored_avg_in(session, name)


def stored_avg_in(session: Session, name: str) -> float | None:
    """:func:`stored_avg` inside a transaction."""
    value = session.scalar(select(KbCollection.sparse_avg_len).where(KbCollection.name == name))
    return None if value is None else float(value)


def stored_version(database_url: str, name: str) -> int | None:
    """The :data:`~sochen.rag.lexical.LEXICAL_VERSION` collection `name`'s sparse vectors hold; None when no row."""
    with session_scope(database_url) as session:
        value = session.scalar(select(KbCollection.lexical_version).where(KbCollection.name == name))
        return None if value is None else int(value)


def set_avg(database_url: str, tenant_id: str, name: str, avg: float) -> None:
    """Store `avg` for collection `name` (a fresh collection: its vectors are written with it and this version)."""
    with session_scope(database_url) as session:
        row = session.get(KbCollection, name)
        if row is None:
            session.add(
                KbCollection(
                    name=name,
                    tenant_id=tenant_id,
                    sparse_avg_len=avg,
                    lexical_version=LEXICAL_VERSION,
                    updated_at=time.time(),
                )
            )
        else:
            row.sparse_avg_len, row.lexical_version, row.updated_at = avg, LEXICAL_VERSION, time.time()


def forget(database_url: str, names: Sequence[str]) -> None:
    """Drop the rows of collections that were dropped."""
    if names:
        with session_scope(database_url) as session:
            session.execute(delete(KbCollection).where(KbCollection.name.in_(list(names))))


def collection_avg(retriever: Retriever, ctx: TenantContext, name: str, lengths: Sequence[float]) -> float:
    """The average to write collection `name`'s next sparse vectors with.

    The stored one; else, for a collection that already has points (written before averages were
    stored), the constant they were written with; else (a fresh collection) the mean of `lengths`,
    the batch about to be written. Whatever is chosen is stored first (a fresh collection at the current
    lexical version, one with points at the legacy one); if another writer stored one meanwhile, that one is used.
    """
    db = retriever.settings.database_url
    known = stored_avg(db, name)
    if known is not None:
        return known
    fresh = not retriever.store.point_ids(name)
    avg = (sum(lengths) / len(lengths) if lengths and fresh else LEGACY_AVG_LEN) or LEGACY_AVG_LEN
    version = LEXICAL_VERSION if fresh else LEGACY_LEXICAL_VERSION
    try:
        with session_scope(db) as session:
            session.add(
                KbCollection(
                    name=name, tenant_id=ctx.id, sparse_avg_len=avg, lexical_version=version, updated_at=time.time()
                )
            )
    except IntegrityError:
        pass
    return stored_avg(db, name) or avg


def measure(database_url: str, tenant_id: str) -> tuple[float | None, int]:
    """The average lexical length of the tenant's live chunks, and how many there are.

    Rows written before lengths were kept get theirs first (read from their text, once).
    """
    with session_scope(database_url) as session:
        missing = session.execute(
            select(Chunk.id, Document.title, Chunk.section, Chunk.text)
            .join(Document, Chunk.document_id == Document.id)
            .where(Chunk.tenant_id == tenant_id, Chunk.lexical_length.is_(None))
        ).all()
        for cid, title, section, text in missing:
            length = document_length(document_terms(lexical_text(title, section, text)))
            session.execute(
                update(Chunk)
                .where(Chunk.id == cid)
                .values(lexical_length=length)
                .execution_options(synchronize_session=False)
            )
    with session_scope(database_url) as session:
        avg, count = session.execute(
            select(func.avg(Chunk.lexical_length), func.count(Chunk.id)).where(Chunk.tenant_id == tenant_id)
        ).one()
    return (None if avg is None else float(avg)), int(count or 0)


def drifted(stored: float, measured: float, threshold: float = AVG_LEN_DRIFT) -> bool:
    """Whether `measured` is more than `threshold` (relative) away from `stored`."""
    return abs(measured - stored) > threshold * stored


def chunk_rows(db: str, tenant_id: str) -> list[tuple[str, str, str, str]]:
    """Every chunk of a tenant as ``(id, document title, section, text)``: what its sparse vector is built from."""
    with session_scope(db) as session:
        return [
            tuple(r)
            for r in session.execute(
                select(Chunk.id, Document.title, Chunk.section, Chunk.text)
                .join(Document, Chunk.document_id == Document.id)
                .where(Chunk.tenant_id == tenant_id)
            ).all()
        ]


def rewrite(retriever: Retriever, name: str, rows: Sequence[tuple[str, str, str, str]], avg: float) -> int:
    """Rewrite the sparse vectors of chunks given as (id, title, section, text) with `avg`; how many points took it.

    Points that no longer exist (a chunk replaced or deleted meanwhile) are skipped, never re-created.
    """
    done = 0
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        vectors = [sparse_vector(lexical_text(title, section, text), avg) for _id, title, section, text in batch]
        done += retriever.store.update_sparse(name, [r[0] for r in batch], vectors)
    return done


def refresh(retriever: Retriever, ctx: TenantContext, name: str, *, threshold: float = AVG_LEN_DRIFT) -> float | None:
    """Measure the tenant's average chunk length; rewrite `name`'s sparse vectors if it drifted or they are old.

    Old: of an older lexical version than :data:`~sochen.rag.lexical.LEXICAL_VERSION`. Returns the new
    average when the vectors were rewritten, None when nothing was done (see the
    module docstring for when and why).
    """
    db = retriever.settings.database_url
    stored = stored_avg(db, name)
    if stored is None:
        if not retriever.store.point_ids(name):
            return None  # nothing written yet
        stored = collection_avg(retriever, ctx, name, [])  # written before averages were stored: the constant
    version = stored_version(db, name) or LEGACY_LEXICAL_VERSION
    measured, count = measure(db, ctx.id)
    if not count or measured is None:
        return None
    if version >= LEXICAL_VERSION and not drifted(stored, measured, threshold):
        return None
    from .rebuild import LEASE_S, RebuildInProgressError, _Claim, _claim, _release, _renew

    claim = _Claim(retriever, ctx, uuid.uuid4().hex, LEASE_S)
    try:
        live = _claim(claim)
    except RebuildInProgressError:
        log.info("tenant %s: a rebuild holds it; its sparse vectors are rewritten by a later ingest", ctx.slug)
        return None
    try:
        if live != ctx.kb_generation:
            return None
        with session_scope(db) as session:
            # The tenant's row lock first (the one every ingest's row swap takes), then the new average.
            session.execute(
                update(Tenant)
                .where(Tenant.id == ctx.id)
                .values(kb_generation=Tenant.kb_generation)
                .execution_options(synchronize_session=False)
            )
            moved = session.execute(
                update(KbCollection)
                .where(
                    KbCollection.name == name,
                    KbCollection.sparse_avg_len == stored,
                    KbCollection.lexical_version == version,
                )
                .values(sparse_avg_len=measured, lexical_version=LEXICAL_VERSION, updated_at=time.time())
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:
                return None
        rows = chunk_rows(db, ctx.id)
        for start in range(0, len(rows), 4 * _BATCH):
            rewrite(retriever, name, rows[start : start + 4 * _BATCH], measured)
            _renew(claim)
        log.info(
            "tenant %s: average chunk length %.1f → %.1f, lexical version %d → %d; %d sparse vectors rewritten",
            ctx.slug,
            stored,
            measured,
            version,
            LEXICAL_VERSION,
            len(rows),
        )
        return measured
    finally:
        _release(claim)
