"""The knowledge base: loaders, chunking, embedders, Qdrant, Hebrew-aware lexical search, hybrid retrieval.

Ingestion and retrieval are per tenant.

Entry points: :class:`~sochen.rag.retriever.Retriever` (``search``; the tenant is required) and
:func:`~sochen.rag.ingest.ingest_paths`.
"""

from .retriever import Retriever, SearchHit, TenantContext

__all__ = ["Retriever", "SearchHit", "TenantContext"]
