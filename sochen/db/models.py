"""SQLAlchemy 2 models: the tables every other package reads and writes.

The schema is owned by Alembic (``alembic/versions``); a test checks that the migrations and these
models agree. Identifiers are strings (UUID hex) so that SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base",
    "Chunk",
    "Document",
    "KbCollection",
    "LlmCall",
    "Tenant",
    "TenantVersion",
    "new_id",
    "utcnow",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A new random identifier."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints predictably."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class Tenant(Base):
    """A business using Sochen; its configuration lives in versions."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    live_version: Mapped[int | None] = mapped_column(Integer, default=None)
    """The version live traffic uses (set by promotion); None until one is promoted."""
    kb_revision: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped in the same transaction as any change to the tenant's documents or chunks."""
    kb_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Which of the tenant's vector collections is live; a rebuild fills the next one and bumps this."""
    kb_rebuild_token: Mapped[str | None] = mapped_column(String(32), default=None)
    """The rebuild that holds the tenant (:mod:`sochen.rag.rebuild`), until ``kb_rebuild_until``; None when none."""
    kb_rebuild_until: Mapped[float | None] = mapped_column(Float, default=None)
    """When the rebuild's claim lapses unless renewed (epoch seconds): a crashed rebuild blocks no one for long."""
    kb_switched_at: Mapped[float | None] = mapped_column(Float, default=None)
    """When a rebuild last switched collections (epoch seconds); the old one is dropped after a grace period."""

    versions: Mapped[list[TenantVersion]] = relationship(
        back_populates="tenant", order_by="TenantVersion.version", cascade="all, delete-orphan"
    )


class TenantVersion(Base):
    """One applied configuration of a tenant. Every apply stores a new version."""

    __tablename__ = "tenant_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    source_path: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tenant: Mapped[Tenant] = relationship(back_populates="versions")


class Document(Base):
    """A source document of a tenant's knowledge base."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source"),
        Index("ix_documents_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(Text)
    """Where it came from: an absolute file path or a URI; unique per tenant."""
    title: Mapped[str] = mapped_column(Text)
    mime: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[str] = mapped_column(String(16), default="indexing")
    """'indexing' while chunks are being written, 'indexed' when complete."""
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Access tags, e.g. 'client:1234' or 'matter:77'; searches can require them."""
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    embedder: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Chunk.ordinal"
    )


class Chunk(Base):
    """A passage of a document: the unit of retrieval and citation."""

    __tablename__ = "chunks"
    __table_args__ = (Index("ix_chunks_tenant_point", "tenant_id", "point_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """A UUID string, also the point id in Qdrant."""
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int] = mapped_column(Integer)
    """A dense integer per tenant, used by the in-process lexical index."""
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(Text, default="")
    """Section path for citations, e.g. 'סעיף 7 > 7.2'."""
    page: Mapped[int | None] = mapped_column(Integer, default=None)
    token_count: Mapped[int] = mapped_column(Integer, default=0)
    lexical_length: Mapped[float | None] = mapped_column(Float, default=None)
    """Its BM25 length (weighted lexical terms of title, section and text); None for rows written before it was kept."""

    document: Mapped[Document] = relationship(back_populates="chunks")


class KbCollection(Base):
    """What the database keeps about one vector collection of a tenant (named as in ``rag.store.collection_name``).

    ``sparse_avg_len`` is the average chunk length the collection's lexical sparse vectors were written with
    (BM25's length normalisation is fixed in each vector; :mod:`sochen.rag.sparse_stats`), ``lexical_version``
    what kind of terms they hold (:data:`sochen.rag.lexical.LEXICAL_VERSION`; 1 before word pairs).
    """

    __tablename__ = "kb_collections"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    sparse_avg_len: Mapped[float] = mapped_column(Float)
    lexical_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Unset means 1, the oldest: a collection of an older version than the code's is rewritten, never mixed."""
    updated_at: Mapped[float] = mapped_column(Float)
    """When ``sparse_avg_len`` was last set (epoch seconds)."""


class LlmCall(Base):
    """The ledger: one row per model request, with why it went where it went."""

    __tablename__ = "llm_calls"
    __table_args__ = (Index("ix_llm_calls_tenant_created", "tenant_slug", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_slug: Mapped[str] = mapped_column(String(63))
    conversation_id: Mapped[str | None] = mapped_column(String(64), default=None)
    request_id: Mapped[str | None] = mapped_column(String(32), default=None)
    """Groups the rows of one routed request: its attempts and, if it degraded, the final row."""
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """1 for the first provider tried, 2 for the first fallback, ..."""
    task: Mapped[str | None] = mapped_column(String(32), default=None)
    provider: Mapped[str | None] = mapped_column(String(100), default=None)
    model: Mapped[str | None] = mapped_column(String(200), default=None)
    locality: Mapped[str | None] = mapped_column(String(8), default=None)
    route: Mapped[str] = mapped_column(String(32))
    """'local', 'api' or 'none' (degraded: nothing was allowed to answer)."""
    reason_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    """Machine code of the route reason (see sochen.llm.router.REASONS)."""
    reason: Mapped[str] = mapped_column(Text)
    """Human text of the reason."""
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    sensitivity_types: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Types of personal data found (never the values)."""
    complexity: Mapped[float | None] = mapped_column(Float, default=None)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(32))
    """'ok', 'fallback', 'degraded', 'error:<kind>'."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
