"""Ingestion: files → blocks → chunks → vectors → Qdrant and the database, incrementally and safely.

The contract:
- **Incremental.** A file whose bytes, chunking settings and embedder are unchanged is skipped; a
  changed file replaces its old chunks; :func:`delete_documents` and ``sync`` (files gone from a
  synced folder) remove documents and their chunks.
- **Never half indexed.** Vectors are written to Qdrant first, under new point ids; then one
  database transaction swaps the document's chunk rows and bumps the tenant's ``kb_revision``;
  only then are the old points deleted. Search only returns chunks that have a row, so a crash at
  any point leaves either the old version or the new one searchable — orphaned points are ignored
  and removed by the next ingest of that tenant (:func:`reconcile`).
- **Bad files never stop the run.** A file that cannot be read is skipped with its reason, the
  others continue, and the report lists it.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..db.models import Chunk, Document, Tenant
from ..db.session import session_scope
from ..tenancy import ResolvedTenant
from ..text import normalize
from . import sparse_stats
from .chunking import ChunkDraft, chunk_blocks, estimate_tokens, sentences
from .embedders import Embedder
from .lexical import document_length, document_terms, sparse_from_terms
from .loaders import SUPPORTED_SUFFIXES, LoadedDocument, LoadError, load_bytes
from .retriever import Retriever, TenantContext
from .store import collection_name

__all__ = [
    "FileFailure",
    "IngestReport",
    "delete_documents",
    "discover",
    "embed_chunks",
    "embed_text",
    "ingest_paths",
    "mix_context",
    "reconcile",
]

ProgressFn = Callable[[str, int], None]
"""Called as progress(event, amount): ('file', 1) after each file, ('chunks', n) after chunks are stored."""


@dataclass(frozen=True)
class FileFailure:
    """A file that was skipped, and why."""

    path: str
    reason: str
    message: str


@dataclass
class IngestReport:
    """What an ingest run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": [f.__dict__ for f in self.failed],
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
        }


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FileFailure]]:
    """Files to ingest under `paths` (folders recursively, hidden files skipped), and paths that fail."""
    files: list[Path] = []
    failures: list[FileFailure] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    files.append(child.resolve())
        elif path.is_file():
            files.append(path.resolve())
        else:
            failures.append(FileFailure(str(path), "missing", f"הקובץ לא נמצא / no such file or folder: {path}"))
    return list(dict.fromkeys(files)), failures


def _fingerprint(data: bytes, ctx: TenantContext, embedder_key: str) -> str:
    h = hashlib.sha256(data)
    # sentence_vectors is left out: it applies when the collection is created, and a change must not re-embed
    # every document into a collection that keeps what it was created with.
    h.update(ctx.config.knowledge.chunking.model_dump_json(exclude={"sentence_vectors"}).encode())
    h.update(embedder_key.encode())
    return h.hexdigest()


def embed_text(title: str, section: str, text: str) -> str:
    """What the embedder sees for a chunk: its document title and section, then its text."""
    header = _heading(title, section)
    return f"{header}\n{text}" if header else text


def ingest_paths(
    retriever: Retriever,
    tenant: str | ResolvedTenant,
    paths: Sequence[Path],
    *,
    tags: Sequence[str] = (),
    meta: dict[str, str] | None = None,
    sync: bool = False,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Ingest files and folders into `tenant`'s knowledge base (see the module docstring).

    A slug means a person's tool (the newest version's chunking and embedder); a service passes the
    live :class:`~sochen.tenancy.ResolvedTenant` it was handed. When a rebuild switches the tenant
    to a new collection while this runs (:mod:`sochen.rag.rebuild`), the documents not yet committed
    are ingested again into the new one (those committed before the switch were carried over by it).
    """
    started = time.perf_counter()
    report = IngestReport()
    ctx = tenant if isinstance(tenant, ResolvedTenant) else retriever.tenant(tenant)
    try:
        _ingest(retriever, ctx, paths, tags, meta or {}, sync, progress, report)
    except CollectionSwitchedError as switched:
        again = IngestReport()
        _ingest(retriever, replace(ctx, kb_generation=switched.generation), paths, tags, meta or {}, sync, None, again)
        done = set(report.added) | set(report.updated)
        report.added += again.added
        report.updated += again.updated
        report.unchanged = [s for s in again.unchanged if s not in done]
        report.deleted += again.deleted
        report.failed = again.failed
        report.chunks += again.chunks
        report.embed_seconds += again.embed_seconds
    report.seconds = time.perf_counter() - started
    return report


class CollectionSwitchedError(RuntimeError):
    """A rebuild made another collection of the tenant live while an ingest was writing to the old one."""

    def __init__(self, generation: int) -> None:
        super().__init__(f"the tenant's live collection is now generation {generation}")
        self.generation = generation


def _ingest(
    retriever: Retriever,
    ctx: TenantContext,
    paths: Sequence[Path],
    tags: Sequence[str],
    meta: dict[str, str],
    sync: bool,
    progress: ProgressFn | None,
    report: IngestReport,
) -> None:
    embedder = retriever.embedder(ctx)
    name = collection_name(ctx.id, embedder.key, ctx.kb_generation)
    in_engine = retriever.store.filters_in_engine
    want_sentences = in_engine and ctx.config.knowledge.chunking.sentence_vectors
    retriever.store.ensure_collection(name, embedder.dim, with_sparse=in_engine, with_sentences=want_sentences)
    with_sparse = in_engine and retriever.store.has_sparse(name)
    # The collection decides, not the setting of the day: the setting applies when a collection is created.
    # One created before sentence vectors keeps chunk vectors only (`sochen ingest --rebuild` re-embeds it
    # with the current settings); one created with them gets them for every chunk, since its dense ranking
    # is by sentences (a point without them would never be found by it).
    with_sentences = in_engine and retriever.store.has_sentences(name)
    reconcile(retriever, ctx)
    files, failures = discover(paths)
    report.failed.extend(failures)
    batch: list[_Prepared] = []
    for path in files:
        prepared = _prepare(retriever, ctx, path, tags, meta, report)
        if prepared is not None:
            batch.append(prepared)
        # Embedding many chunks in one call keeps every core busy; each document still commits alone.
        if sum(len(p.drafts) for p in batch) >= ctx.config.knowledge.embedder.batch_size:
            _commit(retriever, ctx, name, (with_sparse, with_sentences), batch, report, progress)
            batch = []
        if progress:
            progress("file", 1)
    _commit(retriever, ctx, name, (with_sparse, with_sentences), batch, report, progress)
    if sync:
        folders = [p.resolve() for p in paths if p.is_dir()]
        report.deleted.extend(_sync_removed(retriever, ctx, folders, set(map(str, files))))
    if with_sparse:
        # The average chunk length the sparse vectors were written with, measured again (sparse_stats).
        sparse_stats.refresh(retriever, ctx, name)


@dataclass
class _Prepared:
    """A changed or new file, loaded and chunked, waiting for its vectors."""

    source: str
    existing_id: str | None
    loaded: LoadedDocument
    data: bytes
    fingerprint: str
    tags: Sequence[str]
    meta: dict[str, str]
    drafts: list[ChunkDraft]


def _prepare(
    retriever: Retriever,
    ctx: TenantContext,
    path: Path,
    tags: Sequence[str],
    meta: dict[str, str],
    report: IngestReport,
) -> _Prepared | None:
    source = str(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        report.failed.append(
            FileFailure(source, "unsupported", f"סוג קובץ לא נתמך / unsupported file type: {path.suffix or path.name}")
        )
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.failed.append(FileFailure(source, "unreadable", str(exc)))
        return None
    fingerprint = _fingerprint(data, ctx, retriever.embedder(ctx).key)
    with session_scope(retriever.settings.database_url) as session:
        existing = session.scalar(select(Document).where(Document.tenant_id == ctx.id, Document.source == source))
        if existing is not None and existing.content_hash == fingerprint and set(existing.tags) == set(tags):
            report.unchanged.append(source)
            return None
        existing_id = existing.id if existing is not None else None
    try:
        loaded = load_bytes(data, filename=path.name)
    except LoadError as exc:
        report.failed.append(FileFailure(source, exc.reason, str(exc)))
        return None
    cfg = ctx.config.knowledge.chunking
    drafts = chunk_blocks(loaded.blocks, max_tokens=cfg.max_tokens, overlap_tokens=cfg.overlap_tokens)
    for draft in drafts:
        draft.section = _without_title(draft.section, loaded.title)
    if not drafts:
        report.failed.append(FileFailure(source, "empty", "אין במסמך טקסט / the document has no text"))
        return None
    return _Prepared(source, existing_id, loaded, data, fingerprint, tags, meta, drafts)


def _without_title(section: str, title: str) -> str:
    """Drop a leading heading that only repeats the document title ('הסכם שכירות › 7.2' → '7.2')."""
    first, _sep, rest = section.partition(" › ")
    if first and normalize(title).startswith(normalize(first).rstrip("…")):
        return rest
    return section


def embed_chunks(
    embedder: Embedder, chunks: Sequence[tuple[str, str, str]], *, with_sentences: bool
) -> tuple[NDArray[np.float32], list[NDArray[np.float32]] | None]:
    """Vectors of chunks given as (title, section, text), and with `with_sentences` their sentence vectors.

    Without sentences: one embedding per chunk (:func:`embed_text`). With them, every sentence of a
    chunk (:func:`sochen.rag.chunking.sentences`; a chunk of one sentence is that sentence) is
    embedded on its own, once however many chunks repeat it, and so is every distinct heading
    (title | section) once; a sentence's vector is then the mix of the two weighted by their length
    in tokens (:func:`mix_context`). The embedder mean-pools its tokens, so the vector of
    "heading, then sentence" is close to that weighted mean of the two parts' vectors, without
    embedding the heading again for each sentence: the tokens embedded are about the chunks' own
    (the heading once, not once a sentence — which cost 1.34× the chunks' tokens on HeQ val).
    The chunk's vector is the normalised mean of its sentence vectors (the dense ranking uses the
    sentences, so the chunk is not embedded a second time).
    """
    if not with_sentences:
        return embedder.embed_passages([embed_text(*c) for c in chunks]), None
    headings = [_heading(title, section) for title, section, _text in chunks]
    per_chunk = [sentences(text) or [text] for _title, _section, text in chunks]
    unique = list(dict.fromkeys([*(t for parts in per_chunk for t in parts), *(h for h in headings if h)]))
    matrix = embedder.embed_passages(unique)
    row = {t: i for i, t in enumerate(unique)}
    sentence_vectors: list[NDArray[np.float32]] = []
    for heading, parts in zip(headings, per_chunk, strict=True):
        own = matrix[[row[t] for t in parts]]
        if heading:
            weights = np.array([estimate_tokens(t) for t in parts], dtype=np.float32)
            own = mix_context(own, weights, matrix[row[heading]], float(estimate_tokens(heading)))
        sentence_vectors.append(own.astype(np.float32))
    means = np.vstack([m.mean(axis=0) for m in sentence_vectors]) if sentence_vectors else matrix[:0]
    return _unit_rows(means), sentence_vectors


def mix_context(
    vectors: NDArray[np.float32], weights: NDArray[np.float32], context: NDArray[np.float32], context_weight: float
) -> NDArray[np.float32]:
    """Unit rows of (weight × vector + context_weight × context): a text read under its heading.

    Weights are lengths in tokens, as in the mean pooling of the embedder's own output.
    """
    mixed = vectors * np.maximum(weights, 1.0)[:, None] + max(context_weight, 1.0) * context[None, :]
    return _unit_rows(mixed)


def _heading(title: str, section: str) -> str:
    return " | ".join(p for p in (title, section) if p)


def _unit_rows(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _commit(
    retriever: Retriever,
    ctx: TenantContext,
    collection: str,
    kinds: tuple[bool, bool],
    batch: list[_Prepared],
    report: IngestReport,
    progress: ProgressFn | None,
) -> None:
    if not batch:
        return
    with_sparse, with_sentences = kinds
    embedder = retriever.embedder(ctx)
    t0 = time.perf_counter()
    vectors, sentence_vectors = embed_chunks(
        embedder, [(p.loaded.title, d.section, d.text) for p in batch for d in p.drafts], with_sentences=with_sentences
    )
    report.embed_seconds += time.perf_counter() - t0
    terms = [
        [document_terms(sparse_stats.lexical_text(p.loaded.title, d.section, d.text)) for d in p.drafts] for p in batch
    ]
    lengths = [[document_length(t) for t in doc] for doc in terms]
    avg = (
        sparse_stats.collection_avg(retriever, ctx, collection, [x for doc in lengths for x in doc])
        if with_sparse
        else None
    )
    offset = 0
    for p, p_terms, p_lengths in zip(batch, terms, lengths, strict=True):
        n = len(p.drafts)
        chunk_ids = [str(uuid.uuid4()) for _ in range(n)]
        document_id = p.existing_id or uuid.uuid4().hex
        sparse = [sparse_from_terms(t, avg) for t in p_terms] if avg is not None else None
        # 1. vectors first, under fresh ids: invisible to search until their rows exist.
        try:
            retriever.store.upsert(
                collection,
                chunk_ids,
                vectors[offset : offset + n],
                [document_id] * n,
                sparse,
                None if sentence_vectors is None else sentence_vectors[offset : offset + n],
            )
        except Exception:
            # The collection may be gone: a rebuild switched away from it and reconcile dropped it after its grace.
            live = _live_generation(retriever, ctx)
            if live != ctx.kb_generation:
                raise CollectionSwitchedError(live) from None
            raise
        offset += n
        # 2. one transaction swaps the rows and bumps the revision.
        with session_scope(retriever.settings.database_url) as session:
            old_ids = _swap_rows(session, ctx, document_id, p, embedder.key, chunk_ids, p_lengths)
            # Read under the tenant's row lock that the swap took: a rewrite of the collection's sparse vectors
            # with a new average either committed before (these points must take it too) or reads these rows.
            live_avg = sparse_stats.stored_avg_in(session, collection) if avg is not None else None
        if old_ids is None:  # a rebuild switched collections: these points went to the old one
            retriever.store.delete(collection, chunk_ids)
            raise CollectionSwitchedError(_live_generation(retriever, ctx))
        if avg is not None and live_avg is not None and live_avg != avg:
            rows = [(cid, p.loaded.title, d.section, d.text) for cid, d in zip(chunk_ids, p.drafts, strict=True)]
            sparse_stats.rewrite(retriever, collection, rows, live_avg)
        # 3. old points go last; if this is lost, reconcile() removes them later.
        retriever.store.delete(collection, old_ids)
        (report.updated if p.existing_id else report.added).append(p.source)
        report.chunks += n
        if progress:
            progress("chunks", n)


def _swap_rows(
    session: Session,
    ctx: TenantContext,
    document_id: str,
    p: _Prepared,
    embedder_key: str,
    chunk_ids: list[str],
    lengths: list[float],
) -> list[str] | None:
    """Swap a document's chunk rows; the old rows' ids, or None (nothing done) when `ctx`'s collection is not live."""
    # A conditional write first: it takes the tenant's row lock (PostgreSQL) or the database's write lock
    # (SQLite, where FOR UPDATE does not exist and a transaction only locks at its first write), serialising
    # writers of one tenant, and its row count decides atomically against a rebuild's switch: rows are only
    # written for points in the live collection.
    bumped = session.execute(
        update(Tenant)
        .where(Tenant.id == ctx.id, Tenant.kb_generation == ctx.kb_generation)
        .values(kb_revision=Tenant.kb_revision + 1)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        return None
    doc = session.get(Document, document_id)
    old_ids: list[str] = []
    if doc is None:
        doc = Document(id=document_id, tenant_id=ctx.id, source=p.source)
        session.add(doc)
    else:
        old_ids = list(session.scalars(select(Chunk.id).where(Chunk.document_id == document_id)))
        session.execute(delete(Chunk).where(Chunk.document_id == document_id))
    doc.title = p.loaded.title
    doc.mime = p.loaded.mime
    doc.content_hash = p.fingerprint
    doc.size_bytes = len(p.data)
    doc.pages = p.loaded.pages
    doc.status = "indexed"
    doc.chunk_count = len(p.drafts)
    doc.tags = sorted(set(p.tags))
    doc.meta = {**p.loaded.meta, **p.meta}
    doc.embedder = embedder_key
    session.flush()
    next_point = session.scalar(select(func.coalesce(func.max(Chunk.point_id), -1)).where(Chunk.tenant_id == ctx.id))
    base = int(next_point if next_point is not None else -1) + 1
    session.add_all(
        Chunk(
            id=cid,
            tenant_id=ctx.id,
            document_id=document_id,
            point_id=base + i,
            ordinal=i,
            text=d.text,
            section=d.section,
            page=d.page,
            token_count=d.tokens,
            lexical_length=length,
        )
        for i, (cid, d, length) in enumerate(zip(chunk_ids, p.drafts, lengths, strict=True))
    )
    return old_ids


def _live_generation(retriever: Retriever, ctx: TenantContext) -> int:
    """The tenant's live collection generation, read now (a resolved tenant may be older)."""
    with session_scope(retriever.settings.database_url) as session:
        return int(session.scalar(select(Tenant.kb_generation).where(Tenant.id == ctx.id)) or 0)


def delete_documents(retriever: Retriever, tenant: str, selectors: Sequence[str]) -> list[str]:
    """Delete documents by id or source path; returns the sources deleted."""
    ctx = retriever.tenant(tenant)
    resolved = [str(Path(s).resolve()) for s in selectors]
    with session_scope(retriever.settings.database_url) as session:
        docs = list(
            session.scalars(
                select(Document).where(
                    Document.tenant_id == ctx.id,
                    (Document.id.in_(selectors)) | (Document.source.in_([*selectors, *resolved])),
                )
            )
        )
    deleted = _delete(retriever, ctx, docs)
    name = collection_name(ctx.id, retriever.embedder(ctx).key, ctx.kb_generation)
    if deleted and retriever.store.filters_in_engine and retriever.store.has_sparse(name):
        sparse_stats.refresh(retriever, ctx, name)  # the average chunk length moved with the documents
    return deleted


def _delete(retriever: Retriever, ctx: TenantContext, docs: list[Document]) -> list[str]:
    if not docs:
        return []
    doc_ids = [d.id for d in docs]
    with session_scope(retriever.settings.database_url) as session:
        point_ids = list(session.scalars(select(Chunk.id).where(Chunk.document_id.in_(doc_ids))))
        session.execute(delete(Chunk).where(Chunk.document_id.in_(doc_ids)))
        session.execute(delete(Document).where(Document.id.in_(doc_ids)))
        session.execute(update(Tenant).where(Tenant.id == ctx.id).values(kb_revision=Tenant.kb_revision + 1))
    retriever.store.delete(collection_name(ctx.id, retriever.embedder(ctx).key, ctx.kb_generation), point_ids)
    return [d.source for d in docs]


def _sync_removed(retriever: Retriever, ctx: TenantContext, folders: list[Path], seen: set[str]) -> list[str]:
    if not folders:
        return []
    with session_scope(retriever.settings.database_url) as session:
        docs = list(session.scalars(select(Document).where(Document.tenant_id == ctx.id)))
    gone = [
        d
        for d in docs
        if d.source not in seen
        and any(Path(d.source).is_relative_to(f) for f in folders)
        and not Path(d.source).exists()
    ]
    return _delete(retriever, ctx, gone)


def reconcile(retriever: Retriever, ctx: TenantContext, *, grace_s: float = 600.0) -> int:
    """Delete points with no chunk row (left by an interrupted ingest); returns how many.

    Points younger than `grace_s` are kept: they may belong to an ingest still running elsewhere.
    Collections of the tenant's earlier generations (a rebuild leaves the one it switched away from)
    are dropped once the switch is `grace_s` old: until then a search or an ingest that resolved the
    tenant before the switch may still be using it.
    """
    key = retriever.embedder(ctx).key
    with session_scope(retriever.settings.database_url) as session:
        state = session.execute(select(Tenant.kb_generation, Tenant.kb_switched_at).where(Tenant.id == ctx.id)).one()
        live = set(session.scalars(select(Chunk.id).where(Chunk.tenant_id == ctx.id)))
    cutoff = time.time() - grace_s
    if state.kb_generation and (state.kb_switched_at or 0.0) <= cutoff:
        existing = set(retriever.store.collections())
        stale = [collection_name(ctx.id, key, old) for old in range(state.kb_generation)]
        for old_name in stale:
            if old_name in existing:
                retriever.store.drop(old_name)
        sparse_stats.forget(retriever.settings.database_url, stale)
    name = collection_name(ctx.id, key, ctx.kb_generation)
    points = retriever.store.point_ids(name)
    if not points:
        return 0
    orphans = sorted(pid for pid, written in points.items() if pid not in live and written <= cutoff)
    retriever.store.delete(name, orphans)
    return len(orphans)
