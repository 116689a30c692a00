"""Document uploads through the same ingestion as ``sochen ingest``, and listing and deleting.

An upload is checked with the loaders first (a bad file is refused with its reason and nothing is
written), then written atomically to ``HOME/uploads/<tenant>/<name>`` and ingested from there with
:func:`sochen.rag.ingest.ingest_paths`; the file's path is the document's identity, so uploading a
file of the same name again replaces that document. If ingestion still refuses it, the previous
file (if any) is put back: nothing is left half indexed.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..config import Settings
from ..db.models import Chunk, Document
from ..db.session import session_scope
from ..tenancy import ResolvedTenant, resolver_for
from .errors import ApiError

if TYPE_CHECKING:  # the knowledge base (Qdrant client, embedders) loads on first use, not at import
    from ..rag.retriever import Retriever, SearchHit

__all__ = [
    "FileOutcome",
    "delete_document",
    "document_dict",
    "document_with_chunks",
    "list_documents",
    "safe_filename",
    "search_documents",
    "upload_document",
    "upload_files",
    "upload_folder",
]

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
_TAG = re.compile(r"^[\w:.\-/@]{1,100}$")


def upload_folder(settings: Settings, tenant: str) -> Path:
    """Where a tenant's uploads are kept."""
    return settings.home.resolve() / "uploads" / tenant


def safe_filename(name: str) -> str:
    """The last path part, without control characters or a leading dot (Hebrew letters kept)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().lstrip(".").strip()
    if len(base) > 150:
        stem, suffix = os.path.splitext(base)
        base = stem[: 150 - len(suffix)] + suffix
    return base or "document"


def check_tags(tags: Sequence[str]) -> list[str]:
    """Tags split on commas, validated (``client:1234``, ``matter:77``); 422 for a bad one."""
    out: list[str] = []
    for raw in tags:
        for tag in (t.strip() for t in raw.split(",")):
            if not tag:
                continue
            if not _TAG.match(tag):
                raise ApiError(422, "invalid_tag", f"תגית לא תקינה: {tag[:100]!r}", f"invalid tag {tag[:100]!r}")
            out.append(tag)
    if len(out) > 50:
        raise ApiError(422, "invalid_tag", "יותר מ-50 תגיות", "more than 50 tags")
    return sorted(set(out))


def _tenant_lock(tenant: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(tenant, threading.Lock())


def _refused(reason: str, he: str, en: str) -> ApiError:
    return ApiError(422, f"document_{reason}", he, en)


def upload_document(
    retriever: Retriever, tenant: str, *, filename: str, data: bytes, tags: Sequence[str] = ()
) -> tuple[str, dict[str, Any]]:
    """Ingest one uploaded file; returns ('added' | 'updated' | 'unchanged', the document as JSON)."""
    from ..rag.ingest import ingest_paths
    from ..rag.loaders import SUPPORTED_SUFFIXES, LoadError, load_bytes

    name = safe_filename(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise _refused(
            "unsupported", f"סוג קובץ לא נתמך '{suffix or name}'", f"unsupported file type '{suffix or name}' ({kinds})"
        )
    try:
        load_bytes(data, filename=name)
    except LoadError as exc:
        raise _refused(exc.reason, exc.message_he, exc.message_en) from None
    folder = upload_folder(retriever.settings, tenant)
    target = folder / name
    with _tenant_lock(tenant):
        folder.mkdir(parents=True, exist_ok=True)
        previous = target.read_bytes() if target.exists() else None
        _write_atomically(target, data)
        report = ingest_paths(retriever, resolver_for(retriever.settings).live(tenant), [target], tags=tags)
        if report.failed:
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                _write_atomically(target, previous)
            failure = report.failed[0]
            raise _refused(failure.reason, failure.message, failure.message)
    outcome = "added" if report.added else "updated" if report.updated else "unchanged"
    with session_scope(retriever.settings.database_url) as session:
        doc = session.scalar(
            select(Document).where(
                Document.tenant_id == retriever.tenant(tenant).id, Document.source == str(target.resolve())
            )
        )
        if doc is None:  # pragma: no cover - ingest reported success
            raise ApiError(409, "document_missing", "המסמך לא נשמר", "the document was not stored")
        return outcome, document_dict(doc)


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file of a multi-file upload: ingested, or refused and why."""

    filename: str
    outcome: str
    """'added', 'updated', 'unchanged' or 'failed'."""
    document: dict[str, Any] | None = None
    reason: str | None = None
    """The refusal's code (``document_invalid_pdf``, ``document_unsupported``, ``too_large``, ...)."""
    message_he: str | None = None
    message_en: str | None = None

    @property
    def failed(self) -> bool:
        """Whether the file was refused (nothing of it was stored)."""
        return self.outcome == "failed"


def upload_files(
    retriever: Retriever,
    tenant: str,
    files: Sequence[tuple[str, bytes]],
    *,
    tags: Sequence[str] = (),
    max_bytes: int | None = None,
) -> list[FileOutcome]:
    """Ingest several uploaded files one by one with :func:`upload_document`; one bad file loses nothing else.

    Each file gets its outcome, in the order given: a refused file (unreadable, unsupported, over
    ``max_bytes``) says why in Hebrew and English and leaves no trace; the others are ingested as usual.
    """
    out: list[FileOutcome] = []
    for filename, data in files:
        name = safe_filename(filename)
        if max_bytes is not None and len(data) > max_bytes:
            out.append(
                FileOutcome(
                    name,
                    "failed",
                    reason="too_large",
                    message_he=f"הקובץ גדול מדי: {len(data):,} בתים, המרבי {max_bytes:,}",
                    message_en=f"the file is too large: {len(data):,} bytes, at most {max_bytes:,}",
                )
            )
            continue
        try:
            outcome, doc = upload_document(retriever, tenant, filename=name, data=data, tags=tags)
        except ApiError as exc:
            out.append(FileOutcome(name, "failed", reason=exc.code, message_he=exc.he, message_en=exc.en))
            continue
        out.append(FileOutcome(name, outcome, document=doc))
    return out


def document_with_chunks(retriever: Retriever, tenant: str, document_id: str) -> dict[str, Any] | None:
    """One document of the tenant with its passages in order (text, section path, page); None when not its own."""
    ctx = retriever.tenant(tenant)
    with session_scope(retriever.settings.database_url) as session:
        doc = session.scalar(select(Document).where(Document.tenant_id == ctx.id, Document.id == document_id[:32]))
        if doc is None:
            return None
        chunks = session.scalars(
            select(Chunk).where(Chunk.tenant_id == ctx.id, Chunk.document_id == doc.id).order_by(Chunk.ordinal)
        )
        data = document_dict(doc)
        data["chunks"] = [
            {"id": c.id, "ordinal": c.ordinal, "section": c.section, "page": c.page, "text": c.text} for c in chunks
        ]
        return data


def search_documents(
    retriever: Retriever,
    tenant: str | ResolvedTenant,
    query: str,
    *,
    top_k: int = 10,
    tags: Sequence[str] | None = None,
    document_ids: Sequence[str] | None = None,
) -> list[SearchHit]:
    """The live tenant's best passages for ``query``, filtered by tags and documents (``sochen search``)."""
    resolved = tenant if isinstance(tenant, ResolvedTenant) else resolver_for(retriever.settings).live(tenant)
    return retriever.search(resolved, query, top_k=top_k, tags=tags or None, document_ids=document_ids or None)


def _write_atomically(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def list_documents(retriever: Retriever, tenant: str, *, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
    """The tenant's documents, newest first."""
    ctx = retriever.tenant(tenant)
    with session_scope(retriever.settings.database_url) as session:
        docs = session.scalars(
            select(Document)
            .where(Document.tenant_id == ctx.id)
            .order_by(Document.created_at.desc(), Document.id)
            .limit(limit)
            .offset(offset)
        )
        return [document_dict(d) for d in docs]


def delete_document(retriever: Retriever, tenant: str, document_id: str) -> dict[str, Any]:
    """Delete one document (and its uploaded file); 404 when the tenant has no such document."""
    from ..rag.ingest import delete_documents

    ctx = retriever.tenant(tenant)
    with session_scope(retriever.settings.database_url) as session:
        doc = session.scalar(select(Document).where(Document.tenant_id == ctx.id, Document.id == document_id))
        if doc is None:
            raise ApiError(404, "document_not_found", "המסמך לא נמצא", f"no document '{document_id[:64]}'")
        info = document_dict(doc)
        source = doc.source
    delete_documents(retriever, tenant, [document_id])
    path = Path(source)
    folder = upload_folder(retriever.settings, tenant)
    if path.is_relative_to(folder):
        path.unlink(missing_ok=True)
    return info


def document_dict(doc: Document) -> dict[str, Any]:
    """JSON-ready description of a document (its file name, not the server's path)."""

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()

    return {
        "id": doc.id,
        "title": doc.title,
        "filename": Path(doc.source).name,
        "mime": doc.mime,
        "size_bytes": doc.size_bytes,
        "pages": doc.pages,
        "status": doc.status,
        "chunk_count": doc.chunk_count,
        "tags": list(doc.tags or []),
        "created_at": iso(doc.created_at),
        "updated_at": iso(doc.updated_at),
    }
